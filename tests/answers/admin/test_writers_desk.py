"""The writer's desk behind the change page (answers/admin/writers_desk.py): the house structure of a
new answer, the live preview of unsaved edits, the library search and the session check."""

import pytest
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from answers.models import HOUSE_STRUCTURE, Answer, Section, TopicSection
from tests.factories import (
    answer_url,
    change_form_data,
    draft,
    in_review,
    login,
    make_clinician,
    make_editor,
    make_reference,
    make_topic,
    make_writer,
)

pytestmark = pytest.mark.django_db

NEW_PREVIEW = reverse("admin:answers_answer_desk_preview_new")
REFERENCES = reverse("admin:answers_answer_desk_references")
SESSION = reverse("admin:answers_answer_desk_session")
FRAME = reverse("admin:answers_answer_desk_frame")
ADD = reverse("admin:answers_answer_add")


def new_answer_data(topic, **overrides):
    """What the add page sends, with the house structure's two sections."""
    data = {
        "question_text": "Does the test desk preview?",
        "slug": "",
        "topic": topic.pk,
        "lead": "Test short answer [1].",
        "certainty": "moderate",
        "certainty_reason": "Test: the reason for this certainty.",
        "change_note": "",
        "sections-TOTAL_FORMS": 2,
        "sections-INITIAL_FORMS": 0,
        "sections-MIN_NUM_FORMS": 0,
        "sections-MAX_NUM_FORMS": 1000,
        "sections-0-position": "",
        "sections-0-heading": "What the research says",
        "sections-0-kind": "prose",
        "sections-0-body": "Test finding typed but not saved [1].",
        "sections-1-position": "",
        "sections-1-heading": "What to ask your doctor",
        "sections-1-kind": "questions",
        "sections-1-body": "",
        "citations-TOTAL_FORMS": 1,
        "citations-INITIAL_FORMS": 0,
        "citations-MIN_NUM_FORMS": 0,
        "citations-MAX_NUM_FORMS": 1000,
        "citations-0-label": "",
        "citations-0-reference": "",
    }
    return data | overrides


# ---------------------------------------------------------------- house structure


def test_a_new_answer_starts_with_the_house_structure():
    response = login(make_writer()).get(ADD)
    forms = response.context["inline_admin_formsets"][0].formset.forms
    assert [(f.initial.get("heading"), f.initial.get("kind")) for f in forms] == list(
        HOUSE_STRUCTURE
    )
    html = response.content.decode()
    assert 'value="What the research says"' in html
    assert 'value="What to ask your doctor"' in html


def test_a_topic_can_set_its_own_structure():
    topic = make_topic()
    TopicSection.objects.create(topic=topic, position=2, heading="Test questions", kind="questions")
    TopicSection.objects.create(topic=topic, position=1, heading="Test overview", kind="prose")
    assert topic.section_structure() == [
        ("Test overview", "prose"),
        ("Test questions", "questions"),
    ]
    assert make_topic().section_structure() == list(HOUSE_STRUCTURE)
    response = login(make_writer()).get(ADD, {"topic": topic.pk})
    forms = response.context["inline_admin_formsets"][0].formset.forms
    assert [f.initial["heading"] for f in forms] == ["Test overview", "Test questions"]
    # A topic that is not a topic gives the house structure, not an error.
    response = login(make_writer()).get(ADD, {"topic": "nope"})
    assert len(response.context["inline_admin_formsets"][0].formset.forms) == 2


def test_the_add_page_asks_for_a_topics_structure():
    topic = make_topic()
    TopicSection.objects.create(topic=topic, heading="Test overview", kind="prose")
    url = reverse("admin:answers_answer_desk_structure")
    client = login(make_writer())
    assert client.get(url, {"topic": topic.pk}).json() == {
        "sections": [{"heading": "Test overview", "kind": "prose"}]
    }
    house = [{"heading": h, "kind": k} for h, k in HOUSE_STRUCTURE]
    assert client.get(url, {"topic": make_topic().pk}).json() == {"sections": house}
    assert client.get(url).json() == {"sections": house}
    assert login(make_clinician()).get(url).status_code == 403


def test_house_sections_left_empty_are_saved_for_the_writer_to_fill():
    topic = make_topic()
    writer = make_writer()
    reference = make_reference()
    data = new_answer_data(
        topic, **{"citations-0-label": "1", "citations-0-reference": reference.pk}
    )
    response = login(writer).post(ADD, data)
    assert response.status_code == 302
    answer = Answer.objects.get(question__text="Does the test desk preview?")
    assert [(s.heading, s.kind, s.body) for s in answer.ordered_sections()] == [
        ("What the research says", "prose", "Test finding typed but not saved [1]."),
        ("What to ask your doctor", "questions", ""),
    ]


def test_editors_edit_the_structure_on_the_topic_page():
    topic = make_topic()
    response = login(make_editor()).get(reverse("admin:answers_topic_change", args=[topic.pk]))
    assert response.status_code == 200
    assert "structure-TOTAL_FORMS" in response.content.decode()


# ---------------------------------------------------------------- live preview


