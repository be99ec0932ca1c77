"""Reassigning the reviewer from the answer's page, and the clinician chosen at submission
(answers/admin/assignment.py and the status panel's choices)."""

import pytest

from answers.models import Answer
from tests.answers.test_assignment import fresh
from tests.factories import (
    answer_url,
    draft,
    in_review,
    login,
    make_clinician,
    make_editor,
    messages_of,
)

pytestmark = pytest.mark.django_db


def test_the_submit_step_lists_the_clinicians_who_did_not_write_it():
    writer_clinician = make_clinician(display_name="Dr Wrote")
    answer, writer = draft()
    answer.writers.add(writer_clinician)
    make_clinician(display_name="Dr Free")
    page = login(writer).get(answer_url("change", answer))
    assert page.context["submit_reviewer_options"] == [
        (str(page.context["submit_reviewer_options"][0][0]), "Dr Free")
    ]
    html = page.content.decode()
    assert 'name="reviewer"' in html and "Any medical reviewer" in html
    assert "Dr Wrote</option>" not in html


def test_submitting_from_the_admin_with_a_clinician_assigns_it():
    answer, writer = draft()
    chosen = make_clinician()
    response = login(writer).post(
        answer_url("submit", answer), {"reviewer": str(chosen.pk)}, follow=True
    )
    assert fresh(answer).assigned_reviewer == chosen
    assert any("Sent for medical review" in m for m in messages_of(response))


def test_submitting_from_the_admin_naming_nobody_real_is_refused():
    answer, writer = draft()
    response = login(writer).post(answer_url("submit", answer), {"reviewer": "99999"}, follow=True)
    assert fresh(answer).status == Answer.Status.DRAFT
    assert any("does not exist" in m for m in messages_of(response))


@pytest.mark.parametrize(
    ("role", "allowed"), [("editor", True), ("clinician", True), ("writer", False)]
)
def test_the_reassign_button_per_role(role, allowed):
    answer, writer = in_review()
    target = make_clinician(display_name="Dr Target")
    user = {"editor": make_editor, "clinician": make_clinician, "writer": lambda: writer}[role]()
    client = login(user)
    page = client.get(answer_url("change", answer))
    assert ("Reassign</button>" in page.content.decode()) is allowed
    response = client.post(answer_url("assign", answer), {"reviewer": str(target.pk)}, follow=True)
    assert (fresh(answer).assigned_reviewer == target) is allowed
    if allowed:
        assert "Assigned to Dr Target, who has been notified." in messages_of(response)
    else:
        assert any("The reviewer was not changed" in m for m in messages_of(response))
