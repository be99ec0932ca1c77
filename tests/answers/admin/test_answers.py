"""The answer list and change page (answers/admin/answers.py), as each role sees them."""

import pytest
from django.contrib import admin
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from reversion.models import Version

from answers.admin.forms import IN_REVIEW_READ_ONLY, NOT_SAVED, SAVED_MEANWHILE, AnswerForm
from answers.admin.wording import PUBLIC_KEEPS_APPROVED
from answers.models import (
    Answer,
    PublishedAnswer,
    Question,
)
from tests.factories import (
    answer_url,
    change_form_data,
    draft,
    in_review,
    login,
    make_answer,
    make_clinician,
    make_editor,
    make_reference,
    make_topic,
    make_user,
    make_writer,
    messages_of,
    public_page,
    published,
    save_answer,
    status_of,
)

pytestmark = pytest.mark.django_db

Status = Answer.Status


# ---------------------------------------------------------------- the change page per role

BUTTONS = ["Submit for medical review", "Request changes", "Approve", "Withdraw"]


def shown_buttons(html):
    return [label for label in BUTTONS if f">{label}</" in html]


@pytest.mark.parametrize(
    ("state", "role", "expected"),
    [
        ("draft", make_writer, ["Submit for medical review"]),
        ("draft", make_editor, ["Submit for medical review"]),
        ("draft", make_clinician, []),
        ("in_review", make_writer, []),
        ("in_review", make_editor, []),
        ("in_review", make_clinician, ["Request changes", "Approve"]),
        ("published", make_writer, []),
        ("published", make_clinician, []),
        ("published", make_editor, ["Withdraw"]),
    ],
)
def test_change_page_shows_the_buttons_each_role_may_use(state, role, expected):
    answer = {"draft": draft, "in_review": in_review, "published": published}[state]()[0]
    response = login(role()).get(answer_url("change", answer))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'Status: <span class="qa-status qa-status-{state}">' in html
    assert shown_buttons(html) == expected


def test_change_page_shows_the_checklist():
    answer, writer = draft(
        lead="It depends [1].", references={"1": make_reference(complete=False, title="Half")}
    )
    html = login(writer).get(answer_url("change", answer)).content.decode()
    assert "Checklist" in html
    assert "Blocks submission:" in html
    assert "Reference [1], “Half” (no author or year), is incomplete" in html
    assert "Evidence level of each reference" in html
    assert "Reading age of the whole answer" in html


def test_change_page_shows_the_public_version_and_whether_the_draft_differs():
    answer, writer, _ = published()
    client = login(writer)
    html = client.get(answer_url("change", answer)).content.decode()
    assert "Public version: live" in html
    assert reverse("question", args=[answer.question.slug]) in html
    assert "The public page shows this content." in html
    save_answer(client, answer, lead="A new lead [1].")
    html = client.get(answer_url("change", answer)).content.decode()
    assert "This draft differs from the public version." in html


def test_change_page_without_publication_says_so():
    answer, writer = draft()
    html = login(writer).get(answer_url("change", answer)).content.decode()
    assert "Public version: none yet." in html


# ---------------------------------------------------------------- the answer form


def test_forged_status_in_the_change_form_changes_nothing():
    answer, writer = draft()
    response = save_answer(login(writer), answer, status="published", lead="Forged [1].")
    assert response.status_code == 200
    answer.refresh_from_db()
    assert answer.status == Status.DRAFT
    assert answer.lead == "Forged [1]."  # the rest of the form was saved
    assert not PublishedAnswer.objects.exists()


def test_forged_status_cannot_take_a_draft_out_of_review():
    answer, writer = in_review()
    save_answer(login(writer), answer, status="draft")
    assert status_of(answer) == Status.IN_REVIEW