def test_preview_of_a_new_answer_renders_unsaved_text_and_saves_nothing():
    topic = make_topic(name="Test topic")
    reference = make_reference(title="Test reference in the preview")
    data = new_answer_data(
        topic, **{"citations-0-label": "1", "citations-0-reference": reference.pk}
    )
    response = login(make_writer()).post(NEW_PREVIEW, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Test finding typed but not saved" in html
    assert 'href="#ref-1"' in html  # the citation is numbered, as on the public page
    assert "Test reference in the preview" in html
    assert "common patient questions about Test topic" in html
    # The checklist comes with it: the empty question list blocks submission.
    assert "Section 2 “What to ask your doctor” is empty" in html
    assert "Reading age of the whole answer" in html
    assert "Preview updated. Checklist: 1 item blocks submission." in html
    assert not Answer.objects.exists()
    assert not Section.objects.exists()


def test_preview_names_citations_without_a_reference():
    data = new_answer_data(make_topic())
    html = login(make_writer()).post(NEW_PREVIEW, data).content.decode()
    assert "Citation [1] has no reference: add it under References." in html


def test_preview_waits_for_a_topic():
    data = new_answer_data(make_topic()) | {"topic": ""}
    html = login(make_writer()).post(NEW_PREVIEW, data).content.decode()
    assert "Choose the question" in html
    assert "answer-title" not in html


def test_preview_of_a_saved_answer_shows_the_edits_without_saving_them():
    answer, writer = draft()
    versions = Version.objects.get_for_object(answer).count()
    updated_at = Answer.objects.get(pk=answer.pk).updated_at
    data = change_form_data(
        answer,
        lead="Test lead edited in the form only [1].",
        **{"sections-1-DELETE": "on", "sections-0-body": "Test edited body [1]."},
    )
    response = login(writer).post(answer_url("desk_preview", answer), data)
    html = response.content.decode()
    assert "Test lead edited in the form only" in html
    assert "Test edited body" in html
    assert "What to ask your doctor" not in html  # marked for deletion
    stored = Answer.objects.get(pk=answer.pk)
    assert stored.lead == answer.lead
    assert stored.updated_at == updated_at
    assert stored.sections.count() == 2
    assert Version.objects.get_for_object(answer).count() == versions


def test_preview_is_post_only_and_csrf_protected():
    answer, writer = draft()
    client = login(writer)
    assert client.get(answer_url("desk_preview", answer)).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(writer)
    response = strict.post(answer_url("desk_preview", answer), change_form_data(answer))
    assert response.status_code == 403


def test_preview_refused_to_clinicians_and_while_in_review():
    answer, writer = draft()
    clinician = make_clinician()
    data = change_form_data(answer)
    assert login(clinician).post(answer_url("desk_preview", answer), data).status_code == 403
    assert login(clinician).post(NEW_PREVIEW, new_answer_data(make_topic())).status_code == 403
    reviewed, writer = in_review()
    data = change_form_data(reviewed)
    assert login(writer).post(answer_url("desk_preview", reviewed), data).status_code == 403


def test_preview_of_an_expired_session_goes_to_login():
    answer, _ = draft()
    response = Client().post(answer_url("desk_preview", answer), change_form_data(answer))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_preview_frame_may_be_framed_by_this_site_only():
    response = login(make_writer()).get(FRAME)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert 'id="qa-desk-article"' in response.content.decode()
    assert login(make_clinician()).get(FRAME).status_code == 403


def test_the_change_page_carries_the_desk_only_while_editable():
    answer, writer = draft()
    html = login(writer).get(answer_url("change", answer)).content.decode()
    assert '<script id="qa-desk-config" type="application/json">' in html
    assert '<script type="module" src="/static/js/desk/main.js"></script>' in html
    assert f'"draftKey": "qa-desk:{answer.pk}:{writer.pk}"' in html
    assert html.count('id="qa-checklist-heading"') == 1
    reviewed, writer = in_review()
    html = login(writer).get(answer_url("change", reviewed)).content.decode()
    assert "qa-desk-config" not in html
    assert 'id="qa-checklist-heading"' in html  # the saved checklist, as before


# ---------------------------------------------------------------- library search


def search(client, term):
    response = client.get(REFERENCES, {"q": term})
    assert response.status_code == 200
    return [item["title"] for item in response.json()["results"]]


def test_library_search_by_title_author_doi_and_pmid():
    client = login(make_writer())
    make_reference(title="Test reference about hearts", doi="10.5555/desk.1", pmid="12345678")
    make_reference(
        title="Test reference about kidneys",
        authors=[{"family": "Deskwriter", "given": "Test"}],
    )
    assert search(client, "about hearts") == ["Test reference about hearts"]
    assert search(client, "deskwriter") == ["Test reference about kidneys"]
    assert search(client, "https://doi.org/10.5555/DESK.1") == ["Test reference about hearts"]
    assert search(client, "PMID: 12345678") == ["Test reference about hearts"]
    assert search(client, "") == []
    assert search(client, "about\x00") == []


def test_library_search_and_session_check_need_a_writer():
    clinician = login(make_clinician())
    assert clinician.get(REFERENCES, {"q": "x"}).status_code == 403
    assert clinician.get(SESSION).status_code == 403
    assert login(make_writer()).get(SESSION).status_code == 204
    expired = Client().get(SESSION)
    assert expired.status_code == 302
    assert expired["Location"].startswith(reverse("admin:login"))
