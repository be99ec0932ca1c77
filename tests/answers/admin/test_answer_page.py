"""What every page about one answer shares (answers/admin/answer_page.py, registered by
answer_urls.py): the URL names templates and emails reverse, the admin's sign-in, the
permission check, a clear 404; and each view works alone, given only the admin site."""

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import reverse

from answers.admin.answer_page import NO_SUCH_ANSWER
from answers.admin.answer_urls import ANSWER_PAGES
from answers.admin.history import HistoryView
from answers.admin.review_page import ReviewView
from answers.admin.workflow import SUBMITTED, SubmitView
from answers.models import Answer
from tests.factories import draft, in_review, login, make_clinician, make_user, make_writer

pytestmark = pytest.mark.django_db

# One page per view, about one answer (the desk's own endpoints are in test_writers_desk).
PAGES = [(view, name) for pattern, view, name in ANSWER_PAGES if "object_id" in pattern]


def url_of(name, pattern, answer_pk):
    args = [answer_pk] + [1] * (pattern.count("<int:"))
    return reverse(f"admin:answers_answer_{name}", args=args)


def request_to(client, view, url):
    """A GET where the view answers one, else the POST its button sends."""
    if "get" in view.http_method_names:
        return client.get(url)
    return client.post(url)


def test_every_url_name_the_pages_had_is_kept():
    """Templates, emails, docs and tests reverse these names: none may go missing."""
    names = {name for _, _, name in ANSWER_PAGES}
    assert names == {
        "submit",
        "recall",
        "request_changes",
        "approve",
        "sign_step",
        "mark_reviewed",
        "withdraw",
        "assign",
        "review",
        "preview",
        "published_preview",
        "confirm_accurate",
        "schedule",
        "preview_link_create",
        "preview_link_revoke",
        "comment_reply",
        "comment_resolve",
        "history",
        "history_compare",
        "history_restore",
        "cite_by_identifier",
        "desk_preview_new",
        "desk_frame",
        "desk_references",
        "desk_lookup",
        "desk_session",
        "desk_structure",
        "desk_preview",
    }
    assert reverse("admin:answers_answer_history", args=[7]) == "/admin/answers/answer/7/history/"
    assert reverse("admin:answers_answer_desk_preview_new") == "/admin/answers/answer/desk/preview/"


@pytest.mark.parametrize(("pattern", "view", "name"), ANSWER_PAGES, ids=lambda v: str(v))
def test_a_person_without_access_to_answers_is_refused_every_page(pattern, view, name):
    """Staff with no answer permission reach none of them (the admin's own sign-in lets
    them in; the page's permission check does not)."""
    answer, _ = in_review()
    url = (
        url_of(name, pattern, answer.pk)
        if "object_id" in pattern
        else reverse(f"admin:answers_answer_{name}")
    )
    assert request_to(login(make_user()), view, url).status_code == 403
    anonymous = request_to(Client(), view, url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(("view", "name"), PAGES, ids=lambda v: str(v))
def test_an_answer_that_does_not_exist_is_a_404_that_says_so(view, name):
    pattern = next(p for p, v, n in ANSWER_PAGES if n == name)
    response = request_to(login(make_writer()), view, url_of(name, pattern, 999999))
    assert response.status_code == 404


# --- each view alone, given only the admin site --------------------------------------------


def alone(user, method="get", data=None):
    """A request as the admin's wrapper would pass it, without the URLconf or middleware."""
    request = getattr(RequestFactory(), method)("/", data or {})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_the_review_view_renders_alone_for_a_clinician_with_the_decision_forms():
    answer, _ = in_review(lead="Test lead for the review view alone.")
    view = ReviewView.as_view(admin_site=admin.site)
    response = view(alone(make_clinician()), object_id=str(answer.pk))
    response.render()
    html = response.content.decode()
    assert "Test lead for the review view alone." in html
    assert ">Approve</button>" in html
    assert response.context_data["site_header"] == admin.site.site_header


def test_a_view_alone_still_refuses_who_may_not_see_answers_and_names_a_missing_one():
    answer, _ = draft()
    view = HistoryView.as_view(admin_site=admin.site)
    with pytest.raises(PermissionDenied):
        view(alone(make_user()), object_id=str(answer.pk))
    with pytest.raises(Http404, match=NO_SUCH_ANSWER):
        view(alone(make_writer()), object_id="999999")


def test_the_submit_view_alone_calls_the_transition_and_says_so():
    answer, writer = draft()
    view = SubmitView.as_view(admin_site=admin.site)
    request = alone(writer, "post")
    response = view(request, object_id=str(answer.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:answers_answer_change", args=[answer.pk])
    assert [str(m) for m in request._messages] == [SUBMITTED]
    answer.refresh_from_db()
    assert answer.status == Answer.Status.IN_REVIEW
    assert view(alone(writer), object_id=str(answer.pk)).status_code == 405
