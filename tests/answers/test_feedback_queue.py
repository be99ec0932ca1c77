"""The feedback queue: problem reports worked like tickets by editors (assign, note, pass to
the writers, close with an outcome), votes counted per answer, and a "No" that may say what
was missing. No hash is shown to anyone."""

import pytest
from django.test import Client
from django.urls import reverse

from answers.models import ReaderFeedback, ReviewComment, WorkflowError
from tests.factories import (
    approve,
    login,
    make_clinician,
    make_editor,
    make_writer,
    messages_of,
    publish_answer,
)

pytestmark = pytest.mark.django_db


def report_on(answer, message="Test: the second paragraph is unclear."):
    return ReaderFeedback.record(
        publication=answer.publication, kind=ReaderFeedback.Kind.PROBLEM, message=message
    )


def queue_url(report, action):
    return reverse("admin:answers_problemreport_queue", args=[report.pk, action])


def test_an_editor_works_a_report_from_assignment_to_fixed_in_a_version():
    answer = publish_answer()
    report = report_on(answer)
    editor, writer = make_editor(), answer.writers.first()
    client = login(editor)
    client.post(queue_url(report, "assign"), {"to": editor.pk})
    client.post(queue_url(report, "note"), {"note": "Test: checked the paragraph."})
    passed = client.post(queue_url(report, "pass"), follow=True)
    assert "Passed to the writers" in " ".join(messages_of(passed))
    comment = ReviewComment.objects.get(answer=answer)
    assert comment.part == "Reader report" and "second paragraph" in comment.text

    with answer.editing(by=writer, comment="Clearer lead") as locked:
        locked.lead = "A clearer test lead [1]."
    comment.resolve(by=writer)  # the writer handled the reader's report
    answer.submit(by=writer)
    approve(answer, make_clinician(), change_summary="Test: clearer.")
    fix = answer.signoffs.order_by("-created_at").first()
    closed = client.post(
        queue_url(report, "close"), {"outcome": "fixed", "fixed_in": fix.pk}, follow=True
    )
    assert "Report closed." in messages_of(closed)
    report.refresh_from_db()
    assert report.resolved and report.outcome == "fixed" and report.fixed_in == fix
    assert report.assigned_to == editor
    assert "checked the paragraph" in report.notes and "closed: fixed" in report.notes

    page = client.get(reverse("admin:answers_problemreport_change", args=[report.pk]))
    html = page.content.decode()
    assert "Closed: fixed in the version approved on" in html
    assert report.content_hash not in html  # versions by date and clinician, never by hash


def test_closing_needs_the_right_details():
    answer = publish_answer()
    report, other = report_on(answer), report_on(answer, "Test: same problem.")
    editor = make_editor()
    with pytest.raises(WorkflowError, match="Choose the approved version"):
        report.close(by=editor, outcome="fixed")
    with pytest.raises(WorkflowError, match="approved before the report"):
        report.close(by=editor, outcome="fixed", fixed_in=answer.signoffs.get())
    with pytest.raises(WorkflowError, match="Choose the other report"):
        report.close(by=editor, outcome="duplicate", duplicate_of=report)
    report.close(by=editor, outcome="duplicate", duplicate_of=other)
    with pytest.raises(WorkflowError, match="closed"):
        report.annotate(by=editor, note="Too late.")


@pytest.mark.parametrize("make_person", [make_writer, make_clinician])
def test_only_editors_work_the_queue(make_person):
    report = report_on(publish_answer())
    person = make_person()
    with pytest.raises(WorkflowError, match="Only editors"):
        report.close(by=person, outcome="no_change")
    assert (
        login(person).post(queue_url(report, "close"), {"outcome": "no_change"}).status_code == 403
    )
    report.refresh_from_db()
    assert not report.resolved


def test_editors_see_votes_and_open_reports_per_answer():
    answer = publish_answer(question="Is this answer counted?")
    publication = answer.publication
    for kind in ["helpful", "helpful", "not_helpful"]:
        ReaderFeedback.record(publication=publication, kind=kind)
    report_on(answer)
    page = login(make_editor()).get(reverse("admin:answers_publishedanswer_changelist"))
    row = next(r for r in page.context["cl"].result_list if r.answer_id == answer.pk)
    assert (row.helpful, row.not_helpful, row.open_problems) == (2, 1, 1)
    votes = login(make_editor()).get(reverse("admin:answers_readerfeedback_changelist"))
    assert votes.context["cl"].result_count == 3  # the votes; reports have their queue


def test_no_asks_what_was_missing_once():
    answer = publish_answer()
    client = Client()
    voted = client.post(f"{answer.get_absolute_url()}feedback/", {"kind": "not_helpful"})
    assert voted.status_code == 302
    follow_up = voted["Location"]
    assert follow_up.startswith(reverse("question_missing", args=[answer.question.slug]))
    page = client.get(follow_up)
    assert page.status_code == 200 and "What was missing?" in page.content.decode()
    token = page.context["form"]["t"].value()
    sent = client.post(
        reverse("question_missing", args=[answer.question.slug]),
        {"t": token, "missing": "Test: how long the treatment lasts."},
    )
    assert sent.status_code == 302
    assert ReaderFeedback.objects.get().message == "Test: how long the treatment lasts."
    client.post(
        reverse("question_missing", args=[answer.question.slug]),
        {"t": token, "missing": "Test: overwritten?"},
    )
    assert ReaderFeedback.objects.get().message == "Test: how long the treatment lasts."
    forged = client.post(
        reverse("question_missing", args=[answer.question.slug]), {"t": "1:forged", "missing": "x"}
    )
    assert forged.status_code == 302 and ReaderFeedback.objects.count() == 1


def test_the_follow_up_refuses_posts_from_other_sites():
    answer = publish_answer()
    client = Client()
    voted = client.post(f"{answer.get_absolute_url()}feedback/", {"kind": "not_helpful"})
    token = client.get(voted["Location"]).context["form"]["t"].value()
    response = client.post(
        reverse("question_missing", args=[answer.question.slug]),
        {"t": token, "missing": "x"},
        headers={"Origin": "https://attacker.example"},
    )
    assert response.status_code == 403
    assert ReaderFeedback.objects.get().message == ""