@pytest.mark.parametrize("role", [make_writer, make_editor, make_clinician])
def test_in_review_answer_is_read_only_for_everyone(role):
    answer, _ = in_review(lead="Reviewed text [1].")
    client = login(role())
    page = client.get(answer_url("change", answer))
    html = page.content.decode()
    assert page.status_code == 200
    assert IN_REVIEW_READ_ONLY in html
    assert 'name="lead"' not in html
    assert 'name="sections-0-body"' not in html
    assert 'name="_save"' not in html
    response = save_answer(client, answer, lead="Changed while in review [1].")
    assert Answer.objects.get(pk=answer.pk).lead == "Reviewed text [1]."
    assert any(IN_REVIEW_READ_ONLY in message for message in messages_of(response))


def test_in_review_answer_is_read_only_for_a_superuser_too():
    answer, _ = in_review(lead="Reviewed text [1].")
    client = login(make_user(superuser=True))
    assert 'name="lead"' not in client.get(answer_url("change", answer)).content.decode()
    save_answer(client, answer, lead="Changed [1].")
    assert Answer.objects.get(pk=answer.pk).lead == "Reviewed text [1]."


def test_editing_a_published_answer_makes_a_draft_and_the_public_keeps_the_approved_text():
    answer, writer, _ = published(lead="The approved text [1].")
    response = save_answer(login(writer), answer, lead="A revised text [1].")
    assert PUBLIC_KEEPS_APPROVED in messages_of(response)
    answer.refresh_from_db()
    assert answer.status == Status.DRAFT
    assert answer.lead == "A revised text [1]."
    public = public_page(answer).content.decode()
    assert "The approved text" in public
    assert "A revised text" not in public
    # The audit log records the edit and the change of state, with who did it.
    rows = list(Answer.history.filter(id=answer.pk).order_by("history_date", "history_id"))
    assert rows[-1].history_change_reason == "Edited after publication: new draft"
    assert rows[-1].history_user == writer
    assert rows[-2].history_change_reason == "Changed short answer"


def test_saving_a_published_answer_unchanged_keeps_it_published():
    answer, writer, _ = published()
    response = save_answer(login(writer), answer)
    assert status_of(answer) == Status.PUBLISHED
    assert PUBLIC_KEEPS_APPROVED not in messages_of(response)


def test_a_browser_save_without_changes_keeps_a_published_answer_published():
    """Browsers send textarea lines ending in CRLF; the stored text keeps LF."""
    answer, writer, _ = published(
        lead="First paragraph [1].\n\nSecond paragraph.",
        sections=[("Questions", "questions", "- One?\n- Two?"), ("Text", "prose", "A [1].")],
    )
    data = change_form_data(answer, lead="First paragraph [1].\r\n\r\nSecond paragraph.")
    data["sections-0-body"] = "- One?\r\n- Two?"
    save_answer(login(writer), answer, **data)
    answer.refresh_from_db()
    assert answer.status == Status.PUBLISHED
    assert answer.lead == "First paragraph [1].\n\nSecond paragraph."
    assert answer.ordered_sections()[0].body == "- One?\n- Two?"


def test_each_save_is_one_revision_with_user_and_default_comment():
    answer, writer = draft()
    client = login(writer)
    before = Version.objects.get_for_object(answer).count()
    section = answer.ordered_sections()[0]
    data = change_form_data(answer, lead="Now with more words [1].")
    data["sections-0-body"] = section.body + " More."
    client.post(answer_url("change", answer), data)
    versions = Version.objects.get_for_object(answer)
    assert versions.count() == before + 1
    revision = versions.first().revision
    assert revision.user == writer
    assert revision.comment == f"Changed short answer, section “{section.heading}”"
    # One revision holds the answer with its question, sections and citations.
    models = {version.content_type.model for version in revision.version_set.all()}
    assert models == {"answer", "question", "section", "citation"}


def test_the_writers_note_becomes_the_revision_comment():
    answer, writer = draft()
    save_answer(login(writer), answer, lead="Shorter [1].", change_note="Clinician asked for less.")
    revision = Version.objects.get_for_object(answer).first().revision
    assert revision.comment == "Clinician asked for less."
    assert Answer.history.filter(id=answer.pk).first().history_change_reason == (
        "Clinician asked for less."
    )


