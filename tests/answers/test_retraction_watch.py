"""The retraction watch end to end, against the local Crossref/PubMed stand-in: notices
recorded once, approval blocked until a clinician records how each was handled, and the
public page's short notice until a new version is approved."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from werkzeug import Response

from answers.checklist import review_checklist
from answers.models import PublishedAnswer, WorkflowError
from answers.tasks import check_retractions as check_retractions_task
from citations.models import Reference, ReferenceNotice, RetractionCheck
from tests.citations.fake_services import MEHRA, WAKEFIELD, crossref_wakefield
from tests.factories import (
    approve,
    login,
    make_answer,
    make_clinician,
    make_editor,
    make_writer,
    publish_answer,
)

pytestmark = pytest.mark.django_db

NOTICE = "This study was retracted in February 2010; this page is being reviewed."


@pytest.fixture
def wakefield(services):
    services.add_work(crossref_wakefield(), pmid=WAKEFIELD["PMID"])
    services.pubmed[WAKEFIELD["PMID"]] = {
        **WAKEFIELD,
        "retracted": True,
        "comments": [
            ("RetractionIn", f"Lancet. 2010;375:445. doi: {WAKEFIELD['retraction_doi']}", "")
        ],
    }
    return Reference.objects.create(
        title=WAKEFIELD["title"],
        authors=[{"family": f, "given": " ".join(g)} for f, g in WAKEFIELD["authors"]],
        container_title=WAKEFIELD["journal"],
        container_title_short=WAKEFIELD["abbreviation"],
        year=WAKEFIELD["year"],
        volume=WAKEFIELD["volume"],
        issue=WAKEFIELD["issue"],
        page=WAKEFIELD["page"],
        doi=WAKEFIELD["DOI"],
        pmid=WAKEFIELD["PMID"],
    )


def public_page(answer):
    return Client().get(reverse("question", args=[answer.question.slug]))


def in_review(reference, writer):
    answer = make_answer(
        question="Is the study still sound?", references={"1": reference}, writers=[writer]
    )
    answer.submit(by=writer)
    return answer


def test_a_retraction_blocks_approval_and_shows_on_the_public_page(wakefield):
    writer, clinician = make_writer(), make_clinician()
    published = publish_answer(references={"1": wakefield}, writer=writer, clinician=clinician)
    assert NOTICE not in public_page(published).text
    reviewing = in_review(wakefield, writer)

    out = StringIO()
    call_command("check_retractions", stdout=out)

    [notice] = ReferenceNotice.objects.all()  # Crossref and PubMed report the same notice
    assert (notice.kind, notice.notice_doi, notice.date) == (
        "retraction",
        "10.1016/S0140-6736(10)60175-4",
        "2010-02",
    )
    assert notice.link == "https://doi.org/10.1016/S0140-6736(10)60175-4"
    assert "Checked 1 reference, 1 new notice, 0 failed." in out.getvalue()
    run = RetractionCheck.objects.latest()
    assert (run.checked, run.notices_found, run.failures) == (1, 1, [])

    page = public_page(published)
    assert NOTICE in page.text
    assert 'href="https://doi.org/10.1016/S0140-6736(10)60175-4"' in page.text

    with pytest.raises(WorkflowError) as refused:
        approve(reviewing, clinician, change_summary="Test: re-reviewed.")
    assert any(
        "retraction published (February 2010)" in problem for problem in refused.value.problems
    )

    notice.acknowledge(by=clinician, note="Replaced by a current review of the evidence.")
    approve(reviewing, clinician, change_summary="Test: re-reviewed.")
    assert NOTICE not in public_page(reviewing).text  # a new approval has no notice
    assert NOTICE in public_page(published).text  # the old version keeps it until re-approved


def test_rechecking_never_repeats_a_notice(wakefield):
    publish_answer(references={"1": wakefield})
    call_command("check_retractions", stdout=StringIO())
    call_command("check_retractions", stdout=StringIO())
    assert ReferenceNotice.objects.count() == 1
    assert list(RetractionCheck.objects.values_list("notices_found", flat=True)) == [0, 1]
    snapshot = PublishedAnswer.objects.get()
    assert len(snapshot.data["references"][0]["notices"]) == 1


def test_a_failed_lookup_is_a_failure_of_the_run_and_marks_nothing(wakefield, httpserver):
    published = publish_answer(references={"1": wakefield})
    httpserver.clear()
    httpserver.expect_request("/works/" + WAKEFIELD["DOI"]).respond_with_response(
        Response("Internal Server Error", status=500)
    )
    err = StringIO()
    with pytest.raises(CommandError, match="1 references could not be checked"):
        call_command("check_retractions", stdout=StringIO(), stderr=err)
    assert "Crossref answered HTTP 500 after 3 attempts" in err.getvalue()
    run = RetractionCheck.objects.latest()
    editor = Client()
    editor.force_login(make_editor())
    run_page = editor.get(reverse("admin:citations_retractioncheck_change", args=[run.pk]))
    assert "Crossref answered HTTP 500 after 3 attempts" in run_page.text
    assert (run.checked, run.failed) == (0, 1)
    assert not ReferenceNotice.objects.exists()
    assert NOTICE not in public_page(published).text


def test_uncited_references_and_those_without_identifiers_are_not_checked(wakefield, services):
    Reference.objects.create(title="No identifier", year=2020)
    call_command("check_retractions", stdout=StringIO())
    assert RetractionCheck.objects.latest().checked == 0
    assert services.requests == []


def test_concern_blocks_and_correction_warns(services):
    services.pubmed[MEHRA["PMID"]] = MEHRA
    reference = Reference.objects.create(title=MEHRA["title"], pmid=MEHRA["PMID"])
    answer = make_answer(references={"1": reference})
    call_command("check_retractions", stdout=StringIO())
    kinds = set(ReferenceNotice.objects.values_list("kind", flat=True))
    assert kinds == {"correction", "concern", "retraction"}
    checklist = review_checklist(answer)
    blocking = [m for m in checklist.blocking_approval() if "must record how it was handled" in m]
    assert len(blocking) == 2
    assert any("expression of concern published" in m for m in blocking)
    warnings = [item.message for item in checklist.items if item.level == "warning"]
    assert any("correction published" in m and "31249-6" in m for m in warnings)


@pytest.mark.django_db(transaction=True)
def test_the_task_runs_the_watch(groups, wakefield, run_worker):
    publish_answer(references={"1": wakefield})
    result = check_retractions_task.enqueue()
    run_worker()
    result.refresh()
    assert result.return_value == {
        "run": RetractionCheck.objects.latest().pk,
        "checked": 1,
        "notices": 1,
        "failed": 0,
        "retry_at": None,
        "summary": "Checked 1 reference: 1 new notice.",
    }


def test_only_a_clinician_records_how_a_notice_was_handled(wakefield):
    publish_answer(references={"1": wakefield})
    call_command("check_retractions", stdout=StringIO())
    notice = ReferenceNotice.objects.get()
    url = reverse("admin:citations_referencenotice_change", args=[notice.pk])

    editor = Client()
    editor.force_login(make_editor())
    assert editor.get(reverse("admin:citations_referencenotice_changelist")).status_code == 200
    assert editor.get(reverse("admin:citations_retractioncheck_changelist")).status_code == 200
    reference_page = editor.get(
        reverse("admin:citations_reference_change", args=[notice.reference_id])
    )
    assert "Retraction</a> (February 2010): not yet handled" in reference_page.text
    editor.post(url, {"handling_note": "Fine"})
    notice.refresh_from_db()
    assert notice.acknowledged_at is None

    clinician_user = make_clinician()
    clinician = Client()
    clinician.force_login(clinician_user)
    empty = clinician.post(url, {"handling_note": "  "})
    assert "Say how the notice was handled" in empty.text
    response = clinician.post(url, {"handling_note": "Removed from the answer."})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.acknowledged_by, notice.handling_note) == (
        clinician_user,
        "Removed from the answer.",
    )
    assert not notice.blocks_approval


@pytest.mark.django_db(transaction=True)
def test_a_retraction_notifies_and_flags_every_answer_citing_it(
    groups, wakefield, run_worker, smtp_server
):
    from notifications.models import Notification

    writer, clinician, editor = make_writer(), make_clinician(), make_editor()
    published = publish_answer(references={"1": wakefield}, writer=writer, clinician=clinician)
    draft = make_answer(
        question="Does it still hold?", references={"1": wakefield}, writers=[writer]
    )
    other = Reference.objects.create(title="Test reference without identifiers")
    uncited = make_answer(question="Unrelated?", references={"1": other}, writers=[writer])
    run_worker()
    smtp_server.messages.clear()

    call_command("check_retractions", stdout=StringIO())
    run_worker()

    retraction = Notification.objects.filter(kind="retraction")
    assert {(n.recipient_id, n.answer_id) for n in retraction} == {
        (writer.pk, published.pk),
        (clinician.pk, published.pk),
        (writer.pk, draft.pk),
    }
    [email] = [m for m in smtp_server.to(clinician.email) if "Retraction" in m["Subject"]]
    assert "10.1016/S0140-6736(10)60175-4" in email.get_content()
    assert "reference [1]" in email.get_content()

    from answers.models import Answer

    assert set(Answer.objects.citing_unhandled_notice()) == {published, draft}
    listing = login(editor).get("/admin/answers/answer/")
    flags = {a.question.text: a.has_unhandled_notice for a in listing.context["cl"].result_list}
    assert flags[published.question.text] and flags[draft.question.text]
    assert not flags[uncited.question.text]
    assert "Cited study retracted or under concern" in listing.content.decode()

    # Re-checking sends nothing again; handling the notice clears the flag.
    call_command("check_retractions", stdout=StringIO())
    run_worker()
    assert Notification.objects.filter(kind="retraction").count() == 3
    ReferenceNotice.objects.get().acknowledge(by=clinician, note="Removed from the answers.")
    assert not Answer.objects.citing_unhandled_notice().exists()


def watch_page(run):
    editor = Client()
    editor.force_login(make_editor())
    listing = editor.get(reverse("admin:citations_retractioncheck_changelist")).text
    detail = editor.get(reverse("admin:citations_retractioncheck_change", args=[run.pk])).text
    return listing, detail


@pytest.mark.django_db(transaction=True)
def test_a_failed_run_is_retried_later_for_what_it_could_not_check(
    groups, wakefield, services, run_worker, settings
):
    import time_machine
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.RETRACTION_RETRY_SECONDS, settings.RETRACTION_CHECK_ATTEMPTS = 600, 3
    published = publish_answer(references={"1": wakefield})
    run_worker()  # the approval's own tasks
    services.crossref_down = True
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        check_retractions_task.enqueue()
        run_worker()
    first = RetractionCheck.objects.get()
    assert (first.attempt, first.checked, first.unchecked) == (1, 0, [wakefield.pk])
    assert first.retry_at == start + timedelta(seconds=600)
    assert not ReferenceNotice.objects.exists()  # a failed lookup marks nothing
    assert NOTICE not in public_page(published).text
    listing, detail = watch_page(first)
    assert "1 not checked: retry 2 of 3 at" in listing
    assert "Crossref answered HTTP 503" in detail
    waiting = DBTaskResult.objects.filter(task_path="answers.tasks.check_retractions")
    assert waiting.filter(status="READY").count() == 1

    with time_machine.travel(start + timedelta(seconds=599), tick=False):
        run_worker()  # not yet time
    assert RetractionCheck.objects.count() == 1

    with time_machine.travel(start + timedelta(seconds=601), tick=False):
        run_worker()  # Crossref still down: the retry fails, and waits twice as long
    second = RetractionCheck.objects.get(retry_of=first)
    assert (second.attempt, second.unchecked) == (2, [wakefield.pk])
    assert second.retry_at == start + timedelta(seconds=601 + 1200)
    listing, detail = watch_page(first)
    assert "1 not checked: retried in" in detail
    assert "1 not checked: retry 3 of 3 at" in listing

    services.crossref_down = False
    with time_machine.travel(start + timedelta(seconds=1802), tick=False):
        run_worker()
    third = RetractionCheck.objects.get(retry_of=second)
    assert (third.attempt, third.checked, third.failures, third.notices_found) == (3, 1, [], 1)
    assert ReferenceNotice.objects.get().kind == "retraction"
    assert NOTICE in public_page(published).text
    assert "Complete" in watch_page(third)[1]


def test_a_run_still_failing_after_the_last_attempt_is_not_retried(
    wakefield, services, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.RETRACTION_CHECK_ATTEMPTS = 2
    publish_answer(references={"1": wakefield})
    services.crossref_down = True
    with django_capture_on_commit_callbacks(execute=True):
        first = check_retractions_task.call()
        assert first["retry_at"] is not None
        last = check_retractions_task.call(retry_of=first["run"])
        assert last["retry_at"] is None
        # The same retry enqueued twice (a worker restarted mid-task) runs once.
        again = check_retractions_task.call(retry_of=first["run"])
    assert again == {"run": None, "skipped": f"run {first['run']} was retried already"}
    assert RetractionCheck.objects.count() == 2
    assert DBTaskResult.objects.filter(task_path="answers.tasks.check_retractions").count() == 1
    _, detail = watch_page(RetractionCheck.objects.get(pk=last["run"]))
    assert "1 not checked after 2 attempts: no more retries" in detail


def test_the_command_says_when_what_failed_is_tried_again(
    wakefield, services, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    publish_answer(references={"1": wakefield})
    services.crossref_down = True
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(CommandError, match="the task worker tries them again at"),
    ):
        call_command("check_retractions", stdout=StringIO(), stderr=StringIO())
    [retry] = DBTaskResult.objects.filter(task_path="answers.tasks.check_retractions")
    assert retry.args_kwargs["kwargs"] == {"retry_of": RetractionCheck.objects.get().pk}
