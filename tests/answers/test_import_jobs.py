"""Uploads imported off the request by the task worker: a 20,000-record MEDLINE file is
accepted at once, shows its progress, and is stored in short transactions, so the page never
waits for it and SQLite's writer lock is never held for the whole file."""

import os
import sqlite3
import subprocess
import sys
import time
from io import StringIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from reversion.models import Version

from answers import importing
from answers.importing import import_reference_file, run_import_job
from answers.models import ImportJob
from answers.tasks import run_import
from citations.models import Reference
from tests.factories import login, make_answer, make_writer

RECORDS = 20_000


def medline(count: int, *, first_pmid: int = 90_000_001) -> bytes:
    """PubMed's MEDLINE format with `count` records, each only a PMID and a title. Test data:
    the titles say so and claim nothing; the PMIDs are above any PubMed has issued."""
    return "".join(
        f"PMID- {first_pmid + n}\nTI  - Benchmark record {n + 1} (test data)\n\n"
        for n in range(count)
    ).encode()


@pytest.mark.django_db(transaction=True)
def test_twenty_thousand_medline_records_import_in_the_background_with_progress(groups, run_worker):
    data = medline(RECORDS)
    print(f"MEDLINE file: {len(data) / 1_000_000:.2f} MB, {RECORDS:,} records")
    writer = make_writer()
    client = login(writer)
    started = time.monotonic()
    response = client.post(
        reverse("import_references"),
        {"references": SimpleUploadedFile("benchmark.nbib", data)},
    )
    answered = time.monotonic() - started
    print(f"The upload page answered in {answered:.2f} s")
    assert response.status_code == 302
    assert answered < 5, f"the upload page took {answered:.1f} s"
    job = ImportJob.objects.get()
    assert response.url == reverse("import_job", args=[job.pk])
    waiting = client.get(response.url)
    assert "benchmark.nbib: Waiting for the task worker" in waiting.text
    assert '<meta http-equiv="refresh" content="2">' in waiting.text
    assert not Reference.objects.exists()

    started = time.monotonic()
    run_worker()
    took = time.monotonic() - started
    print(f"The worker imported {RECORDS:,} records in {took:.1f} s")
    # (The progress saved batch by batch, as another connection sees it: the next tests.)

    job.refresh_from_db()
    assert (job.status, job.total, job.done) == ("done", RECORDS, RECORDS)
    assert job.data == b""  # the file is not kept once imported
    assert Reference.objects.count() == RECORDS
    assert Reference.history.count() == RECORDS  # each with its history row, by the writer
    assert set(Reference.history.values_list("history_user", flat=True)) == {writer.pk}
    done = client.get(response.url)
    assert "benchmark.nbib: Done" in done.text
    assert "Imported 20,000 of 20,000 records (100%)" in done.text
    assert '<progress id="import-progress" max="20000" value="20000">' in done.text
    assert "refresh" not in done.text
    assert "line 1: created " in done.text and "Benchmark record 1 (test data)" in done.text
    assert "… and 19,800 more." in done.text
    # The upload page lists it.
    assert "benchmark.nbib</a>: Done" in client.get(reverse("import_references")).text


@pytest.mark.django_db(transaction=True)
def test_each_batch_is_its_own_transaction_so_the_writer_lock_is_released():
    """on_batch runs inside the batch's transaction: the outermost one, committed when the
    batch ends, never one transaction around the whole file."""
    seen = []

    def on_batch(report):
        seen.append((report.done, connection.in_atomic_block, list(connection.savepoint_ids)))

    report = import_reference_file(medline(1_200), filename="b.nbib", on_batch=on_batch)
    assert [done for done, _, _ in seen] == [500, 1000, 1200]
    assert all(in_atomic and not savepoints for _, in_atomic, savepoints in seen)
    assert len(report.created) == 1_200 and not report.errors
    # The bulk insert's history rows join the audit chain like any other.
    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    assert "Audit log intact" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_an_import_interrupted_mid_file_goes_on_where_it_stopped(groups, monkeypatch):
    """A worker that dies mid-file (a BaseException here, as from a kill) leaves the batches it
    committed; running the job again stores the rest once, and the report covers all."""
    writer = make_writer()
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.REFERENCES,
        filename="b.nbib",
        data=medline(1_200),
        requested_by=writer,
    )

    class Killed(BaseException):
        pass

    real = importing._store_batch
    calls = []

    def dies_on_the_third_batch(records, **kwargs):
        calls.append(len(records))
        if len(calls) == 3:
            raise Killed
        return real(records, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(importing, "_store_batch", dies_on_the_third_batch)
        with pytest.raises(Killed):
            run_import_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("running", 1000, 1200)
    assert Reference.objects.count() == 1000

    run_import_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.done) == ("done", 1200)
    assert Reference.objects.count() == 1200
    assert len(job.report["created"]) == 1200
    assert run_import_job(job.pk) == f"import {job.pk} was finished already"
    assert Reference.objects.count() == 1200


