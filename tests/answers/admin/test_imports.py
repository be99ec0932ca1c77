"""The admin upload pages writers use instead of the commands: the upload is kept as a job,
the task worker imports it, and the job's page shows the report."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from answers.models import Answer, ImportJob, Topic
from citations.models import Reference
from tests.factories import make_answer, make_clinician, make_topic, make_writer

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[3] / "answers" / "demo_content"


def upload(name):
    return SimpleUploadedFile(name, (DEMO / name).read_bytes())


@pytest.fixture
def imported(groups, client, run_worker):
    """Post an upload, run the task worker once, and return the job's page. The worker
    closes its database connections, as in production, so these tests commit for real."""

    def post(url, data):
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response.url.startswith("/admin/import/")
        job = ImportJob.objects.get(pk=response.url.strip("/").rsplit("/", 1)[1])
        if job.status == ImportJob.Status.PREVIEW:  # an article: confirm what it shows
            confirmed = client.post(reverse("import_job_confirm", args=[job.pk]))
            assert confirmed.status_code == 302
        run_worker()
        return client.get(response.url)

    return post


def test_writer_uploads_an_article_with_references_and_sees_what_needs_attention(client, imported):
    writer = make_writer()
    make_topic(name="Oncology")
    client.force_login(writer)
    response = imported(
        reverse("import_articles"),
        {
            "article": upload("car-t-multiple-sclerosis.txt"),
            "references": upload("car-t-multiple-sclerosis.references.json"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "car-t-multiple-sclerosis.txt with car-t-multiple-sclerosis.references.json: Done" in page
    )
    assert "Imported</h3>" in page
    assert "Needs attention" in page
    assert "reference 10 is incomplete: authors, volume, pages" in page
    assert "citation 1 has no record in the references file" in page
    answer = Answer.objects.get()
    assert list(answer.writers.all()) == [writer]
    assert reverse("admin:answers_answer_change", args=[answer.pk]) in page


def test_a_bad_article_creates_nothing_and_says_which_line(client, imported):
    client.force_login(make_writer())
    bad = SimpleUploadedFile("notes.txt", b"just a heading\n- a list item\n")
    page = imported(reverse("import_articles"), {"article": bad}).content.decode()
    assert "Not everything was imported" in page
    assert "Errors (nothing was created from this file)" in page
    assert "line 1" in page
    assert not Answer.objects.exists()


def test_a_references_file_in_the_wrong_format_is_reported(client, imported):
    client.force_login(make_writer())
    page = imported(
        reverse("import_articles"),
        {
            "article": upload("sglt2-heart-failure.txt"),
            "references": upload("sglt2-heart-failure.txt"),
        },
    ).content.decode()
    assert "sglt2-heart-failure.txt: ‘sglt2-heart-failure.txt’ does not contain references" in page
    assert not Answer.objects.exists()


def test_the_upload_limit_is_the_import_setting(client, settings):
    settings.IMPORT_MAX_BYTES = 3_000_000
    client.force_login(make_writer())
    big = SimpleUploadedFile("big.ris", b"TY  - JOUR\n" + b" " * 3_000_000)
    page = client.post(reverse("import_references"), {"references": big}).content.decode()
    assert "“big.ris” is 3.0 MB; the limit is 3 MB." in page
    assert not Reference.objects.exists()


def test_hostile_file_names_and_content_are_escaped(client, imported):
    client.force_login(make_writer())
    hostile = SimpleUploadedFile("<script>alert(1)</script>.txt", b"<script>alert(1)</script>")
    page = imported(reverse("import_articles"), {"article": hostile}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert not Answer.objects.exists()


def test_clinicians_cannot_import_articles(client):
    client.force_login(make_clinician())
    assert client.get(reverse("import_articles")).status_code == 403


def test_reference_upload_adds_to_the_library_and_cites_in_an_answer(client, imported):
    writer = make_writer()
    answer = make_answer(
        lead="Short [4].", sections=[("Research", "prose", "Trial [4].")], references={}
    )
    client.force_login(writer)
    page = imported(
        reverse("import_references"),
        {"references": upload("sglt2-heart-failure.references.ris"), "answer": answer.pk},
    ).content.decode()
    assert Reference.objects.count() == 4
    assert "created McMurray 2019, N Engl J Med: " in page
    assert answer.citations.get(label="4").reference.doi == "10.1056/NEJMoa1911303"
    # Uploading again matches instead of duplicating.
    page = imported(
        reverse("import_references"), {"references": upload("sglt2-heart-failure.references.ris")}
    ).content.decode()
    assert page.count("matched an existing reference") == 4
    assert Reference.objects.count() == 4


def test_a_writer_cannot_create_a_topic_by_uploading_an_article(client, imported):
    client.force_login(make_writer())
    response = imported(
        reverse("import_articles"), {"article": upload("car-t-multiple-sclerosis.txt")}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "there is no topic “Oncology”, and only editors create topics" in page
    assert not Topic.objects.exists()
    assert not Answer.objects.exists()


def test_the_article_preview_lists_what_will_be_created_and_saves_nothing(
    groups, client, run_worker
):
    writer = make_writer()
    make_topic(name="Oncology")
    client.force_login(writer)
    response = client.post(
        reverse("import_articles"),
        {
            "article": upload("car-t-multiple-sclerosis.txt"),
            "references": upload("car-t-multiple-sclerosis.references.json"),
        },
    )
    assert response.status_code == 302
    run_worker()  # nothing is queued before the writer confirms
    assert not Answer.objects.exists() and not Reference.objects.exists()
    page = client.get(response.url).content.decode()
    assert "Waiting for you to confirm" in page
    assert "Nothing is saved yet" in page
    assert "draft answer “Are CAR-T cell therapies" in page
    assert "Its sections (2)" in page and "What the research says" in page
    assert "Works new to the library (3)" in page
    assert "[9] Schett 2023, Lancet" in page
    assert "Works already in the library, reused (0)" in page
    assert "Citations left unresolved (1)" in page and "[1]: no record" in page
    assert 'http-equiv="refresh"' not in page

    job = ImportJob.objects.get()
    other = make_writer()
    client.force_login(other)
    assert client.post(reverse("import_job_confirm", args=[job.pk])).status_code == 404

    client.force_login(writer)
    client.post(reverse("import_job_confirm", args=[job.pk]))
    run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Answer.objects.count() == 1 and Reference.objects.count() == 3


def test_a_cancelled_preview_imports_nothing(client):
    client.force_login(make_writer())
    make_topic(name="Cardiology")
    response = client.post(
        reverse("import_articles"), {"article": upload("sglt2-heart-failure.txt")}
    )
    job = ImportJob.objects.get()
    cancelled = client.post(reverse("import_job_confirm", args=[job.pk]), {"cancel": "1"})
    assert cancelled.url == reverse("import_articles")
    assert not ImportJob.objects.exists() and not Answer.objects.exists()
    assert client.get(response.url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_preview_nobody_confirms_is_discarded_after_a_week(groups, client, settings, run_worker):
    """The daily clean-up drops the upload a preview holds; the import's page says why, and
    a late "Import it" imports nothing."""
    from datetime import timedelta

    import time_machine
    from django.core.management import call_command

    settings.SCHEDULED_JOBS = {
        "discard_unconfirmed_imports": {
            "task": "answers.tasks.discard_unconfirmed_imports",
            "at": "04:50",
        }
    }
    writer = make_writer()
    client.force_login(writer)
    make_topic(name="Cardiology")
    response = client.post(
        reverse("import_articles"), {"article": upload("sglt2-heart-failure.txt")}
    )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PREVIEW and len(job.data) > 1000

    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23), tick=False):
        call_command("run_scheduler", once=True)
        run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW  # six days and some: still waiting

    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        call_command("run_scheduler", once=True)
        run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert bytes(job.data) == b"" and bytes(job.references_data) == b""
    page = client.get(response.url).content.decode()
    assert "Nobody confirmed this import within 7 days" in page
    assert "Upload the file again to import it." in page

    late = client.post(reverse("import_job_confirm", args=[job.pk]), follow=True)
    assert "Nobody confirmed this import within 7 days" in late.content.decode()
    run_worker()
    assert not Answer.objects.exists()


def test_the_import_page_links_the_format_and_a_real_sample(client):
    client.force_login(make_writer())
    page = client.get(reverse("import_articles")).content.decode()
    assert f'href="{reverse("import_format")}"' in page
    assert "samples/sglt2-heart-failure.txt" in page
    assert 'download="sglt2-heart-failure.txt"' in page
    assert "after one year 3." in page
    described = client.get(reverse("import_format")).content.decode()
    assert "When to get help" in described and "Call the emergency number now:" in described
    assert "is a citation when a record with" in described
    sample = Path(__file__).resolve().parents[3] / "static" / "samples"
    assert (sample / "sglt2-heart-failure.txt").read_bytes() == (
        DEMO / "sglt2-heart-failure.txt"
    ).read_bytes()
