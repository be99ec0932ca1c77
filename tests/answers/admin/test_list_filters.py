"""The answer list's filters (answers/admin/list_filters.py)."""

import pytest

from tests.factories import draft, login, make_clinician, make_editor, make_user

pytestmark = pytest.mark.django_db


def test_waiting_for_my_review_filter_means_mine_or_unassigned():
    clinician, other = make_clinician(), make_clinician()
    mine, writer = draft(question="Mine?")
    mine.submit(by=writer, reviewer=clinician)
    theirs, _ = draft(question="Theirs?", writer=writer)
    theirs.submit(by=writer, reviewer=other)
    anyones, _ = draft(question="Anyone's?", writer=writer)
    anyones.submit(by=writer)
    page = login(clinician).get("/admin/answers/answer/?review=mine")
    shown = {a.question.text for a in page.context["cl"].result_list}
    assert shown == {"Mine?", "Anyone's?"}
    page = login(make_editor()).get("/admin/answers/answer/?review=unassigned")
    assert [a.question.text for a in page.context["cl"].result_list] == ["Anyone's?"]


def test_an_admin_superuser_sees_no_error_on_the_list():
    assert login(make_user(superuser=True)).get("/admin/answers/answer/").status_code == 200