@pytest.mark.django_db
def test_only_the_uploader_sees_an_import():
    writer, other = make_writer(), make_writer()
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.REFERENCES, filename="b.nbib", data=b"x", requested_by=writer
    )
    url = reverse("import_job", args=[job.pk])
    assert login(writer).get(url).status_code == 200
    assert login(other).get(url).status_code == 404


@pytest.mark.django_db
def test_a_failed_import_says_so(client):
    writer = make_writer()
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.REFERENCES,
        filename="b.nbib",
        data=b"x",
        requested_by=writer,
        status=ImportJob.Status.FAILED,
        total=1200,
        done=500,
        error="OperationalError: database is locked",
    )
    page = login(writer).get(reverse("import_job", args=[job.pk])).text
    assert "The import stopped with an error and did not finish: OperationalError" in page
    assert "The first 500 of 1,200 records were stored before it stopped" in page


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_sqlite_leaves_the_writer_lock_free_and_shows_progress(groups, tmp_path):
    """The issue's scenario on a SQLite file in WAL mode: a real `db_worker` process imports
    the file while another connection (standing for the web) writes a session row every
    0.2 s and reads the progress. No "database is locked", the web's writes wait at most
    for one batch, and the progress moves in steps anyone can read."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's single writer lock is what this tests; PostgreSQL locks rows")
    count = 5_000
    writer = make_writer()
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.REFERENCES,
        filename="benchmark.nbib",
        data=medline(count),
        requested_by=writer,
    )
    run_import.enqueue(job.pk)
    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as copy:
        connection.connection.backup(copy)  # the test database, schema and rows, as a file
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "test-only-secret-key-for-the-worker",
        "DEBUG": "0",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    web = sqlite3.connect(database, timeout=20, isolation_level=None)
    web.execute("PRAGMA journal_mode=WAL")
    waits, progress = [], []
    try:
        n = 0
        while worker.poll() is None:
            n += 1
            started = time.monotonic()
            web.execute("BEGIN IMMEDIATE")
            web.execute(
                "INSERT INTO django_session (session_key, session_data, expire_date) "
                "VALUES (?, '', '2100-01-01 00:00:00')",
                (f"concurrent-{n}",),
            )
            web.execute("COMMIT")
            waits.append(time.monotonic() - started)
            progress.append(
                web.execute(
                    "SELECT done FROM answers_importjob WHERE id = ?", (job.pk,)
                ).fetchone()[0]
            )
            time.sleep(0.2)
        out, err = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        status, done, total = web.execute(
            "SELECT status, done, total FROM answers_importjob WHERE id = ?", (job.pk,)
        ).fetchone()
        stored = web.execute("SELECT COUNT(*) FROM citations_reference").fetchone()[0]
        web.close()
    steps = sorted({value for value in progress if 0 < value < count})
    # A write that waited while several batches committed: the lock went from batch to
    # batch past it (without the pause between batches: 1,000 -> 5,500 in one 8.6 s wait).
    jump = max(after - before for before, after in zip(progress, progress[1:], strict=False))
    print(
        f"{count:,} records by a real worker: {len(waits)} concurrent writes, the longest "
        f"waited {max(waits):.2f} s; progress seen at {len(steps)} steps, at most "
        f"{jump} records apart"
    )
    assert worker.returncode == 0, err
    assert "database is locked" not in err
    assert (status, done, total, stored) == ("done", count, count, count)
    assert max(waits) < 10  # SQLite gives up after 20 s: "database is locked"
    assert jump <= 2 * importing.BATCH_SIZE
    assert len(steps) >= 3


@pytest.mark.django_db
def test_whoever_runs_the_site_sees_every_import_and_its_progress(admin_client):
    writer = make_writer()
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.REFERENCES,
        filename="b.nbib",
        data=b"x",
        requested_by=writer,
        status=ImportJob.Status.RUNNING,
        total=20_000,
        done=1_500,
    )
    listing = admin_client.get(reverse("admin:answers_importjob_changelist")).text
    assert "b.nbib" in listing and "1,500 of 20,000 records (7%)" in listing
    assert admin_client.get(reverse("import_job", args=[job.pk])).status_code == 200
    assert login(writer).get(reverse("admin:answers_importjob_changelist")).status_code == 403


@pytest.mark.django_db
def test_an_answer_sent_for_review_during_an_import_is_left_as_submitted():
    """Citing the imported records goes through `Answer.editing`: an answer that went into
    medical review meanwhile is not changed, and the report says why."""
    writer = make_writer()
    answer = make_answer(writers=[writer])
    versions = Version.objects.get_for_object(answer).count()

    def submit_meanwhile(report):
        if report.done == 500:
            answer.submit(by=writer)

    report = import_reference_file(
        medline(600), filename="r.nbib", answer=answer, by=writer, on_batch=submit_meanwhile
    )
    assert any("could not be changed" in e and "medical review" in e for e in report.errors)
    assert Reference.objects.filter(title__startswith="Benchmark record").count() == 600
    assert Version.objects.get_for_object(answer).count() == versions + 1  # the submission
