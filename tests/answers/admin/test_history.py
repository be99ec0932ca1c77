"""The answer's history in the admin: every version listed, any two compared, an earlier
one restored as a new draft without touching the public page (answers/admin/history.py)."""

import pytest
from reversion.models import Version

from answers.admin.wording import PUBLIC_KEEPS_APPROVED
from answers.models import Answer
from tests.factories import (
    answer_url,
    change_form_data,
    draft,
    login,
    make_clinician,
    make_editor,
    make_reference,
    messages_of,
    public_page,
    published,
    save_answer,
)

pytestmark = pytest.mark.django_db

Status = Answer.Status


def versions_of(answer):
    return list(Version.objects.get_for_object(answer).select_related("revision"))


def edited_twice():
    """A draft saved in the admin twice: "First lead" then "Second lead"."""
    answer, writer = draft(lead="First lead [1].")
    client = login(writer)
    save_answer(client, answer, change_note="Start")
    save_answer(client, answer, lead="Second lead [1].", change_note="Shorter words")
    answer.refresh_from_db()
    return answer, writer


# ---------------------------------------------------------------- the list


def test_history_lists_every_version_with_date_user_and_comment():
    answer, writer = edited_twice()
    answer.submit(by=writer)
    response = login(make_clinician()).get(answer_url("history", answer))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["comment"] for row in rows] == [
        "Submitted for medical review",
        "Shorter words",
        "Start",
    ]
    assert {row["user"] for row in rows} == {writer.contributor.display_name}
    assert rows[0]["is_current"]
    html = response.content.decode()
    assert "Shorter words" in html
    assert writer.contributor.display_name in html
    # Clinicians look; they do not restore.
    assert "Restore this version" not in html


def test_history_marks_the_version_the_public_page_shows():
    answer, writer, _ = published()
    save_answer(login(writer), answer, lead="Edited after approval [1].")
    rows = login(writer).get(answer_url("history", answer)).context["rows"]
    assert [row["is_published"] for row in rows] == [False, True]
    assert rows[1]["comment"] == "Submitted for medical review"


def test_the_change_page_links_to_our_history():
    answer, writer = edited_twice()
    html = login(writer).get(answer_url("change", answer)).content.decode()
    assert f'href="{answer_url("history", answer)}"' in html


# ---------------------------------------------------------------- compare


