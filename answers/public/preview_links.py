"""The outside reviewer's preview: a draft in medical review, opened with a link's token.
It renders the submitted content with the same snapshot code and article template as the
clinician's preview, never caches, and is kept out of search engines and every listing."""

import hashlib
import hmac

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..models import PreviewLink, PublishedAnswer, WorkflowError
from .forms import PreviewCommentForm
from .ratelimit import client_ip, within_limit


def _private(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _page(request, link, form, *, status=200):
    problem = link.problem()
    if problem:
        return _private(
            render(request, "answers/preview_link_closed.html", {"problem": problem}, status=410)
        )
    context = {
        "publication": PublishedAnswer.build(link.answer),
        "link": link,
        "form": form,
    }
    return _private(render(request, "answers/preview_link.html", context, status=status))


def _visitor(request) -> str:
    """An opaque key for one browser (address and user agent, keyed with the secret key):
    enough to audit an opening once per visitor, without storing who they are."""
    seen = f"{client_ip(request)}\n{request.META.get('HTTP_USER_AGENT', '')}"
    digest = hmac.new(settings.SECRET_KEY.encode(), seen.encode(), hashlib.sha256)
    return digest.hexdigest()[:12]


def _link_or_404(token):
    link = PreviewLink.for_token(token)
    if link is None:
        raise Http404("No preview at this address.")
    return link


@never_cache
@require_http_methods(["GET", "HEAD"])
def preview(request, token):
    link = _link_or_404(token)
    response = _page(request, link, PreviewCommentForm())
    if response.status_code == 200:
        link.record_opening(visitor=_visitor(request))
    return response


@never_cache
@require_http_methods(["POST"])
def comment(request, token):
    link = _link_or_404(token)
    window = settings.FEEDBACK_RATE_WINDOW
    if not within_limit(
        request, scope="preview_comment", limit=settings.FEEDBACK_RATE_LIMIT, window=window
    ):
        response = _private(
            render(
                request,
                "answers/preview_link_closed.html",
                {"problem": "Too many comments: please wait a few minutes and try again."},
                status=429,
            )
        )
        response["Retry-After"] = str(window)
        return response
    form = PreviewCommentForm(request.POST)
    if not form.is_valid():
        return _page(request, link, form, status=400)
    try:
        link.add_comment(name=form.cleaned_data["name"], text=form.cleaned_data["text"])
    except WorkflowError:
        return _page(request, link, form, status=410)
    messages.success(
        request, "Thank you: your comment was sent to the clinician reviewing this draft."
    )
    return redirect(request.path.removesuffix("comment/") + "#comment")
