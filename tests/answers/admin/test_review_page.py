"""The review page a clinician signs from (answers/admin/review_page.py): the whole draft on the page,
each part with its comments beside it; on a resubmission, what changed since the clinician
sent it back (and, for a published answer, since publication); the writers' notes for the
round; approving over open comments asks first; the writer's proposed certainty is shown
where the approve form refers to it."""

import re

import pytest

from answers.models import Answer, ReviewComment, WorkflowError
from tests.factories import (
    answer_url,
    change_form_data,
    in_review,
    login,
    make_clinician,
    make_reference,
    messages_of,
    published,
    save_answer,
    status_of,
)

pytestmark = pytest.mark.django_db

Status = Answer.Status

SIGN = {"password": "pw", "sources_checked": True, "wording_safe": True}


def review_page(client, answer, **query):
    response = client.get(answer_url("review", answer), query)
    assert response.status_code == 200
    return response.content.decode()


def aside_for(page, heading):
    """The comments shown beside the part called `heading`."""
    match = re.search(
        rf'<aside class="qa-draft-comments" aria-label="Comments on {re.escape(heading)}">'
        r"(.*?)</aside>",
        page,
        re.S,
    )
    assert match, f"no comments column beside {heading!r}"
    return match.group(1)


def sent_back_and_resubmitted(*, clinician, lead="Take one tablet a day [1].", note=""):
    """A new answer the clinician sent back with a comment on its first section; the writer
    changes the short answer (with a note) and submits it again."""
    answer, writer = in_review(lead=lead)
    section = answer.ordered_sections()[0]
    answer.request_changes(
        by=clinician,
        comment="Say how many tablets.",
        section_comments=[(section, "Test: name the study.")],
    )
    answer.refresh_from_db()
    save_answer(login(writer), answer, lead="Take two tablets a day [1].", change_note=note)
    answer.refresh_from_db()
    answer.submit(by=writer, confirm_unresolved=True)
    answer.refresh_from_db()
    return answer, writer, section


def test_a_resubmitted_new_answer_is_compared_with_the_version_sent_back():
    clinician = make_clinician()
    answer, _, _ = sent_back_and_resubmitted(clinician=clinician)
    page = review_page(login(clinician), answer)
    assert "First publication: nothing to compare" not in page
    assert "Since you sent it back" in page
    assert "<del>one tablet</del><ins>two tablets</ins>" in page
    # Another clinician reads whose round it was.
    other = review_page(login(make_clinician(display_name="Dr Other")), answer)
    assert "Since it was sent back" in other


def test_a_published_answer_offers_both_comparisons():
    answer, writer, clinician = published(lead="Take one tablet a day [1].")
    save_answer(login(writer), answer, lead="Take three tablets a day [1].")
    answer.refresh_from_db()
    answer.note_edit(by=writer)
    answer.submit(by=writer, reviewer=clinician)
    answer.request_changes(by=clinician, comment="Three is too many.")
    answer.refresh_from_db()
    save_answer(login(writer), answer, lead="Take two tablets a day [1].")
    answer.refresh_from_db()
    answer.submit(by=writer)
    client = login(clinician)

    page = review_page(client, answer)
    assert 'href="?compare=round#qa-round" aria-current="page"' in page
    assert 'href="?compare=published#qa-round"' in page
    assert "<del>three</del><ins>two</ins>" in page

    page = review_page(client, answer, compare="published")
    assert 'href="?compare=published#qa-round" aria-current="page"' in page
    assert "<del>one tablet</del><ins>two tablets</ins>" in page


def test_a_first_submission_has_nothing_to_compare_but_the_whole_draft():
    answer, _ = in_review()
    page = review_page(login(make_clinician()), answer)
    assert "First review: nothing to compare yet." in page
    assert "<iframe" not in page
    for section in answer.ordered_sections():
        assert f">{section.heading}</h3>" in page
    assert "A study found it" in page  # the section text itself
    reference = answer.citations.get().reference
    assert 'class="reference-list"' in page and str(reference.title) in page


def test_the_writers_notes_for_the_round_are_above_the_comparison():
    clinician = make_clinician()
    answer, _, _ = sent_back_and_resubmitted(
        clinician=clinician, note="Gave the number of tablets, as asked."
    )
    page = review_page(login(clinician), answer)
    notes = page.index("Gave the number of tablets, as asked.")
    assert page.index("The writers' notes") < notes < page.index("Since you sent it back</h3>")
    assert "Submitted for medical review</span>" not in page


def test_each_parts_comments_are_beside_it():
    clinician = make_clinician()
    answer, writer, section = sent_back_and_resubmitted(clinician=clinician)
    comment = ReviewComment.objects.get()
    comment.reply(by=writer, text="Test reply: named it.")
    page = review_page(login(clinician), answer)
    beside = aside_for(page, section.heading)
    assert "Test: name the study." in beside and "Test reply: named it." in beside
    assert "Test: name the study." not in aside_for(page, "Short answer")


def test_replying_and_resolving_from_the_review_page_come_back_to_it():
    clinician = make_clinician()
    answer, _, _ = sent_back_and_resubmitted(clinician=clinician)
    comment = ReviewComment.objects.get()
    client = login(clinician)
    response = client.post(answer_url("comment_resolve", answer, comment.pk), {"back": "review"})
    assert response["Location"] == answer_url("review", answer) + f"#review-comment-{comment.pk}"