def test_compare_two_versions_shows_the_change():
    answer, writer = edited_twice()
    newer, older = versions_of(answer)
    response = login(writer).get(
        answer_url("history_compare", answer), {"from": older.pk, "to": newer.pk}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>First</del><ins>Second</ins>" in html
    assert "Short answer" in html


def test_compare_in_either_order_reads_from_older_to_newer():
    answer, writer = edited_twice()
    newer, older = versions_of(answer)
    response = login(writer).get(
        answer_url("history_compare", answer), {"from": newer.pk, "to": older.pk}
    )
    assert response.context["old"] == older
    assert "<del>First</del><ins>Second</ins>" in response.content.decode()


def test_compare_shows_sections_and_references_from_the_versions():
    answer, writer = draft()
    client = login(writer)
    save_answer(client, answer)
    reference = make_reference(title="A newly cited work")
    data = change_form_data(answer)
    data |= {
        "sections-TOTAL_FORMS": 3,
        "sections-2-heading": "Side effects",
        "sections-2-kind": "prose",
        "sections-2-body": "Nausea [2].",
        "sections-2-position": "",
        "citations-TOTAL_FORMS": 2,
        "citations-1-label": "2",
        "citations-1-reference": reference.pk,
    }
    client.post(answer_url("change", answer), data)
    newer, older = versions_of(answer)
    response = client.get(answer_url("history_compare", answer), {"from": older.pk, "to": newer.pk})
    diff = response.context["diff"]
    assert [(c.change, c.heading) for c in diff.sections] == [("added", "Side effects")]
    assert [(c.change, c.label, c.new) for c in diff.citations] == [
        ("added", "2", "Tester 2024, J Tests: A newly cited work")
    ]
    assert "Nausea [2]." in response.content.decode()


def test_compare_needs_two_versions_of_this_answer():
    answer, writer = edited_twice()
    other, _ = edited_twice()
    foreign = versions_of(other)[0]
    mine = versions_of(answer)[0]
    response = login(writer).get(
        answer_url("history_compare", answer), {"from": foreign.pk, "to": mine.pk}, follow=True
    )
    assert "Choose two versions of this answer to compare." in messages_of(response)


# ---------------------------------------------------------------- restore


def test_restore_an_earlier_version_as_a_new_draft():
    answer, writer = edited_twice()
    older = versions_of(answer)[1]
    response = login(writer).post(answer_url("history_restore", answer, older.pk), follow=True)
    answer.refresh_from_db()
    assert answer.lead == "First lead [1]."
    assert answer.status == Status.DRAFT
    assert messages_of(response)[0].startswith("Restored the version of")
    latest = versions_of(answer)[0]
    assert latest.revision.user == writer
    assert latest.revision.comment.startswith("Reverted to the version of")
    audit = Answer.history.filter(id=answer.pk).first()
    assert audit.history_user == writer
    assert audit.history_change_reason.startswith("Reverted to the version of")


def test_restore_on_a_published_answer_leaves_the_public_page_alone():
    answer, writer, _ = published(lead="Approved words [1].")
    approved_version = versions_of(answer)[0]
    client = login(writer)
    save_answer(client, answer, lead="Draft words [1].")
    save_answer(client, answer, lead="More draft words [1].")
    # Restore the first draft edit: still not what the clinician approved.
    first_edit = versions_of(answer)[1]
    response = client.post(answer_url("history_restore", answer, first_edit.pk), follow=True)
    assert PUBLIC_KEEPS_APPROVED in messages_of(response)[0]
    answer.refresh_from_db()
    assert answer.lead == "Draft words [1]."
    assert answer.status == Status.DRAFT
    public = public_page(answer).content.decode()
    assert "Approved words" in public
    assert "Draft words" not in public
    # Restoring the approved version itself still needs a clinician to publish it again.
    client.post(answer_url("history_restore", answer, approved_version.pk))
    answer.refresh_from_db()
    assert answer.lead == "Approved words [1]."
    assert "Approved words" in public_page(answer).content.decode()


def test_restore_brings_back_deleted_sections():
    answer, writer = draft()
    client = login(writer)
    save_answer(client, answer)
    before = versions_of(answer)[0]
    client.post(
        answer_url("change", answer), change_form_data(answer, **{"sections-1-DELETE": "on"})
    )
    assert answer.sections.count() == 1
    client.post(answer_url("history_restore", answer, before.pk))
    assert [s.heading for s in answer.ordered_sections()] == [
        "What the research says",
        "What to ask your doctor",
    ]


def test_restore_is_refused_while_in_review():
    answer, writer = edited_twice()
    answer.submit(by=writer)
    count = len(versions_of(answer))
    older = versions_of(answer)[2]
    response = login(writer).post(answer_url("history_restore", answer, older.pk), follow=True)
    assert "in medical review" in messages_of(response)[0]
    answer.refresh_from_db()
    assert answer.lead == "Second lead [1]."
    assert answer.status == Status.IN_REVIEW
    assert len(versions_of(answer)) == count
    html = login(writer).get(answer_url("history", answer)).content.decode()
    assert "Restore this version" not in html


def test_clinicians_cannot_restore():
    answer, _ = edited_twice()
    older = versions_of(answer)[1]
    response = login(make_clinician()).post(
        answer_url("history_restore", answer, older.pk), follow=True
    )
    assert "You do not have permission to change answers." in messages_of(response)[0]
    assert Answer.objects.get(pk=answer.pk).lead == "Second lead [1]."


def test_editors_restore():
    answer, _ = edited_twice()
    older = versions_of(answer)[1]
    login(make_editor()).post(answer_url("history_restore", answer, older.pk))
    assert Answer.objects.get(pk=answer.pk).lead == "First lead [1]."


def test_restore_is_post_only():
    answer, writer = edited_twice()
    older = versions_of(answer)[1]
    response = login(writer).get(answer_url("history_restore", answer, older.pk))
    assert response.status_code == 405
    assert Answer.objects.get(pk=answer.pk).lead == "Second lead [1]."


def test_restore_a_version_of_another_answer_is_not_found():
    answer, writer = edited_twice()
    other, _ = edited_twice()
    foreign = versions_of(other)[1]
    response = login(writer).post(answer_url("history_restore", answer, foreign.pk))
    assert response.status_code == 404


def test_reversion_urls_do_not_reach_the_old_revert_view():
    answer, writer = edited_twice()
    older = versions_of(answer)[1]
    # reversion's revert page lived at <id>/history/<version>/: it is no longer routed.
    response = login(writer).get(f"/admin/answers/answer/{answer.pk}/history/{older.pk}/")
    assert response.status_code in (302, 404)
    assert Answer.objects.get(pk=answer.pk).lead == "Second lead [1]."


# ---------------------------------------------------------------- the diff itself


# ---------------------------------------------------------------- certainty of evidence


def test_compare_shows_a_change_of_certainty_level_and_reason():
    answer, writer = draft(certainty="not_graded", certainty_reason="Test: nobody graded it.")
    client = login(writer)
    save_answer(client, answer, change_note="Start")
    save_answer(
        client,
        answer,
        certainty="low",
        certainty_reason="Test: two small trials graded it.",
        change_note="Graded",
    )
    newer, older = versions_of(answer)
    response = client.get(answer_url("history_compare", answer), {"from": older.pk, "to": newer.pk})
    diff = response.context["diff"]
    assert diff.certainty == ("Not yet graded", "Low")
    assert diff.certainty_reason.changed
    assert not diff.is_empty
    html = response.content.decode()
    assert "<h3>Certainty of evidence</h3>" in html
    assert "Level: <del>Not yet graded</del> → <ins>Low</ins>" in html
    assert "Test: <del>nobody</del><ins>two small trials</ins> graded it." in html
