"""The editorial admin, driven as each role drives it: every workflow button posted by
every role, the answer form, the review page, the list filters, the audit log and the
other desks."""

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from reversion.models import Version

from answers.admin import IN_REVIEW_READ_ONLY, PUBLIC_KEEPS_APPROVED, SUBMITTED
from answers.models import (
    NOT_YOUR_SIGN_OFF,
    Answer,
    PublishedAnswer,
    Question,
    ReaderFeedback,
    SignOff,
    Topic,
)
from tests.factories import (
    make_answer,
    make_clinician,
    make_editor,
    make_reference,
    make_topic,
    make_user,
    make_writer,
)

pytestmark = pytest.mark.django_db

Status = Answer.Status

# ---------------------------------------------------------------- helpers (also used by
# test_history.py)


def login(user):
    client = Client()
    client.force_login(user)
    return client


def answer_url(name, answer, *args):
    return reverse(f"admin:answers_answer_{name}", args=[answer.pk, *args])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def status_of(answer):
    return Answer.objects.get(pk=answer.pk).status


def draft(*, writer=None, **kwargs):
    writer = writer or make_writer()
    return make_answer(writers=[writer], **kwargs), writer


def in_review(*, writer=None, **kwargs):
    answer, writer = draft(writer=writer, **kwargs)
    answer.submit(by=writer)
    return answer, writer


def published(*, writer=None, clinician=None, **kwargs):
    answer, writer = in_review(writer=writer, **kwargs)
    clinician = clinician or make_clinician()
    answer.approve(by=clinician, sources_checked=True, wording_safe=True)
    return answer, writer, clinician


def change_form_data(answer, **overrides):
    """The POST the answer's change page sends when saved as it stands."""
    question = answer.question
    data = {
        "question_text": question.text,
        "slug": question.slug,
        "topic": question.topic_id,
        "lead": answer.lead,
        "writers": [user.pk for user in answer.writers.all()],
        "change_note": "",
    }
    sections = answer.ordered_sections()
    data |= {
        "sections-TOTAL_FORMS": len(sections),
        "sections-INITIAL_FORMS": len(sections),
        "sections-MIN_NUM_FORMS": 0,
        "sections-MAX_NUM_FORMS": 1000,
    }
    for i, section in enumerate(sections):
        data |= {
            f"sections-{i}-id": section.pk,
            f"sections-{i}-answer": answer.pk,
            f"sections-{i}-position": section.position,
            f"sections-{i}-heading": section.heading,
            f"sections-{i}-kind": section.kind,
            f"sections-{i}-body": section.body,
        }
    citations = list(answer.citations.order_by("pk"))
    data |= {
        "citations-TOTAL_FORMS": len(citations),
        "citations-INITIAL_FORMS": len(citations),
        "citations-MIN_NUM_FORMS": 0,
        "citations-MAX_NUM_FORMS": 1000,
    }
    for i, citation in enumerate(citations):
        data |= {
            f"citations-{i}-id": citation.pk,
            f"citations-{i}-answer": answer.pk,
            f"citations-{i}-label": citation.label,
            f"citations-{i}-reference": citation.reference_id,
        }
    data.update(overrides)
    return data


def save_answer(client, answer, **overrides):
    return client.post(
        answer_url("change", answer), change_form_data(answer, **overrides), follow=True
    )


def public_page(answer):
    slug = Answer.objects.get(pk=answer.pk).question.slug
    return Client().get(reverse("question", args=[slug]))


# ---------------------------------------------------------------- Submit for medical review


def test_writer_submits_with_the_button():
    answer, writer = draft()
    response = login(writer).post(answer_url("submit", answer), follow=True)
    assert status_of(answer) == Status.IN_REVIEW
    assert SUBMITTED in messages_of(response)


def test_editor_submits_with_the_button():
    answer, _ = draft()
    response = login(make_editor()).post(answer_url("submit", answer), follow=True)
    assert status_of(answer) == Status.IN_REVIEW
    assert SUBMITTED in messages_of(response)


