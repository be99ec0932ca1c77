"""Taking a submission back: the writer may, until a clinician opens its review page; every
path (the model, the button, a hand-built post) holds the rule, and the clinician asked to
review it is told."""

import pytest

from answers.models import WorkflowError
from notifications.models import Notification, NotificationKind
from tests.factories import (
    answer_url,
    draft,
    in_review,
    login,
    make_clinician,
    make_editor,
    make_writer,
    messages_of,
    status_of,
)

pytestmark = pytest.mark.django_db


def test_the_writer_takes_back_a_submission_nobody_opened():
    answer, writer = in_review()
    answer.recall(by=writer)
    assert status_of(answer) == "draft"
    assert answer.history.first().history_change_reason == (
        "Taken back by its writer before medical review"
    )
    answer.submit(by=writer)  # and submits again when ready
    assert status_of(answer) == "in_review"


@pytest.mark.parametrize("make_person", [make_clinician, make_editor, make_writer])
def test_nobody_but_its_writers_takes_it_back(make_person):
    answer, _ = in_review()
    with pytest.raises(WorkflowError, match="Only the answer's writers"):
        answer.recall(by=make_person())


def test_once_a_clinician_opened_the_review_it_cannot_be_taken_back():
    answer, writer = in_review()
    clinician = make_clinician()
    assert login(writer).get(answer_url("review", answer)).status_code == 200
    answer.refresh_from_db()
    assert answer.review_opened_at is None  # a writer opening it does not count
    login(clinician).get(answer_url("review", answer))
    answer.refresh_from_db()
    assert answer.review_opened_by == clinician
    with pytest.raises(WorkflowError, match="already opened it"):
        answer.recall(by=writer)
    # A new submission starts a new review: it can be taken back until that is opened.
    answer.request_changes(by=clinician, comment="Test: shorter.")
    answer.submit(by=writer)
    answer.refresh_from_db()
    assert answer.review_opened_at is None


def test_the_button_shows_only_while_it_may_be_used_and_a_forged_post_is_refused():
    answer, writer = in_review()
    change = answer_url("change", answer)
    assert "Take it back to change it" in login(writer).get(change).content.decode()
    assert "Take it back to change it" not in login(make_writer()).get(change).content.decode()
    forged = login(make_writer()).post(answer_url("recall", answer), follow=True)
    assert any("It was not taken back: Only the answer" in m for m in messages_of(forged))
    assert status_of(answer) == "in_review"
    done = login(writer).post(answer_url("recall", answer), follow=True)
    assert "Taken back: it is a draft again." in " ".join(messages_of(done))
    assert status_of(answer) == "draft"


@pytest.mark.django_db(transaction=True)
def test_the_assigned_clinician_is_told(groups, run_worker):
    writer, clinician = make_writer(), make_clinician()
    answer, _ = draft(writer=writer)
    answer.submit(by=writer, reviewer=clinician)
    run_worker()
    answer.recall(by=writer)
    run_worker()
    told = Notification.objects.filter(recipient=clinician, kind=NotificationKind.RECALLED)
    assert told.count() == 1
    waiting = Notification.objects.filter(recipient=clinician, kind=NotificationKind.SUBMITTED)
    assert all(n.done_at for n in waiting)