def test_adding_and_removing_sections_and_references_is_described():
    answer, writer = draft()
    reference = make_reference()
    data = change_form_data(answer)
    data |= {
        "sections-TOTAL_FORMS": 3,
        "sections-2-heading": "Side effects",
        "sections-2-kind": "prose",
        "sections-2-body": "Some people feel sick [7].",
        "sections-2-position": "",
        "sections-1-DELETE": "on",
        "citations-TOTAL_FORMS": 2,
        "citations-1-label": "7",
        "citations-1-reference": reference.pk,
    }
    response = login(writer).post(answer_url("change", answer), data, follow=True)
    assert response.status_code == 200
    sections = answer.ordered_sections()
    assert [s.heading for s in sections] == ["What the research says", "Side effects"]
    assert sections[-1].position == 2  # after the sections kept
    comment = Version.objects.get_for_object(answer).first().revision.comment
    assert comment == (
        "Added section “Side effects”, reference [7]; removed section “What to ask your doctor”"
    )


def test_citation_labels_must_be_numbers():
    answer, writer = draft()
    response = save_answer(login(writer), answer, **{"citations-0-label": "9a"})
    assert "Use the number the text cites, e.g. 9 for [9]." in response.content.decode()


def test_writer_adds_an_answer_with_its_question():
    writer = make_writer()
    topic = make_topic(name="Cardiology")
    client = login(writer)
    add = client.get(reverse("admin:answers_answer_add"))
    assert add.status_code == 200
    assert add.context["adminform"].form.initial["writers"] == [writer.pk]
    reference = make_reference()
    data = {
        "question_text": "Is walking good for the heart?",
        "slug": "",
        "topic": topic.pk,
        "lead": "Yes, for most people [1].",
        "writers": [writer.pk],
        "change_note": "",
        "sections-TOTAL_FORMS": 1,
        "sections-INITIAL_FORMS": 0,
        "sections-0-heading": "What the research says",
        "sections-0-kind": "prose",
        "sections-0-body": "A trial found it [1].",
        "sections-0-position": "",
        "citations-TOTAL_FORMS": 1,
        "citations-INITIAL_FORMS": 0,
        "citations-0-label": "1",
        "citations-0-reference": reference.pk,
    }
    response = client.post(reverse("admin:answers_answer_add"), data, follow=True)
    assert response.status_code == 200
    answer = Answer.objects.get(question__text="Is walking good for the heart?")
    assert answer.question.slug == "is-walking-good-for-the-heart"
    assert answer.question.topic == topic
    assert answer.status == Status.DRAFT
    assert list(answer.writers.all()) == [writer]
    assert answer.sections.get().position == 1
    revision = Version.objects.get_for_object(answer).get().revision
    assert revision.user == writer
    assert revision.comment == "Created the answer"


def test_address_already_taken_is_refused_with_the_question_named():
    make_answer(question="Is coffee safe?", slug="coffee")
    answer, writer = draft(question="Is tea safe?")
    response = save_answer(login(writer), answer, slug="coffee")
    assert "The question “Is coffee safe?” already uses this address" in (response.content.decode())
    assert Question.objects.get(pk=answer.question_id).slug != "coffee"


def test_question_wording_and_topic_are_edited_on_the_answer_page():
    answer, writer = draft(question="Old wording?")
    topic = make_topic(name="Neurology")
    save_answer(login(writer), answer, question_text="New wording?", topic=topic.pk)
    question = Question.objects.get(pk=answer.question_id)
    assert question.text == "New wording?"
    assert question.topic == topic


def test_published_address_stays_the_same():
    answer, writer, _ = published()
    old_slug = answer.question.slug
    save_answer(login(writer), answer, slug="a-new-address")
    assert Question.objects.get(pk=answer.question_id).slug == old_slug