def test_superuser_submits_with_the_button():
    answer, _ = draft()
    login(make_user(superuser=True)).post(answer_url("submit", answer))
    assert status_of(answer) == Status.IN_REVIEW


def test_clinician_cannot_submit_and_is_told_why():
    answer, _ = draft()
    response = login(make_clinician()).post(answer_url("submit", answer), follow=True)
    assert status_of(answer) == Status.DRAFT
    [message] = messages_of(response)
    assert "not sent for medical review" in message
    assert "permission to submit" in message


def test_submission_refused_lists_every_problem():
    answer, writer = draft(
        lead="It depends [1].",
        sections=[("What the research says", "prose", "A trial [2]."), ("Empty", "prose", "")],
        references={"1": make_reference(complete=False, title="Known only by title")},
    )
    response = login(writer).post(answer_url("submit", answer), follow=True)
    assert status_of(answer) == Status.DRAFT
    [message] = messages_of(response)
    assert "Citation [2] has no reference" in message
    assert "Reference [1] is incomplete" in message
    assert "“Empty” is empty" in message
    assert message.count("<li>") == 3


def test_submit_is_post_only():
    answer, writer = draft()
    response = login(writer).get(answer_url("submit", answer))
    assert response.status_code == 405
    assert status_of(answer) == Status.DRAFT


def test_submit_in_review_twice_is_refused():
    answer, writer = in_review()
    response = login(writer).post(answer_url("submit", answer), follow=True)
    assert status_of(answer) == Status.IN_REVIEW
    assert "Only a draft can be submitted" in messages_of(response)[0]


# ---------------------------------------------------------------- Request changes


def test_clinician_requests_changes_with_a_comment():
    answer, writer = in_review()
    clinician = make_clinician()
    page = login(clinician).get(answer_url("request_changes", answer))
    assert page.status_code == 200
    assert '<button type="submit" class="button default">Request changes</button>' in (
        page.content.decode()
    )
    response = login(clinician).post(
        answer_url("request_changes", answer),
        {"comment": "Say who the trial included."},
        follow=True,
    )
    answer.refresh_from_db()
    assert answer.status == Status.DRAFT
    assert answer.review_comment == "Say who the trial included."
    assert "Sent back to the writers" in messages_of(response)[0]
    # The writer sees the comment on the answer's page.
    writer_page = login(writer).get(answer_url("change", answer))
    assert "The clinician asked for these changes" in writer_page.content.decode()
    assert "Say who the trial included." in writer_page.content.decode()


def test_request_changes_needs_a_comment():
    answer, _ = in_review()
    response = login(make_clinician()).post(answer_url("request_changes", answer), {"comment": " "})
    assert response.status_code == 200
    assert "Say what needs to change: the comment is required." in response.content.decode()
    assert status_of(answer) == Status.IN_REVIEW


@pytest.mark.parametrize("role", [make_writer, make_editor])
def test_only_clinicians_request_changes(role):
    answer, _ = in_review()
    user = role()
    client = login(user)
    page = client.get(answer_url("request_changes", answer))
    assert "Only medical reviewers approve answers or request changes." in page.content.decode()
    response = client.post(answer_url("request_changes", answer), {"comment": "No."}, follow=True)
    assert status_of(answer) == Status.IN_REVIEW
    assert "Only medical reviewers approve answers or request changes." in messages_of(response)[0]


def test_request_changes_on_a_draft_is_refused():
    answer, _ = draft()
    response = login(make_clinician()).post(
        answer_url("request_changes", answer), {"comment": "No."}, follow=True
    )
    assert status_of(answer) == Status.DRAFT
    assert "This answer is not waiting for medical review: it is draft." in messages_of(response)[0]


# ---------------------------------------------------------------- Approve

APPROVE = {"sources_checked": "on", "wording_safe": "on", "comment": "Clear and accurate."}


