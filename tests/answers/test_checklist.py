"""The review checklist (answers/checklist.py): what blocks submission, what blocks
approval, what only warns."""

import pytest

from answers.checklist import BLOCKS_APPROVAL, BLOCKS_SUBMISSION, WARNING, review_checklist
from tests.factories import make_answer, make_reference

pytestmark = pytest.mark.django_db


def levels(checklist):
    return {(item.level, item.message) for item in checklist.items}


def test_a_complete_answer_is_clear():
    checklist = review_checklist(make_answer())
    assert checklist.is_clear
    assert checklist.blocking_submission() == []


def test_an_empty_short_answer_and_no_sections_block_submission():
    checklist = review_checklist(make_answer(lead="", sections=(), references={}))
    assert checklist.blocking_submission() == [
        "The short answer is empty: write it.",
        "The answer has no sections: add at least one.",
    ]


def test_a_citation_without_a_reference_and_a_reference_never_cited_block_submission():
    reference = make_reference(title="Never cited test work")
    answer = make_answer(lead="Yes [1].", references={"2": reference})
    blocking = review_checklist(answer).blocking_submission()
    assert "Citation [1] has no reference: add it under References." in blocking
    assert (
        "Reference [2], Tester 2024, J Tests, is never cited in the text: cite it as [2] or remove it."
        in blocking
    )


def test_a_retracted_reference_blocks_approval_not_submission():
    reference = make_reference(retracted=True, retraction_doi="10.5555/notice.1")
    checklist = review_checklist(make_answer(references={"1": reference}))
    assert checklist.blocking_submission() == []
    assert [level for level, _ in levels(checklist)] == [BLOCKS_APPROVAL]
    assert "retraction notice 10.5555/notice.1" in checklist.blocking_approval()[0]


def test_an_old_reference_only_warns():
    checklist = review_checklist(make_answer(references={"1": make_reference(year=1990)}))
    assert checklist.is_clear
    assert any(level == WARNING and "from 1990" in message for level, message in levels(checklist))


def test_a_question_list_cannot_cite():
    answer = make_answer(sections=(("Ask", "questions", "- Is it true [1]?"),), lead="Yes [1].")
    messages = [m for level, m in levels(review_checklist(answer)) if level == BLOCKS_SUBMISSION]
    assert any("cannot cite references" in message for message in messages)