def test_writer_autocomplete_offers_writers_and_editors_only():
    writer = make_writer(display_name="Wanda Writer")
    make_editor(display_name="Walter Editor")
    make_clinician(display_name="Wilma Clinician")
    url = reverse("admin:answers_answer_writer_autocomplete")
    data = login(writer).get(url, {"term": "W"}).json()
    names = [result["text"] for result in data["results"]]
    assert any("Wanda Writer" in name for name in names)
    assert any("Walter Editor" in name for name in names)
    assert not any("Wilma" in name for name in names)
    assert login(make_clinician()).get(url).status_code == 403


# ---------------------------------------------------------------- the list


def test_list_filters_waiting_for_my_review_and_overdue():
    clinician = make_clinician()
    mine, _ = in_review(question="For me to review?")
    own = make_answer(question="Written by me?", writers=[clinician])
    own.submit(by=make_editor())
    draft(question="Still a draft?")
    client = login(clinician)
    url = reverse("admin:answers_answer_changelist")
    listed = client.get(url, {"review": "mine"}).context["cl"].result_list
    assert [a.question.text for a in listed] == ["For me to review?"]

    overdue, _, _ = published(question="Overdue?")
    PublishedAnswer.objects.filter(answer=overdue).update(next_review_due="2000-01-01")
    Answer.objects.filter(pk=overdue.pk).update(next_review_due="2000-01-01")
    listed = client.get(url, {"review": "overdue"}).context["cl"].result_list
    assert [a.question.text for a in listed] == ["Overdue?"]


def test_list_searches_questions_and_links_clinicians_to_the_review_page():
    answer, _ = in_review(question="Does aspirin help?")
    draft(question="Is salt bad?")
    url = reverse("admin:answers_answer_changelist")
    response = login(make_clinician()).get(url, {"q": "aspirin"})
    assert [a.pk for a in response.context["cl"].result_list] == [answer.pk]
    assert answer_url("review", answer) in response.content.decode()
    writer_list = login(make_writer()).get(url).content.decode()
    assert answer_url("review", answer) not in writer_list


def test_list_links_to_the_article_import_when_it_exists():
    html = login(make_writer()).get(reverse("admin:answers_answer_changelist")).content.decode()
    try:
        import_url = reverse("import_articles")
    except NoReverseMatch:
        import_url = None
    if import_url:
        assert import_url in html


def test_list_runs_a_bounded_number_of_queries(django_assert_max_num_queries):
    writer = make_writer()
    for n in range(15):
        draft(question=f"Question {n}?", writer=writer)
    client = login(writer)
    url = reverse("admin:answers_answer_changelist")
    client.get(url)
    with django_assert_max_num_queries(15):
        client.get(url)


# ---------------------------------------------------------------- reversion's own views


@pytest.mark.parametrize(
    ("name", "args"), [("recoverlist", []), ("recover", [1]), ("revision", [1, 1])]
)
def test_reversions_revert_and_recover_views_are_gone(name, args):
    """They would change an answer without the workflow: the history restores instead."""
    with pytest.raises(NoReverseMatch):
        reverse(f"admin:answers_answer_{name}", args=args)


def test_two_people_saving_at_once_the_second_is_told_and_nothing_is_lost(client):
    """Both open the page; the first saves; the second's save is refused with a message,
    and the first person's text stays."""
    writer = make_writer()
    answer = make_answer(writers=[writer])
    opened = AnswerForm(instance=answer).initial["loaded_version"]
    client.force_login(writer)
    url = answer_url("change", answer)
    first = change_form_data(answer, lead="The first writer's text [1].", loaded_version=opened)
    assert client.post(url, first).status_code == 302
    second = change_form_data(answer, lead="The second writer's text [1].", loaded_version=opened)
    response = client.post(url, second)
    assert response.status_code == 200
    assert "Someone else saved this answer after you opened it" in response.content.decode()
    answer.refresh_from_db()
    assert answer.lead == "The first writer's text [1]."


# ---------------------------------------------------------------- the conflict check cannot be skipped