def test_clinician_approves_and_the_public_page_shows_it():
    answer, _ = in_review(lead="Most of the time it passes [1].")
    clinician = make_clinician(display_name="Dr Rev")
    page = login(clinician).get(answer_url("approve", answer))
    html = page.content.decode()
    assert "I checked every source against the text" in html
    assert "The wording is safe for patients" in html
    response = login(clinician).post(answer_url("approve", answer), APPROVE, follow=True)
    assert status_of(answer) == Status.PUBLISHED
    assert messages_of(response)[0].startswith("Approved and published.")
    signoff = SignOff.objects.get(answer=answer)
    assert signoff.reviewer == clinician
    assert signoff.comment == "Clear and accurate."
    public = public_page(answer)
    assert public.status_code == 200
    assert "Most of the time it passes" in public.content.decode()


@pytest.mark.parametrize("missing", ["sources_checked", "wording_safe"])
def test_approve_needs_both_checks(missing):
    answer, _ = in_review()
    data = {key: value for key, value in APPROVE.items() if key != missing}
    response = login(make_clinician()).post(answer_url("approve", answer), data)
    assert response.status_code == 200
    assert "Confirm that" in response.content.decode()
    assert status_of(answer) == Status.IN_REVIEW
    assert not PublishedAnswer.objects.exists()


@pytest.mark.parametrize("role", [make_writer, make_editor])
def test_only_clinicians_approve(role):
    answer, _ = in_review()
    response = login(role()).post(answer_url("approve", answer), APPROVE, follow=True)
    assert status_of(answer) == Status.IN_REVIEW
    assert "Only medical reviewers approve answers or request changes." in messages_of(response)[0]


def test_clinician_who_wrote_it_cannot_approve_and_the_page_says_why():
    clinician = make_clinician()
    answer = make_answer(writers=[clinician])
    answer.submit(by=make_editor())
    client = login(clinician)
    review = client.get(answer_url("review", answer)).content.decode()
    assert NOT_YOUR_SIGN_OFF in review
    assert 'action="{}"'.format(answer_url("approve", answer)) not in review
    change = client.get(answer_url("change", answer)).content.decode()
    assert NOT_YOUR_SIGN_OFF in change
    response = client.post(answer_url("approve", answer), APPROVE, follow=True)
    assert status_of(answer) == Status.IN_REVIEW
    assert NOT_YOUR_SIGN_OFF in messages_of(response)[0]


def test_superuser_who_edited_it_cannot_approve_and_the_page_says_why():
    answer, writer = draft()
    superuser = make_user(superuser=True)
    save_answer(login(superuser), answer, lead="Yes, mostly [1].")
    answer.submit(by=writer)
    client = login(superuser)
    assert NOT_YOUR_SIGN_OFF in client.get(answer_url("review", answer)).content.decode()
    response = client.post(answer_url("approve", answer), APPROVE, follow=True)
    assert status_of(answer) == Status.IN_REVIEW
    assert NOT_YOUR_SIGN_OFF in messages_of(response)[0]


def test_another_clinician_may_approve_what_a_colleague_wrote():
    author = make_clinician()
    answer = make_answer(writers=[author])
    answer.submit(by=make_editor())
    login(make_clinician()).post(answer_url("approve", answer), APPROVE)
    assert status_of(answer) == Status.PUBLISHED


# ---------------------------------------------------------------- Withdraw


def test_editor_withdraws_and_the_public_page_is_gone():
    answer, _, _ = published()
    editor = make_editor()
    assert "Withdraw" in login(editor).get(answer_url("change", answer)).content.decode()
    response = login(editor).post(
        answer_url("withdraw", answer), {"reason": "Guideline changed."}, follow=True
    )
    assert messages_of(response)[0].startswith("Withdrawn.")
    publication = PublishedAnswer.objects.get(answer=answer)
    assert publication.withdrawn_reason == "Guideline changed."
    assert publication.withdrawn_by == editor
    assert status_of(answer) == Status.DRAFT
    assert public_page(answer).status_code == 410


