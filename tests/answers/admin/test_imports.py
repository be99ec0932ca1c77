"""The admin upload pages writers use instead of the commands: the upload is kept as a job,
the task worker imports it, and the job's page shows the report."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from answers.models import Answer, Topic
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
    assert "created #" in page
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
