"""The diff behind compare, the review page and the stale-signature refusal
(answers/admin/diff.py): what changed between two versions of an answer."""

import pytest

from answers.admin.diff import content_from_answer, content_from_revision, diff_content, diff_text
from tests.answers.admin.test_history import edited_twice, versions_of
from tests.factories import (
    answer_url,
    draft,
    login,
    make_answer,
    make_clinician,
    make_reference,
    published,
)

pytestmark = pytest.mark.django_db


def test_diff_text_marks_words():
    diff = diff_text("Take one tablet daily.", "Take two tablets daily.")
    assert diff.segments == [
        ("equal", "Take "),
        ("delete", "one tablet"),
        ("insert", "two tablets"),
        ("equal", " daily."),
    ]


def test_only_the_section_that_moved_is_reported_as_moved():
    sections = [(name, "prose", f"{name} text.") for name in ("A", "B", "C", "D")]
    answer = make_answer(lead="Lead.", sections=sections, references={})
    before = content_from_answer(answer)
    first = answer.ordered_sections()[0]
    first.position = 10
    first.save()
    diff = diff_content(before, content_from_answer(answer))
    assert [(c.change, c.heading, c.old_number, c.new_number) for c in diff.sections] == [
        ("moved", "A", 1, 4)
    ]
    assert diff.unchanged_sections == 3


def test_a_section_deleted_and_written_again_under_its_heading_is_a_change():
    answer = make_answer(lead="Lead.", sections=[("Risks", "prose", "Few.")], references={})
    before = content_from_answer(answer)
    answer.sections.all().delete()
    answer.sections.create(position=1, heading="Risks", kind="prose", body="Some.")
    diff = diff_content(before, content_from_answer(answer))
    assert [(c.change, c.heading) for c in diff.sections] == [("changed", "Risks")]


def test_reference_details_changed_since_publication_are_shown():
    reference = make_reference(title="Original title")
    answer, writer, _ = published(references={"1": reference})
    reference.title = "Corrected title"
    reference.save()
    answer.note_edit(by=writer)
    answer.submit(by=writer)
    diff = login(make_clinician()).get(answer_url("review", answer)).context["diff"]
    [change] = diff.citations
    assert change.change == "changed"
    assert "Original title" in change.old
    assert "Corrected title" in change.new


def test_unchanged_content_has_an_empty_diff():
    answer, _ = draft()
    content = content_from_answer(answer)
    assert diff_content(content, content_from_answer(answer)).is_empty


def test_version_content_matches_the_answer_it_was_saved_from():
    answer, writer = edited_twice()
    latest = versions_of(answer)[0]
    from_version = content_from_revision(latest.revision, answer.pk)
    current = content_from_answer(answer)
    assert diff_content(from_version, current).is_empty
    assert from_version["lead"] == "Second lead [1]."
    assert [s["heading"] for s in from_version["sections"]] == [
        "What the research says",
        "What to ask your doctor",
    ]


def test_a_reason_reworded_alone_is_a_change_too():
    answer, _ = draft()
    before = content_from_answer(answer)
    answer.certainty_reason = "Test: a reworded reason."
    diff = diff_content(before, content_from_answer(answer))
    assert diff.certainty is None
    assert diff.certainty_reason.changed and not diff.is_empty


def test_versions_saved_before_certainty_existed_compare_as_not_set():
    answer, writer = edited_twice()
    latest = versions_of(answer)[0]
    fields = latest.serialized_data
    latest.serialized_data = fields.replace('"certainty": "moderate", ', "").replace(
        '"certainty_reason": "Test: the reason for this certainty.", ', ""
    )
    assert latest.serialized_data != fields
    latest.save()
    old = content_from_revision(latest.revision, answer.pk)
    assert (old["certainty"], old["certainty_reason"]) == ("", "")
    assert diff_content(old, content_from_answer(answer)).certainty == ("Not set", "Moderate")