def test_withdraw_needs_a_reason():
    answer, _, _ = published()
    response = login(make_editor()).post(answer_url("withdraw", answer), {"reason": ""})
    assert "Say why it is withdrawn: the reason is required." in response.content.decode()
    assert PublishedAnswer.objects.get(answer=answer).withdrawn_at is None


@pytest.mark.parametrize("role", [make_writer, make_clinician])
def test_only_editors_withdraw(role):
    answer, _, _ = published()
    client = login(role())
    assert (
        "Only editors withdraw answers."
        in client.get(answer_url("withdraw", answer)).content.decode()
    )
    response = client.post(answer_url("withdraw", answer), {"reason": "No."}, follow=True)
    assert "Only editors withdraw answers." in messages_of(response)[0]
    assert PublishedAnswer.objects.get(answer=answer).withdrawn_at is None
    assert public_page(answer).status_code == 200


def test_withdrawing_an_unpublished_answer_is_refused():
    answer, _ = draft()
    response = login(make_editor()).post(
        answer_url("withdraw", answer), {"reason": "No."}, follow=True
    )
    assert (
        "Only a published answer can be withdrawn: this one is not on the public site."
        in (messages_of(response)[0])
    )


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
    assert "Reference [1] is incomplete" in html
    assert "Evidence level of each reference" in html
    assert "Reading grade of the short answer" in html


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


# ---------------------------------------------------------------- the review page


def test_review_page_shows_the_public_preview_checklist_and_forms():
    answer, _ = in_review(lead="The preview lead [1].")
    clinician = make_clinician(display_name="Dr Preview")
    client = login(clinician)
    html = client.get(answer_url("review", answer)).content.decode()
    assert f'src="{answer_url("preview", answer)}"' in html
    assert "Checklist" in html
    assert "First publication: nothing to compare." in html
    assert 'action="{}"'.format(answer_url("request_changes", answer)) in html
    assert 'action="{}"'.format(answer_url("approve", answer)) in html
    assert ">Request changes</button>" in html
    assert ">Approve</button>" in html

    preview = client.get(answer_url("preview", answer))
    assert preview.status_code == 200
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    body = preview.content.decode()
    assert "css/site.css" in body
    assert "The preview lead" in body
    assert 'href="#ref-1"' in body  # citations numbered as on the public page
    assert "Medically reviewed by" in body
    assert "Dr Preview, MD" in body
    assert answer.question.topic.disclaimer in body


def test_writers_preview_without_a_reviewer_in_the_byline():
    answer, writer = draft()
    body = login(writer).get(answer_url("preview", answer)).content.decode()
    assert "Not yet medically reviewed" in body


def test_review_page_for_a_writer_has_no_decision_forms():
    answer, writer = in_review()
    html = login(writer).get(answer_url("review", answer)).content.decode()
    assert "Only medical reviewers approve answers or request changes." in html
    assert ">Approve</button>" not in html