# ---- approving with comments still open


def test_the_model_refuses_an_approval_over_open_comments_unless_confirmed():
    clinician = make_clinician()
    answer, _, _ = sent_back_and_resubmitted(clinician=clinician)
    with pytest.raises(WorkflowError, match="1 comment on parts of the answer is not resolved"):
        answer.approve(by=clinician, shown_hash=answer.content_hash(), **SIGN)
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.IN_REVIEW
    answer.approve(
        by=clinician, shown_hash=answer.content_hash(), open_comments_confirmed=True, **SIGN
    )
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.PUBLISHED
    reason = answer.history.first().history_change_reason
    assert "with 1 comment unresolved" in reason


def test_the_approve_form_asks_to_confirm_open_comments():
    clinician = make_clinician()
    answer, _, _ = sent_back_and_resubmitted(clinician=clinician)
    client = login(clinician)
    assert "Approve with 1 comment unresolved" in review_page(client, answer)

    shown = {**SIGN, "shown_hash": answer.content_hash()}
    response = client.post(answer_url("approve", answer), shown)
    assert "tick “Approve with 1 comment unresolved”" in response.content.decode()
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.IN_REVIEW

    response = client.post(
        answer_url("approve", answer), {**shown, "open_comments_confirmed": "on"}, follow=True
    )
    assert "Approved and published" in " ".join(messages_of(response))
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.PUBLISHED


def test_no_confirmation_is_asked_when_every_comment_is_resolved():
    clinician = make_clinician()
    answer, writer, _ = sent_back_and_resubmitted(clinician=clinician)
    ReviewComment.objects.get().resolve(by=writer)
    assert "comment unresolved" not in review_page(login(clinician), answer)
    answer.approve(by=clinician, shown_hash=answer.content_hash(), **SIGN)
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.PUBLISHED


def test_the_writers_proposed_certainty_is_shown_where_the_form_refers_to_it():
    answer, _ = in_review()  # the factory proposes moderate, with a reason
    client = login(make_clinician())
    for page in (review_page(client, answer), client.get(answer_url("approve", answer))):
        page = page if isinstance(page, str) else page.content.decode()
        assert "Confirm the writer&#x27;s proposal: Moderate" in page
        assert "The writer proposes “Moderate”" in page
        assert "Test: the reason for this certainty." in page


def _review_queries(sections, comments):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import large_sections

    answer, writer = in_review(sections=large_sections(sections=sections, citations=sections * 2))
    clinician = make_clinician()
    parts = answer.ordered_sections()[:comments]
    answer.request_changes(
        by=clinician, comment="Test.", section_comments=[(p, "Test comment.") for p in parts]
    )
    answer.refresh_from_db()
    for comment in ReviewComment.objects.all():
        comment.reply(by=writer, text="Test reply.")
    answer.submit(by=writer, confirm_unresolved=True)
    client = login(clinician)
    with CaptureQueriesContext(connection) as queries:
        review_page(client, answer)
    return len(queries)


def test_the_review_page_reads_a_bounded_number_of_queries():
    """30 sections with a comment and a reply each cost no more queries than 3 with one."""
    assert _review_queries(30, 30) <= _review_queries(3, 1)


def test_the_approve_form_names_the_content_drawn_on_the_page():
    answer, _ = in_review()
    response = login(make_clinician()).get(answer_url("review", answer))
    drawn = response.context["snapshot"]
    assert drawn.content_hash == answer.content_hash()
    assert response.context["approve_form"]["shown_hash"].value() == drawn.content_hash
    assert f'name="shown_hash" value="{drawn.content_hash}"' in response.content.decode()


def test_review_page_shows_the_draft_the_public_preview_checklist_and_forms():
    answer, _ = in_review(lead="The preview lead [1].")
    clinician = make_clinician(display_name="Dr Preview")
    client = login(clinician)
    html = client.get(answer_url("review", answer)).content.decode()
    assert "The preview lead" in html  # the draft itself, on the page
    # The exact public page of the version shown, a click away.
    shown = f"{answer_url('preview', answer)}?version={answer.content_hash()}"
    assert f'href="{shown}" target="_blank"' in html
    assert "Checklist" in html
    assert "First review: nothing to compare yet." in html
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


def test_review_page_shows_the_certainty_changed_since_publication():
    answer, writer, _ = published(certainty="not_graded", certainty_reason="Test: not graded.")
    answer.certainty, answer.certainty_reason = "moderate", "Test: graded since."
    answer.save()
    answer.note_edit(by=writer)
    answer.submit(by=writer)
    response = login(make_clinician()).get(answer_url("review", answer))
    assert response.context["diff"].certainty == ("Not yet graded", "Moderate")
    assert "Level: <del>Not yet graded</del> → <ins>Moderate</ins>" in response.content.decode()


def test_the_review_page_carries_the_version_it_shows():
    answer, _ = in_review()
    html = login(make_clinician()).get(answer_url("review", answer)).content.decode()
    assert f'name="shown_hash" value="{answer.content_hash()}"' in html
    assert f'name="shown_revision" value="{answer.submitted_revision_id}"' in html
    assert f"preview/?version={answer.content_hash()}" in html
