"""The desks (answers/admin/desk_admins.py): the audit log, topics, questions, contributors,
sign-offs, publications and reader feedback."""

import pytest
from django.test import Client
from django.urls import reverse

from answers.models import (
    Answer,
    PublishedAnswer,
    Question,
    ReaderFeedback,
    SignOff,
    Topic,
)
from tests.factories import (
    answer_url,
    approval,
    draft,
    in_review,
    login,
    make_answer,
    make_clinician,
    make_editor,
    make_user,
    make_writer,
    published,
    status_of,
)

pytestmark = pytest.mark.django_db

Status = Answer.Status


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
    signed = approval(answer)
    login(clinician).post(answer_url("approve", answer), signed)
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
    on_screen = f"revision {signed['shown_revision']}, content {signed['shown_hash'][:12]}"
    assert (
        clinician,
        f"Approved and published (signed from the page showing {on_screen}): Clear and accurate.",
    ) in rows
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
    # The page sends its (empty) "sections new answers start with" rows too, and its names
    # in other languages.
    structure = {"structure-TOTAL_FORMS": 0, "structure-INITIAL_FORMS": 0}
    structure |= {"review_steps-TOTAL_FORMS": 0, "review_steps-INITIAL_FORMS": 0}
    structure |= {"names-TOTAL_FORMS": 0, "names-INITIAL_FORMS": 0}
    response = client.post(
        reverse("admin:answers_topic_add"),
        {"name": "Renal medicine", "slug": "renal-medicine", **structure},
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


def test_an_editor_moving_a_page_address_keeps_the_old_one_and_cannot_take_anothers():
    editor = make_editor()
    moved, other = make_writer(display_name="Al Moved"), make_writer(display_name="Bo Other")
    client = login(editor)
    data = {"display_name": "Al Moved", "credentials": "", "role_title": "", "orcid": ""}
    url = reverse("admin:answers_contributor_change", args=[moved.contributor.pk])
    client.post(url, data | {"user": moved.pk, "slug": "al-moved-here"})
    assert "/contributors/al-moved/" in client.get(url).content.decode()  # former addresses
    url = reverse("admin:answers_contributor_change", args=[other.contributor.pk])
    taken = client.post(url, data | {"user": other.pk, "display_name": "Bo", "slug": "al-moved"})
    assert "another contributor&#x27;s page address" in taken.content.decode()
    other.contributor.refresh_from_db()
    assert other.contributor.slug == "bo-other"


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


def test_the_report_queue_lists_open_reports_and_keeps_the_readers_words():
    answer, _, _ = published()
    feedback = ReaderFeedback.objects.create(
        answer=answer, content_hash="x", kind="problem", message="A link is broken."
    )
    client = login(make_editor())
    url = reverse("admin:answers_problemreport_changelist")
    listed = client.get(url, {"state": "open"}).context["cl"].result_list
    assert [f.pk for f in listed] == [feedback.pk]
    feedback.close(by=make_editor(), outcome="no_change")
    assert not client.get(url, {"state": "open"}).context["cl"].result_list
    # Nothing is editable: the reader's words stay as they wrote them.
    change = reverse("admin:answers_problemreport_change", args=[feedback.pk])
    client.post(change, {"message": "Rewritten"})
    feedback.refresh_from_db()
    assert feedback.message == "A link is broken."


def test_writers_cannot_see_reader_feedback():
    for name in ("readerfeedback", "problemreport"):
        response = login(make_writer()).get(reverse(f"admin:answers_{name}_changelist"))
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