def test_review_page_diff_against_the_published_version():
    first, second, third, fourth = (make_reference() for _ in range(4))
    answer, writer, _ = published(
        lead="The old lead [1].",
        sections=[
            ("Alpha", "prose", "Alpha says one thing [1]."),
            ("Beta", "prose", "Beta stays [2]."),
            ("Gamma", "prose", "Gamma will go."),
            ("Delta", "prose", "Delta moves."),
        ],
        references={"1": first, "2": second},
    )
    sections = answer.ordered_sections()
    data = change_form_data(answer, lead="The new lead [1].")
    data |= {
        "sections-0-body": "Alpha says another thing [1].",
        "sections-2-DELETE": "on",
        "sections-3-position": 0,  # Delta moves to the top
        "sections-TOTAL_FORMS": 5,
        "sections-4-heading": "Epsilon",
        "sections-4-kind": "prose",
        "sections-4-body": "Epsilon is new [3].",
        "sections-4-position": 9,
        "citations-TOTAL_FORMS": 3,
        "citations-1-reference": third.pk,  # [2] now cites another work
        "citations-2-label": "3",
        "citations-2-reference": fourth.pk,
    }
    client = login(writer)
    saved = client.post(answer_url("change", answer), data)
    assert saved.status_code == 302
    assert [s.heading for s in answer.ordered_sections()] == ["Delta", "Alpha", "Beta", "Epsilon"]
    client.post(answer_url("submit", answer))
    assert status_of(answer) == Status.IN_REVIEW

    response = login(make_clinician()).get(answer_url("review", answer))
    diff = response.context["diff"]
    assert [d.segments for d in [diff.lead]] == [
        [("equal", "The "), ("delete", "old"), ("insert", "new"), ("equal", " lead [1].")]
    ]
    changes = {(c.change, c.heading) for c in diff.sections}
    assert changes == {
        ("changed", "Alpha"),
        ("moved", "Delta"),
        ("removed", "Gamma"),
        ("added", "Epsilon"),
    }
    citations = {(c.change, c.label) for c in diff.citations}
    assert citations == {("changed", "2"), ("added", "3")}
    html = response.content.decode()
    assert "<del>old</del><ins>new</ins>" in html
    assert "(was section 4, now section 1)" in html
    assert sections[1].heading == "Beta"


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


# ---------------------------------------------------------------- audit log

AUDIT_URL = "admin:answers_historicalanswer_changelist"


@pytest.mark.parametrize("role", [make_writer, make_clinician, make_editor])
def test_audit_log_lists_each_transition_with_user_and_reason(role):
    answer, writer = in_review(question="Audited?")
    clinician = make_clinician(display_name="Dr Audit")
    login(clinician).post(
        answer_url("request_changes", answer), {"comment": "Cite the trial size."}
    )
    login(writer).post(answer_url("submit", answer))
    login(clinician).post(answer_url("approve", answer), APPROVE)
    editor = make_editor(display_name="Ed Itor")
    login(editor).post(answer_url("withdraw", answer), {"reason": "Outdated."})

    response = login(role()).get(reverse(AUDIT_URL), {"q": "Audited"})
    assert response.status_code == 200
    html = response.content.decode()
    rows = [
        (row.history_user, row.history_change_reason) for row in response.context["cl"].result_list
    ]
    assert (writer, "Submitted for medical review") in rows
    assert (clinician, "Changes requested: Cite the trial size.") in rows
    assert (clinician, "Approved and published: Clear and accurate.") in rows
    assert (editor, "Withdrawn: Outdated.") in rows
    assert "Dr Audit" in html
    assert "Changes requested: Cite the trial size." in html


