"""Public pages. They read only the approved snapshots (PublishedAnswer), never drafts, and
each runs a fixed number of queries however long the answer is."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from ..models import PublishedAnswer, ReaderFeedback
from .forms import FeedbackForm
from .ratelimit import within_limit
from .search import clean_query, search, with_snippets
from .structured_data import (
    absolute_url,
    answer_page_data,
    breadcrumbs,
    ld_json_script,
    meta_description,
)

RECENT_COUNT = 10
SEARCH_PAGE_SIZE = 10


def _publication_or_404(slug):
    """The publication at this address; 404 before its go-live time (an embargo)."""
    publication = PublishedAnswer.objects.for_slug(slug)
    if publication is None or publication.is_embargoed():
        raise Http404("No published answer at this address.")
    return publication


def _gone(publication):
    return publication.withdrawn_at is not None or publication.is_taken_down()


def _withdrawn(request, publication):
    """410 Gone, with somewhere useful to go next: the topic's other answers and search."""
    others = (
        PublishedAnswer.objects.listing()
        .filter(topic=publication.topic_id)
        .order_by("question")[:10]
    )
    return render(
        request,
        "answers/withdrawn.html",
        {
            "publication": publication,
            "topic": publication.topic,
            "others": others,
            "taken_down": publication.withdrawn_at is None,
        },
        status=410,
    )


@require_safe
def home(request):
    recent = PublishedAnswer.objects.listing().order_by("-approved_at")[:RECENT_COUNT]
    return render(
        request,
        "answers/home.html",
        {
            "recent": recent,
            "topics": PublishedAnswer.objects.live_topics(),
            "canonical_url": absolute_url("/"),
        },
    )


@require_safe
def topic(request, slug):
    topic = get_object_or_404(PublishedAnswer.objects.live_topics(), slug=slug)
    publications = PublishedAnswer.objects.listing().filter(topic=topic).order_by("question")
    return render(
        request,
        "answers/topic.html",
        {
            "topic": topic,
            "publications": publications,
            "canonical_url": absolute_url(topic.get_absolute_url()),
        },
    )


def _answer_page(request, publication, form, *, status=200):
    data = publication.data
    sections = data.get("sections", [])
    context = {
        "publication": publication,
        "data": data,
        "sections": sections,
        "form": form,
        "breadcrumbs": breadcrumbs(publication),
        "description": meta_description(data.get("lead_text", "")),
        "canonical_url": absolute_url(publication.get_absolute_url()),
        "structured_data": ld_json_script(answer_page_data(publication)),
        "overdue_notice": publication.is_overdue_for_readers(),
    }
    return render(request, "answers/answer_detail.html", context, status=status)


@require_safe
def question(request, slug):
    publication = _publication_or_404(slug)
    if _gone(publication):
        return _withdrawn(request, publication)
    return _answer_page(request, publication, FeedbackForm(auto_id="feedback-%s"))


@require_safe
def search_page(request):
    query = clean_query(request.GET.get("q", ""))
    context = {"query": query, "page": None}
    if query:
        paginator = Paginator(search(query), SEARCH_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = with_snippets(list(page.object_list), query)
        context["page"] = page
    if not query or not context["page"].object_list:
        context["topics"] = PublishedAnswer.objects.live_topics()
    return render(request, "answers/search.html", context)


@require_POST
def feedback(request, slug):
    publication = _publication_or_404(slug)
    if _gone(publication):
        return _withdrawn(request, publication)
    window = settings.FEEDBACK_RATE_WINDOW
    if not within_limit(
        request, scope="feedback", limit=settings.FEEDBACK_RATE_LIMIT, window=window
    ):
        response = render(
            request,
            "answers/feedback_limited.html",
            {"publication": publication, "minutes": max(1, window // 60)},
            status=429,
        )
        response["Retry-After"] = str(window)
        return response
    form = FeedbackForm(request.POST, auto_id="feedback-%s")
    if not form.is_valid():
        return _answer_page(request, publication, form, status=400)
    ReaderFeedback.record(
        publication=publication,
        kind=form.cleaned_data["kind"],
        message=form.cleaned_data["message"],
    )
    if form.cleaned_data["kind"] == ReaderFeedback.Kind.PROBLEM:
        text = "Thank you: your report was sent to our editors, who check every report."
    else:
        text = "Thank you for your feedback: it helps our editors improve this answer."
    messages.success(request, text)
    return redirect(publication.get_absolute_url() + "#feedback")


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin/",
        "Disallow: /preview/",
        f"Sitemap: {absolute_url(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
