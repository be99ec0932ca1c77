"""Translations: languages from settings, a translation made from one approved version of the
source, its workflow (separation of duties, the signature bound to the content, a clinician
who declared the language), out of date when the source is approved anew, withdrawn with it."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured, ValidationError
from reversion.models import Version

from answers.models import (
    PublishedTranslation,
    StaleSignature,
    Translation,
    WorkflowError,
)
from answers.models.signoffs import SignatureRefused
from answers.roles import WRITERS
from qa_cms.languages import content_languages, site_languages
from tests.factories import (
    TEST_TEXT,
    approve,
    approve_new_english,
    approve_translation,
    draft,
    fill_translation,
    make_clinician,
    make_editor,
    make_spanish_clinician,
    make_translator,
    publish_answer,
    published_translation,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- languages


def test_english_only_unless_languages_are_configured():
    assert site_languages([]) == [("en", "English")]
    assert site_languages(["es"]) == [("en", "English"), ("es", "español")]
    assert content_languages([" ES ", "es"]) == ["es"]


@pytest.mark.parametrize("code", ["en", "xx", "zh"])
def test_a_language_that_is_the_source_or_unknown_is_refused_at_start(code):
    with pytest.raises(ImproperlyConfigured, match=code):
        content_languages([code])


def test_a_contributor_declares_only_the_sites_languages():
    clinician = make_clinician()
    contributor = clinician.contributor
    contributor.languages = "es,fr"
    with pytest.raises(ValidationError, match="not translated into fr"):
        contributor.full_clean()
    contributor.languages = "es"
    contributor.full_clean()
    assert contributor.works_in("es") and not contributor.works_in("fr")


# ---------------------------------------------------------------- starting


def test_a_translation_is_made_from_the_approved_version_with_empty_sections():
    answer = publish_answer()
    translator = make_translator()
    translation = Translation.start(answer=answer, language="es", by=translator)
    assert translation.source_signoff == answer.publication.signoff
    assert translation.status == Translation.Status.DRAFT
    source = translation.source()
    assert source.lead == answer.lead
    assert [s.kind for s in translation.ordered_sections()] == [
        s.kind for s in answer.ordered_sections()
    ]
    assert all(not s.body and not s.heading for s in translation.ordered_sections())
    assert list(translation.writers.all()) == [translator]
    assert Version.objects.get_for_object(translation).count() == 1


def test_an_unpublished_answer_or_an_unconfigured_language_is_not_translated():
    answer, writer = draft()
    with pytest.raises(WorkflowError, match="Only a published answer"):
        Translation.start(answer=answer, language="es", by=writer)
    published = publish_answer()
    with pytest.raises(WorkflowError, match="not translated into fr"):
        Translation.start(answer=published, language="fr", by=writer)
    Translation.start(answer=published, language="es", by=writer)
    with pytest.raises(WorkflowError, match="already has a Spanish translation"):
        Translation.start(answer=published, language="es", by=writer)


def test_the_source_version_stays_the_approved_one_while_the_english_draft_moves_on():
    answer = publish_answer()
    translation = Translation.start(answer=answer, language="es", by=make_translator())
    with answer.editing(by=None, comment="Test edit") as locked:
        locked.lead = "Test: a new English lead [1]."
        locked.save()
    assert translation.source().lead != "Test: a new English lead [1]."


# ---------------------------------------------------------------- submitting


def test_an_empty_translation_cannot_be_submitted():
    answer = publish_answer()
    translator = make_translator()
    translation = Translation.start(answer=answer, language="es", by=translator)
    with pytest.raises(WorkflowError) as refused:
        translation.submit(by=translator)
    assert "Translate the short answer: it is empty." in refused.value.problems
    assert translation.status == Translation.Status.DRAFT


def test_citation_markers_must_be_the_sources_part_by_part():
    answer = publish_answer()
    translator = make_translator()
    translation = Translation.start(answer=answer, language="es", by=translator)
    fill_translation(translation, by=translator, keep_markers=False)
    with pytest.raises(WorkflowError) as refused:
        translation.submit(by=translator)
    assert (
        "The citation markers in the short answer are none; the English version has [1]. "
        "Keep the same markers: the references are shared." in refused.value.problems
    )
    assert any("section 1's text" in message for message in refused.value.problems)
    fill_translation(translation, by=translator)
    translation.submit(by=translator)
    assert translation.status == Translation.Status.IN_REVIEW
    assert translation.submitted_hash == translation.content_hash()


# ---------------------------------------------------------------- signing off


def _in_review():
    answer = publish_answer()
    translator = make_translator()
    translation = Translation.start(answer=answer, language="es", by=translator)
    fill_translation(translation, by=translator)
    translation.submit(by=translator)
    return answer, translation, translator


def test_only_a_clinician_who_declared_the_language_signs_it_off():
    _, translation, _ = _in_review()
    with pytest.raises(WorkflowError, match="declared Spanish"):
        approve_translation(translation, make_clinician())
    assert not PublishedTranslation.objects.exists()


def test_a_writer_of_the_translation_never_signs_it():
    _, translation, _ = _in_review()
    clinician = make_spanish_clinician()
    clinician.groups.add(Group.objects.get(name=WRITERS))
    translation.request_changes(by=clinician, comment="Test: change a word.")
    # A clinician who also writes changes its words: they wrote part of it now.
    with translation.editing(by=clinician, comment="Clinician's wording") as locked:
        locked.question_text = f"{TEST_TEXT}: otra pregunta?"
        locked.save()
    translator = make_translator()
    translation.submit(by=translator)
    with pytest.raises(WorkflowError, match="another clinician must sign it off"):
        approve_translation(translation, clinician)
    approve_translation(translation, make_spanish_clinician())


def test_the_signature_is_the_password_and_the_words_on_screen():
    _, translation, _ = _in_review()
    clinician = make_spanish_clinician()
    with pytest.raises(SignatureRefused):
        approve_translation(translation, clinician, password="wrong")
    with pytest.raises(StaleSignature):
        approve_translation(translation, clinician, shown_hash="0" * 64)
    with pytest.raises(WorkflowError, match="Confirm both checks"):
        approve_translation(translation, clinician, faithful=False)
    translation.refresh_from_db()
    assert translation.status == Translation.Status.IN_REVIEW
    assert not PublishedTranslation.objects.exists()


def test_an_approved_translation_is_published_with_the_sources_references():
    answer, translation = published_translation()
    assert translation.status == Translation.Status.PUBLISHED
    publication = translation.publication
    assert publication.content_hash == translation.content_hash()
    assert publication.source_hash == answer.publication.content_hash
    assert publication.references_html == answer.publication.references_html
    assert 'href="#ref-1"' in publication.lead_html
    assert publication.language == "es"
    assert publication.slug == translation.slug
    assert TEST_TEXT in publication.question
    assert translation.signoffs.get().meaning.endswith("(translation into Spanish)")


def test_editing_a_published_translation_makes_a_draft_and_keeps_the_snapshot():
    _, translation = published_translation()
    snapshot = translation.publication.content_hash
    with translation.editing(by=make_translator(), comment="Test edit") as locked:
        locked.lead = f"{TEST_TEXT} nuevo [1]."
        locked.save()
    assert translation.status == Translation.Status.DRAFT
    assert translation.publication.content_hash == snapshot


def test_in_review_it_cannot_be_edited():
    _, translation, translator = _in_review()
    with (
        pytest.raises(WorkflowError, match="in medical review"),
        translation.editing(by=translator, comment="Test"),
    ):
        pass


# ---------------------------------------------------------------- following the source


def test_approving_new_english_content_marks_every_translation_out_of_date():
    answer, translation = published_translation()
    assert not translation.is_out_of_date
    signoff = approve_new_english(answer)
    translation.refresh_from_db()
    assert translation.out_of_date_since is not None
    assert translation.out_of_date_since >= signoff.created_at
    # The public keeps the approved snapshot (the page tells readers it is being updated).
    assert translation.publication.withdrawn_at is None
    assert Translation.objects.out_of_date().get() == translation


def test_confirming_the_english_still_accurate_leaves_translations_up_to_date():
    answer, translation = published_translation()
    answer.confirm_accurate(
        by=make_clinician(),
        password="pw",
        shown_hash=answer.publication.content_hash,
        sources_checked=True,
        wording_safe=True,
    )
    translation.refresh_from_db()
    assert not translation.is_out_of_date


def test_an_out_of_date_translation_is_updated_to_the_new_version_then_reviewed_again():
    answer, translation = published_translation()
    approve_new_english(answer)
    translation.refresh_from_db()
    translator = make_translator()
    with translation.editing(by=translator, comment="Test edit") as locked:
        locked.lead = f"{TEST_TEXT} revisado [1]."
        locked.save()
    with pytest.raises(WorkflowError, match="approved again"):
        translation.submit(by=translator)
    translation.update_source(by=translator)
    assert not translation.is_out_of_date
    assert translation.source_signoff == answer.signoffs.latest()
    assert translation.status == Translation.Status.DRAFT
    translation.submit(by=translator)
    approve_translation(translation)
    translation.refresh_from_db()
    assert translation.publication.source_hash == answer.publication.content_hash


def test_withdrawing_the_english_answer_withdraws_its_translations():
    answer, translation = published_translation()
    answer.withdraw(by=make_editor(), reason="Test: withdrawn.")
    translation.refresh_from_db()
    assert translation.publication.withdrawn_at is not None
    assert "The English answer was withdrawn" in translation.publication.withdrawn_reason
    assert translation.status == Translation.Status.DRAFT
    assert not Translation.objects.live().exists()


def test_an_editor_withdraws_a_translation_with_a_reason():
    _, translation = published_translation()
    editor = make_editor()
    with pytest.raises(WorkflowError, match="reason is required"):
        translation.withdraw(by=editor, reason=" ")
    with pytest.raises(WorkflowError, match="Only editors"):
        translation.withdraw(by=make_translator(), reason="Test")
    translation.withdraw(by=editor, reason="Test: taken down.")
    assert not translation.has_publication


def test_the_demo_has_a_spanish_reviewer_and_no_spanish_text(settings, monkeypatch):
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from answers.models import Contributor

    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "chosen-demo-pw")
    call_command("load_demo", stdout=StringIO())
    reviewer = Contributor.objects.get(user__username="revisora")
    assert reviewer.works_in("es") and reviewer.user.has_perm("answers.review_translation")
    # Nobody translated or reviewed Spanish text: none is published, and /es/ says so.
    assert not Translation.objects.exists()
    page = Client().get("/es/")
    assert "Todavía no hay respuestas traducidas" in page.content.decode()
    # Its topics have their Spanish names (specialties' names), but no page while nothing
    # in them is published in Spanish.
    from answers.models import TopicName

    assert set(TopicName.objects.values_list("name", flat=True)) == {"Oncología", "Cardiología"}
    assert 'id="no-topics"' in Client().get("/es/topics/").content.decode()
    assert Client().get("/es/topics/cardiology/").status_code == 404
    editor = Client()
    editor.force_login(reviewer.user.__class__.objects.get(username="editor"))
    dashboard = editor.get(reverse("admin:answers_translation_dashboard"))
    assert 'data-count="missing">1<' in dashboard.content.decode()


def test_an_address_another_published_translation_keeps_is_refused():
    _, first = published_translation()
    answer = publish_answer(question="Is the second test answer translated?")
    translator = make_translator()
    second = Translation.start(answer=answer, language="es", by=translator)
    fill_translation(second, by=translator)
    # The first moves to a new address; its published page keeps the old one.
    with first.editing(by=translator, comment="New address") as locked:
        old = locked.slug
        locked.slug = "otra-direccion"
        locked.save()
    with second.editing(by=translator, comment="Address") as locked:
        locked.slug = old
        locked.save()
    with pytest.raises(WorkflowError, match="choose another address"):
        second.submit(by=translator)


def _release_of(answer):
    """A release holding `answer`, and the editor who made it."""
    from answers.models import Release

    editor = make_editor()
    release = Release.objects.create(name="Test release", created_by=editor)
    release.add(answer, by=editor)
    return release, editor


def test_new_english_held_for_a_release_marks_translations_out_of_date_when_it_goes_live():
    """Out of date follows what readers see: a sign-off held for a release changes nothing
    public yet; the release going live marks the translations."""
    answer, translation = published_translation()
    release, editor = _release_of(answer)
    approve_new_english(answer)
    translation.refresh_from_db()
    assert not translation.is_out_of_date
    release.publish(by=editor)
    translation.refresh_from_db()
    assert translation.is_out_of_date


def test_a_release_taken_back_makes_its_translations_current_again():
    """The English version they were made from is what readers see again: the notice goes,
    and the audit log says why."""
    answer, translation = published_translation()
    release, editor = _release_of(answer)
    approve_new_english(answer)
    release.publish(by=editor)
    translation.refresh_from_db()
    assert translation.is_out_of_date

    release.take_back(by=editor, reason="Test: taken back.")

    translation.refresh_from_db()
    assert not translation.is_out_of_date
    assert "Current again: release “Test release” was taken back" in (
        translation.history.first().history_change_reason
    )


def test_a_translation_made_from_a_release_taken_back_is_out_of_date_again():
    """Updated to the release's English version, then the release is taken back: the
    translation is made from a version readers no longer see."""
    answer, translation = published_translation()
    release, editor = _release_of(answer)
    approve_new_english(answer)
    release.publish(by=editor)
    translation.refresh_from_db()
    translation.update_source(by=translation.writers.first())
    translation.refresh_from_db()
    assert not translation.is_out_of_date

    release.take_back(by=editor, reason="Test: taken back.")

    translation.refresh_from_db()
    assert translation.is_out_of_date


def test_a_release_taken_back_that_withdraws_the_english_takes_its_translations_down():
    """The release was the English answer's first publication and was translated since:
    taking it back withdraws the English page and, with it, the translation."""
    from answers.models import PublishedAnswer
    from tests.factories import in_review

    answer, _ = in_review(question="Test: first published by a release?")
    release, editor = _release_of(answer)
    approve(answer)
    release.publish(by=editor)
    answer.refresh_from_db()
    assert PublishedAnswer.objects.get(answer=answer).is_live()
    _, translation = published_translation(answer)

    release.take_back(by=editor, reason="Test: taken back.")

    translation.refresh_from_db()
    assert not translation.has_publication
    assert translation.status == Translation.Status.DRAFT


@pytest.mark.django_db(transaction=True)
def test_the_clinicians_who_read_the_language_are_told_and_the_translator_hears_back(
    groups, run_worker
):
    from notifications.models import Notification, NotificationKind

    answer = publish_answer()
    translator = make_translator()
    spanish, other_spanish = make_spanish_clinician(), make_spanish_clinician()
    english_only = make_clinician()
    translation = Translation.start(answer=answer, language="es", by=translator)
    fill_translation(translation, by=translator)
    translation.submit(by=translator)
    run_worker()
    waiting = Notification.objects.filter(
        kind=NotificationKind.SUBMITTED, link__contains="/translation/"
    )
    assert {n.recipient for n in waiting} == {spanish, other_spanish}
    assert english_only not in {n.recipient for n in waiting}
    assert all(n.link == translation.review_link() for n in waiting)
    assert "Spanish translation waiting for your review" in waiting.first().subject
    # The English answer's own review requests closing leaves the translation's open.
    answer._close_review_requests("Test: the English answer was approved")
    assert not waiting.filter(done_at__isnull=False).exists()

    approve_translation(translation, spanish)
    run_worker()
    assert all(n.done_at is not None for n in waiting.all())
    told = Notification.objects.get(kind=NotificationKind.APPROVED, recipient=translator)
    assert "Spanish translation approved and published" in told.subject
    assert told.link == translation.review_link()