def test_audit_log_is_read_only():
    answer, _ = in_review()
    row = Answer.history.filter(id=answer.pk).first()
    client = login(make_editor())
    assert client.get(reverse("admin:answers_historicalanswer_add")).status_code == 403
    change_url = reverse("admin:answers_historicalanswer_change", args=[row.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change_url, {"status": "published"}).status_code == 403
    delete_url = reverse("admin:answers_historicalanswer_delete", args=[row.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Answer.history.filter(pk=row.pk).exists()


def test_audit_log_filters_by_status_and_user():
    answer, writer = in_review()
    make_answer(question="Other?")
    client = login(make_editor())
    url = reverse(AUDIT_URL)
    listed = client.get(url, {"status__exact": "in_review"}).context["cl"].result_list
    assert {row.id for row in listed} == {answer.pk}
    listed = client.get(url, {"history_user__id__exact": writer.pk}).context["cl"].result_list
    assert [row.history_change_reason for row in listed] == ["Submitted for medical review"]


# ---------------------------------------------------------------- the other desks


def test_topic_admin_for_editors():
    client = login(make_editor())
    response = client.post(
        reverse("admin:answers_topic_add"), {"name": "Renal medicine", "slug": "renal-medicine"}
    )
    assert response.status_code == 302
    assert Topic.objects.filter(slug="renal-medicine").exists()
    assert (
        login(make_writer())
        .post(reverse("admin:answers_topic_add"), {"name": "X", "slug": "x"})
        .status_code
        == 403
    )


def test_questions_are_found_but_edited_on_their_answer():
    answer, writer = draft(question="Findable?")
    client = login(writer)
    listed = client.get(reverse("admin:answers_question_changelist"), {"q": "Findable"})
    assert [q.pk for q in listed.context["cl"].result_list] == [answer.question_id]
    url = reverse("admin:answers_question_change", args=[answer.question_id])
    html = client.get(url).content.decode()
    assert answer_url("change", answer) in html
    response = client.post(url, {"text": "Changed?", "slug": "changed", "topic": 1})
    assert response.status_code == 403
    assert Question.objects.get(pk=answer.question_id).text == "Findable?"


def test_contributor_orcid_is_checked_and_tidied():
    editor = make_editor()
    person = make_writer()
    person.contributor.delete()
    client = login(editor)
    url = reverse("admin:answers_contributor_add")
    data = {"user": person.pk, "display_name": "Pat Person", "credentials": "RN", "role_title": ""}
    bad = client.post(url, data | {"orcid": "0000-0002-1825-0098"})
    assert "check digit" in bad.content.decode()
    client.post(url, data | {"orcid": "https://orcid.org/0000-0002-1825-0097"})
    person.refresh_from_db()
    assert person.contributor.orcid == "0000-0002-1825-0097"


def test_signoffs_and_publications_are_read_only():
    answer, _, _ = published()
    client = login(make_editor())
    signoff = SignOff.objects.get(answer=answer)
    page = client.get(reverse("admin:answers_signoff_change", args=[signoff.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    publication = PublishedAnswer.objects.get(answer=answer)
    url = reverse("admin:answers_publishedanswer_change", args=[publication.pk])
    html = client.get(url).content.decode()
    assert reverse("question", args=[publication.slug]) in html
    assert client.post(url, {"question": "Forged"}).status_code == 403


def test_editors_mark_reader_feedback_resolved():
    answer, _, _ = published()
    feedback = ReaderFeedback.objects.create(
        answer=answer, content_hash="x", kind="problem", message="A link is broken."
    )
    client = login(make_editor())
    url = reverse("admin:answers_readerfeedback_changelist")
    listed = client.get(url, {"resolved__exact": "0"}).context["cl"].result_list
    assert [f.pk for f in listed] == [feedback.pk]
    response = client.post(
        url, {"action": "mark_resolved", "_selected_action": [feedback.pk]}, follow=True
    )
    assert "Marked 1 feedback entry resolved." in messages_of(response)
    feedback.refresh_from_db()
    assert feedback.resolved
    # Only "resolved" is editable: the reader's words stay as they wrote them.
    change = reverse("admin:answers_readerfeedback_change", args=[feedback.pk])
    client.post(change, {"message": "Rewritten", "resolved": ""})
    feedback.refresh_from_db()
    assert feedback.message == "A link is broken."
    assert not feedback.resolved


def test_writers_cannot_see_reader_feedback():
    response = login(make_writer()).get(reverse("admin:answers_readerfeedback_changelist"))
    assert response.status_code == 403


def test_admin_pages_carry_the_strict_content_security_policy():
    answer, writer = draft()
    response = login(writer).get(answer_url("change", answer))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    html = response.content.decode()
    assert " style=" not in html
    assert "<script>" not in html


@pytest.mark.parametrize("name", ["submit", "request_changes", "approve", "withdraw"])
def test_workflow_buttons_need_the_csrf_token(name):
    answer, writer = draft()
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(superuser=True))
    response = client.post(answer_url(name, answer), {"comment": "x", "reason": "x"})
    assert response.status_code == 403
    assert status_of(answer) == Status.DRAFT


def test_two_people_saving_at_once_the_second_is_told_and_nothing_is_lost(client):
    """Both open the page; the first saves; the second's save is refused with a message,
    and the first person's text stays."""
    from answers.admin_forms import AnswerForm

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
