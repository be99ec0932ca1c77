"""The translations' admin: every button posted as each role, the XLIFF download and
upload, the side-by-side change page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from answers.models import PublishedTranslation, Translation
from tests.factories import (
    TEST_TEXT,
    approve_new_english,
    login,
    make_clinician,
    make_editor,
    make_spanish_clinician,
    make_translator,
    messages_of,
    publish_answer,
    translate_xliff,
)

pytestmark = pytest.mark.django_db


def _url(name, *args):
    return reverse(f"admin:answers_translation_{name}", args=args)


def _workflow(translation, action):
    return _url("workflow", translation.pk, action)


def _started(translator):
    answer = publish_answer()
    response = login(translator).post(
        _url("start"), {"answer": answer.pk, "language": "es"}, follow=True
    )
    assert "Started the Spanish translation" in " ".join(messages_of(response))
    return Translation.objects.get(answer=answer)


def _upload(client, data, **extra):
    upload = SimpleUploadedFile("es.xlf", data, content_type="application/xliff+xml")
    return client.post(_url("import"), {"file": upload, **extra}, follow=True)


def test_the_whole_round_through_the_admin():
    translator = make_translator()
    translation = _started(translator)
    client = login(translator)
    page = client.get(_url("change", translation.pk))
    assert b"Side by side" in page.content and b"Download XLIFF" in page.content
    download = client.get(_url("export", translation.pk))
    assert download["Content-Type"].startswith("application/xliff+xml")
    assert "attachment" in download["Content-Disposition"]
    response = _upload(client, translate_xliff(download.content))
    assert "Imported into the Spanish translation's draft" in " ".join(messages_of(response))
    translation.refresh_from_db()
    assert translation.lead.startswith(TEST_TEXT)

    response = client.post(_workflow(translation, "submit"), follow=True)
    assert "Sent for medical review" in " ".join(messages_of(response))

    english_only = make_clinician()
    page = login(english_only).get(_url("change", translation.pk))
    assert b"declared Spanish on their contributor profile" in page.content
    clinician = make_spanish_clinician()
    translation.refresh_from_db()
    response = login(clinician).post(
        _workflow(translation, "approve"),
        {
            "faithful": "on",
            "wording_safe": "on",
            "password": "pw",
            "shown_hash": translation.content_hash(),
        },
        follow=True,
    )
    assert "Signed off and published" in " ".join(messages_of(response))
    assert PublishedTranslation.objects.filter(translation=translation).exists()

    editor = make_editor()
    response = login(editor).post(
        _workflow(translation, "withdraw"), {"reason": "Test: taken down."}, follow=True
    )
    assert "Taken off the public site" in " ".join(messages_of(response))


def test_a_file_with_a_missing_marker_is_refused_naming_the_unit():
    translator = make_translator()
    translation = _started(translator)
    client = login(translator)
    data = client.get(_url("export", translation.pk)).content
    response = _upload(client, translate_xliff(data, drop_marker_in="lead-p1"))
    assert response.status_code == 200
    assert "Unit lead-p1 (the short answer, paragraph 1): the citation marker [1] is missing" in (
        response.content.decode()
    )
    translation.refresh_from_db()
    assert translation.lead == ""


def test_a_writer_cannot_sign_and_a_clinician_cannot_edit_or_submit():
    translator = make_translator()
    translation = _started(translator)
    client = login(translator)
    _upload(client, translate_xliff(client.get(_url("export", translation.pk)).content))
    response = client.post(
        _workflow(translation, "approve"),
        {"faithful": "on", "wording_safe": "on", "password": "pw", "shown_hash": "x" * 64},
        follow=True,
    )
    assert "Only medical reviewers approve translations" in " ".join(messages_of(response))
    clinician = make_spanish_clinician()
    response = login(clinician).post(_workflow(translation, "submit"), follow=True)
    assert "do not have permission to submit" in " ".join(messages_of(response))
    assert login(clinician).post(_url("import"), {}).status_code == 403


def test_the_changelist_offers_start_and_import_to_writers_only():
    answer = publish_answer()
    page = login(make_translator()).get(_url("changelist"))
    assert b"Start a translation" in page.content
    assert answer.question.text.encode() in page.content
    page = login(make_spanish_clinician()).get(_url("changelist"))
    assert b"Start a translation" not in page.content


def test_the_dashboard_counts_each_language_with_links():
    from tests.factories import published_translation

    answer, translation = published_translation()
    publish_answer(question="Is the missing test answer listed?")
    page = login(make_editor()).get(_url("dashboard"))
    html = page.content.decode()
    assert 'data-count="translated">1<' in html
    assert 'data-count="missing">1<' in html
    assert "Is the missing test answer listed?" in html
    approve_new_english(answer)
    html = login(make_editor()).get(_url("dashboard")).content.decode()
    assert 'data-count="out_of_date">1<' in html
    assert "out_of_date_since__isempty=0" in html
    changelist = login(make_editor()).get(
        _url("changelist") + "?language=es&out_of_date_since__isempty=0"
    )
    assert changelist.status_code == 200
    assert b"(Spanish)" in changelist.content and b"0 translations" not in changelist.content


def _change_form(translation, **overrides):
    sections = translation.ordered_sections()
    data = {
        "question_text": translation.question_text,
        "slug": translation.slug,
        "lead": translation.lead,
        "sections-TOTAL_FORMS": len(sections),
        "sections-INITIAL_FORMS": len(sections),
        "sections-MIN_NUM_FORMS": 0,
        "sections-MAX_NUM_FORMS": 1000,
    }
    for i, section in enumerate(sections):
        data |= {
            f"sections-{i}-id": section.pk,
            f"sections-{i}-translation": translation.pk,
            f"sections-{i}-heading": section.heading,
            f"sections-{i}-body": section.body,
        }
    return data | overrides


def test_saving_the_form_is_a_version_by_its_writer_and_makes_a_published_one_a_draft():
    from reversion.models import Version

    from tests.factories import published_translation

    _, translation = published_translation()
    editor_of_words = make_translator()
    before = Version.objects.get_for_object(translation).count()
    response = login(editor_of_words).post(
        _url("change", translation.pk),
        _change_form(translation, lead=f"{TEST_TEXT} editado [1]."),
        follow=True,
    )
    assert response.status_code == 200
    translation.refresh_from_db()
    assert translation.lead == f"{TEST_TEXT} editado [1]."
    assert translation.status == Translation.Status.DRAFT
    assert editor_of_words in translation.writers.all()
    assert Version.objects.get_for_object(translation).count() == before + 1
    # The public keeps the approved words until a clinician signs the new ones.
    assert translation.publication.content_hash != translation.content_hash()


def test_a_clinician_cannot_change_the_words():
    from tests.factories import published_translation

    _, translation = published_translation()
    response = login(make_spanish_clinician()).post(
        _url("change", translation.pk), _change_form(translation, lead="x")
    )
    assert response.status_code == 403
    translation.refresh_from_db()
    assert translation.lead != "x"


def test_the_translators_page_shows_what_changed_in_the_english_version():
    from tests.factories import published_translation

    answer, translation = published_translation()
    client = login(make_translator())
    assert (
        b"What changed in the English version"
        not in client.get(_url("change", translation.pk)).content
    )
    approve_new_english(answer, lead="Yes, nearly always [1].")
    html = client.get(_url("change", translation.pk)).content.decode()
    assert "What changed in the English version" in html
    assert "<del>most of the time</del><ins>nearly always</ins>" in html
    # Updated to the new version, the page still shows what changed since the published one.
    client.post(_workflow(translation, "update"), follow=True)
    html = client.get(_url("change", translation.pk)).content.decode()
    assert "Since the version the published translation was made from" in html
    assert "<ins>nearly always</ins>" in html