@pytest.mark.parametrize("loaded_version", [None, "", "not a time"])
def test_a_save_without_the_version_it_was_opened_at_is_refused(client, loaded_version):
    writer = make_writer()
    answer = make_answer(writers=[writer], lead="The stored text [1].")
    data = change_form_data(answer, lead="A hand-built overwrite [1].")
    if loaded_version is None:
        del data["loaded_version"]
    else:
        data["loaded_version"] = loaded_version
    client.force_login(writer)
    response = client.post(answer_url("change", answer), data)
    assert response.status_code == 200
    assert SAVED_MEANWHILE in response.content.decode()
    assert Answer.objects.get(pk=answer.pk).lead == "The stored text [1]."


def test_a_submission_landing_while_the_form_is_checked_is_kept():
    """The race on PostgreSQL: the form was built from the draft, then the submission
    committed before the save took the row lock. The save is refused, the submission stays."""
    writer = make_writer()
    answer = make_answer(writers=[writer])
    stale = Answer.objects.get(pk=answer.pk)
    data = change_form_data(answer, lead="Overwrite after the submission [1].")
    answer.submit(by=writer)
    form = AnswerForm(data, instance=stale)
    assert not form.is_valid()
    assert IN_REVIEW_READ_ONLY + NOT_SAVED in form.non_field_errors()
    assert status_of(answer) == Status.IN_REVIEW


def test_a_submission_landing_before_the_save_reads_the_answer_is_a_message_not_a_403():
    """The race on SQLite: the save reads the answer after the submission committed, past
    the change page's own check. Django refuses it; the writer gets the same words."""
    writer = make_writer()
    answer = make_answer(writers=[writer])
    data = change_form_data(answer, lead="Overwrite after the submission [1].")
    answer.submit(by=writer)
    request = RequestFactory().post(answer_url("change", answer), data)
    request.user = writer
    request._dont_enforce_csrf_checks = True
    request._messages = CookieStorage(request)
    response = admin.site._registry[Answer].changeform_view(request, str(answer.pk))
    assert response.status_code == 302
    assert [str(m) for m in request._messages] == [IN_REVIEW_READ_ONLY + NOT_SAVED]
    assert status_of(answer) == Status.IN_REVIEW


# ---------------------------------------------------------------- bad input: a 4xx, never a 500


@pytest.mark.parametrize("writers", ["abc", "99999999999999999999", "-1"])
def test_a_bad_writer_id_on_the_add_form_is_a_form_error(client, writers):
    client.force_login(make_writer())
    topic = make_topic()
    data = change_form_data(make_answer(), question_text="A new test question?", slug="")
    data.update({"topic": topic.pk, "writers": [writers], "sections-TOTAL_FORMS": 0})
    data.update({"sections-INITIAL_FORMS": 0, "citations-TOTAL_FORMS": 0})
    data.update({"citations-INITIAL_FORMS": 0})
    response = client.post(reverse("admin:answers_answer_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["writers"]
    assert not Question.objects.filter(text="A new test question?").exists()


@pytest.mark.parametrize(
    "url, params",
    [
        ("admin:answers_answer_writer_autocomplete", {"term": "\x00"}),
        (
            "admin:autocomplete",
            {
                "term": "\x00",
                "app_label": "citations",
                "model_name": "citation",
                "field_name": "reference",
            },
        ),
        ("admin:answers_answer_changelist", {"q": "\x00"}),
        ("admin:citations_reference_changelist", {"q": "\x00"}),
        ("admin:answers_topic_changelist", {"q": "\x00"}),
    ],
)
def test_a_nul_in_an_admin_search_finds_nothing_and_is_no_500(client, url, params):
    make_answer()
    make_reference()
    client.force_login(make_user(superuser=True))
    response = client.get(reverse(url), params)
    assert response.status_code in (200, 400)
    if response.status_code == 200 and response["Content-Type"] == "application/json":
        assert response.json()["results"] == []
