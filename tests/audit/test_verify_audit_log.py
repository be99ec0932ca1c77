"""The audit records' hash chain, checked by `manage.py verify_audit_log` after real work and
after tampering in SQL, as an attacker with database access would."""

import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from answers.models import Answer, HistoricalAnswer, SignOff
from audit.management.commands.verify_audit_log import chained_models
from audit.models import AuditChainHead
from tests.factories import make_clinician, publish_answer, published


def verify():
    """(ok, output) of `verify_audit_log`."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit_log", stdout=out, stderr=err)
    except CommandError as error:
        return False, err.getvalue() + str(error)
    return True, out.getvalue()


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_a_freshly_published_answer_verifies():
    publish_answer()
    ok, output = verify()
    assert ok, output
    assert output.startswith("Audit log intact: ")
    assert "answers.signoff 1," in output or "answers.signoff 1)" in output
    assert len(output.strip().splitlines()) == 1


@pytest.mark.django_db
def test_each_record_carries_the_hash_of_the_one_before():
    answer, writer, clinician = published()
    entries = list(HistoricalAnswer.objects.order_by("history_id"))
    assert len(entries) >= 3
    assert entries[0].previous_hash == ""
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.previous_hash == before.chain_hash
        assert len(after.chain_hash) == 64
    head = AuditChainHead.objects.get(chain="answers.historicalanswer")
    assert head.last_hash == entries[-1].chain_hash
    assert head.last_id == entries[-1].pk


@pytest.mark.django_db
def test_a_sign_off_edited_in_sql_is_named():
    answer, writer, clinician = published(clinician=make_clinician(display_name="Dr Ann Lee"))
    published()  # a later sign-off after it, so the edited one is not simply the last
    signoff = SignOff.objects.filter(answer=answer).get()
    raw(
        f"UPDATE {SignOff._meta.db_table} SET content_hash = %s WHERE id = %s",
        ["0" * 64, signoff.pk],
    )
    ok, output = verify()
    assert not ok
    assert f"answers.SignOff #{signoff.pk} (" in output
    assert "by Dr Ann Lee" in output  # who signed
    assert f"{signoff.created_at:%Y-%m-%d %H:%M}" in output  # when (UTC)
    assert f'content_hash was "{signoff.content_hash}", now "{"0" * 64}"' in output
    assert f"1 of {len(chained_models())} chains broken" in output


@pytest.mark.django_db
def test_a_history_entry_edited_in_sql_is_named_even_with_its_stored_copy():
    answer, writer, clinician = published()
    entry = HistoricalAnswer.objects.filter(history_change_reason__startswith="Approved").get()
    raw(
        f"UPDATE {HistoricalAnswer._meta.db_table} SET history_change_reason = %s, "
        "chain_record = REPLACE(chain_record, 'Approved', 'Rejected') WHERE history_id = %s",
        ["Rejected and published", entry.pk],
    )
    ok, output = verify()
    assert not ok
    assert f"answers.HistoricalAnswer #{entry.pk} (" in output
    assert "its stored record no longer matches its hash" in output


@pytest.mark.django_db
def test_a_deleted_history_entry_is_named_as_a_gap():
    answer, writer, clinician = published()
    entries = list(HistoricalAnswer.objects.order_by("history_id"))
    before, gone, after = entries[0], entries[1], entries[2]
    raw(f"DELETE FROM {HistoricalAnswer._meta.db_table} WHERE history_id = %s", [gone.pk])
    ok, output = verify()
    assert not ok
    assert "A record was removed between" in output
    assert f"answers.HistoricalAnswer #{before.pk} (" in output
    assert f"answers.HistoricalAnswer #{after.pk} (" in output


@pytest.mark.django_db
def test_the_latest_record_deleted_is_named():
    answer, writer, clinician = published()
    last = HistoricalAnswer.objects.order_by("-history_id").first()
    raw(f"DELETE FROM {HistoricalAnswer._meta.db_table} WHERE history_id = %s", [last.pk])
    ok, output = verify()
    assert not ok
    assert "The latest record(s) of answers.historicalanswer were removed" in output
    assert f"ending with #{last.pk}" in output


@pytest.mark.django_db
def test_bulk_created_sign_offs_are_chained_too():
    answer, writer, clinician = published()
    signoff = SignOff.objects.get()
    copies = [
        SignOff(
            answer=answer,
            reviewer=clinician,
            signer_name=signoff.signer_name,
            meaning=signoff.meaning,
            revision=signoff.revision,
            content_hash=signoff.content_hash,
            sources_checked=True,
            wording_safe=True,
        )
        for _ in range(3)
    ]
    SignOff.objects.bulk_create(copies)
    ok, output = verify()
    assert ok, output
    assert "answers.signoff 4" in output


@pytest.mark.django_db(transaction=True)
def test_records_written_at_once_do_not_fork_the_chain(groups):
    """Four threads, each with its own connection, publish at the same time."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite allows one writer at a time, so records cannot be written at once")
    answers = [published()[0] for _ in range(4)]
    barrier = threading.Barrier(len(answers))
    errors = []

    def opening(answer):
        try:
            barrier.wait(timeout=10)
            for _ in range(5):
                answer.record_event(by=None, reason="Preview link opened")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=opening, args=(a,)) for a in answers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    ok, output = verify()
    assert ok, output
    hashes = list(HistoricalAnswer.objects.values_list("previous_hash", flat=True))
    assert len(hashes) == len(set(hashes))  # no two records follow the same one


@pytest.mark.django_db(transaction=True)
def test_a_sign_off_and_history_written_in_either_order_do_not_deadlock(groups):
    """One approval writes a sign-off then its answer's history, another (changing the
    certainty) the reverse, on another answer: the app's chain heads are locked together."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite allows one writer at a time, so there is no lock order to get wrong")
    answer, writer, clinician = published()
    other = published()[0]
    template = SignOff.objects.get(answer=answer)
    first_written = threading.Event()
    errors = []

    def sign_off(answer):
        SignOff(
            answer_id=answer.pk,
            reviewer_id=clinician.pk,
            signer_name=template.signer_name,
            meaning=template.meaning,
            revision_id=template.revision_id,
            content_hash=template.content_hash,
            sources_checked=True,
            wording_safe=True,
        ).save()

    def history(answer):
        Answer.objects.get(pk=answer.pk).record_event(by=None, reason="Preview link opened")

    def run(first, second, *, answer, wait):
        try:
            if wait:
                assert first_written.wait(timeout=10)
            with transaction.atomic():
                first(answer)
                first_written.set()
                time.sleep(0.5)
                second(answer)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=run, args=(sign_off, history), kwargs={"answer": answer, "wait": False}
        ),
        threading.Thread(
            target=run, args=(history, sign_off), kwargs={"answer": other, "wait": True}
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    ok, output = verify()
    assert ok, output
    assert SignOff.objects.count() == 4
