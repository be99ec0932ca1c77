"""Public pages. They read only the approved snapshots (PublishedAnswer), never drafts, and
each runs a fixed number of queries however long the answer is."""

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from ops.pagecache import current_generation, public_page, set_last_modified, set_surrogate_keys

from .. import search_terms
from ..models import (
    Contributor,
    FormerContributorSlug,
    PublishedAnswer,
    ReaderFeedback,
    SearchCount,
    SignOff,
    SitePage,
)
from ..people import person
from ..rendering import render_markdown
from .caching import ABOUT, GLOSSARY, LISTING, answer_key, contributor_key, topic_key
from .cite import page_citation
from .forms import FeedbackForm, MissingForm
from .glossary import by_letter, public_terms
from .origin import same_origin
from .paging import RowsById
from .ratelimit import within_limit
from .search import (
    clean_query,
    parse_query,
    promoted_ids,
    related_questions,
    search,
    suggestion,
    with_snippets,
)
from .structured_data import (
    absolute_url,
    answer_page_data,
    breadcrumbs,
    contributor_page_data,
    glossary_data,
    ld_json_script,
    meta_description,
    site_page_data,
    snapshot_topic_name,
)
from .translated import alternates_of, topic_alternates

RECENT_COUNT = 10
DAY = 24 * 3600  # how long what is kept under a generation may stay in the cache
SEARCH_PAGE_SIZE = 10
TOPIC_PAGE_SIZE = 50
CONTRIBUTOR_PAGE_SIZE = 50
# The columns an answer page never reads: article_html holds them rendered.
ARTICLE_SOURCES = ("lead_html", "body_html", "references_html", "search_text", "search_vector")


def _publication_or_404(slug):
    """The publication at this address; 404 before its go-live time (an embargo)."""
    publication = PublishedAnswer.objects.defer(*ARTICLE_SOURCES).for_slug(slug)
    if publication is None or publication.is_embargoed():
        raise Http404("No published answer at this address.")
    return publication


def _withdrawn(request, publication):
    """410 Gone, with somewhere useful to go next: the topic's other answers and search."""
    others = (
        PublishedAnswer.objects.listing()
        .filter(topic=publication.topic_id)
        .order_by("question")[:10]
    )
    response = render(
        request,
        "answers/withdrawn.html",
        {
            "publication": publication,
            "topic": publication.topic,
            "others": others,
            "taken_down": publication.public_state() == "taken_down",
        },
        status=410,
    )
    set_last_modified(response, publication.withdrawn_at)
    return set_surrogate_keys(
        response, answer_key(publication.answer_id), topic_key(publication.topic_id)
    )


@public_page
@require_safe
def home(request):
    recent = PublishedAnswer.objects.listing().order_by("-approved_at")[:RECENT_COUNT]
    response = render(
        request,
        "answers/home.html",
        {
            "recent": recent,
            "topics": PublishedAnswer.objects.live_topics(),
            "canonical_url": absolute_url("/"),
        },
    )
    return set_surrogate_keys(response, LISTING)


@public_page
@require_safe
def topics(request):
    """Every topic with a live answer, with how many."""
    response = render(
        request,
        "answers/topics.html",
        {
            "topics": PublishedAnswer.objects.live_topics().order_by("name"),
            "canonical_url": absolute_url(reverse("topics")),
        },
    )
    return set_surrogate_keys(response, LISTING)


@public_page(query=["page"])
@require_safe
def topic(request, slug):
    """A topic's live answers by question, TOPIC_PAGE_SIZE a page: the ordering reads an
    index, and only the page's rows are read (a topic may hold thousands of answers)."""
    topic = get_object_or_404(PublishedAnswer.objects.live_topics(), slug=slug)
    ordered_ids = (
        PublishedAnswer.objects.live()
        .filter(topic=topic)
        .order_by("question", "pk")
        .values_list("pk", flat=True)
    )
    answers = RowsById(ordered_ids, PublishedAnswer.objects.listing(), count=topic.answer_count)
    page = Paginator(answers, TOPIC_PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(
        request,
        "answers/topic.html",
        {
            "topic": topic,
            "page": page,
            "publications": page.object_list,
            "canonical_url": absolute_url(topic.get_absolute_url()),
            # Its pages in other languages (a translation's publication and the topic's
            # names purge the topic's key).
            "alternates": topic_alternates(topic) if settings.CONTENT_LANGUAGES else [],
        },
    )
    return set_surrogate_keys(response, topic_key(topic.pk))


def _related(publication, generation):
    """Related questions change only when what is live changes, which bumps the public
    generation (every purge, every scheduled go-live or take-down): kept under it, the
    search behind them (about half an uncached page's time) runs once per generation."""
    return cache.get_or_set(
        f"related:{publication.pk}:{generation}", lambda: related_questions(publication), DAY
    )


def _alternates(publication, generation):
    """The page's other languages change only when what is live changes: kept under the
    generation, like related questions."""
    if not settings.CONTENT_LANGUAGES:
        return []
    return cache.get_or_set(
        f"alternates:{publication.pk}:{generation}", lambda: alternates_of(publication), DAY
    )


def _answer_page(request, publication, form, *, status=200):
    data = publication.data
    generation = current_generation()  # read once: related questions and glossary terms
    context = {
        "publication": publication,
        "data": data,
        "form": form,
        "breadcrumbs": breadcrumbs(publication),
        "description": meta_description(data.get("lead_text", "")),
        "canonical_url": absolute_url(publication.get_absolute_url()),
        "structured_data": ld_json_script(answer_page_data(publication)),
        "overdue_notice": publication.is_overdue_for_readers(),
        "topic_name": snapshot_topic_name(publication),
        "page_citation": page_citation(publication),
        "related": _related(publication, generation),
        "alternates": _alternates(publication, generation),
        "public_generation": generation,
    }
    return render(request, "answers/answer_detail.html", context, status=status)


@public_page
@require_safe
def question(request, slug):
    publication = _publication_or_404(slug)
    if publication.gone_reason():
        return _withdrawn(request, publication)
    response = _answer_page(request, publication, FeedbackForm(auto_id="feedback-%s"))
    set_last_modified(response, publication.approved_at)
    # Any answer may show a glossary definition: a term signed off or taken down purges it.
    return set_surrogate_keys(response, answer_key(publication.answer_id), GLOSSARY)


@public_page
@require_safe
def glossary(request):
    """The signed-off definitions, A to Z."""
    terms = public_terms()
    response = render(
        request,
        "answers/glossary.html",
        {
            "letters": by_letter(terms),
            "canonical_url": absolute_url(reverse("glossary")),
            "structured_data": ld_json_script(glossary_data(terms)) if terms else "",
        },
    )
    return set_surrogate_keys(response, GLOSSARY)


@public_page(query=["written", "reviewed"])
@require_safe
def contributor(request, slug):
    """A writer's or clinician's public page: only for someone with a live answer. Cached
    whole: a change to the profile purges its key, one to the answers it lists "listing".
    Each list is paged like a topic's (`?written=2`, `?reviewed=2`): someone may be named
    on thousands of answers, and only the rows of the pages shown are read."""
    contributor = Contributor.objects.select_related("user").filter(slug=slug).first()
    if contributor is None:
        # Bylines approved before an address change link to the old one.
        former = get_object_or_404(
            FormerContributorSlug.objects.select_related("contributor"), slug=slug
        )
        return set_surrogate_keys(
            redirect(former.contributor, permanent=True), contributor_key(former.contributor_id)
        )
    user = contributor.user
    live = PublishedAnswer.objects.live()
    # As EXISTS tests, so the database walks the question order of an index and stops at
    # the page, instead of sorting every answer naming this person.
    writes = Exists(
        PublishedAnswer.writers.through.objects.filter(publishedanswer=OuterRef("pk"), user=user)
    )
    signed = Exists(SignOff.objects.filter(pk=OuterRef("signoff_id"), reviewer=user))
    lists = {
        # Someone who signed off an answer is listed as its clinician, not as its writer.
        "written": Q(writes) & ~Q(signed),
        "reviewed": Q(signed),
    }
    # Both lists' sizes in one pass over the live answers (two counts read them twice).
    counts = live.aggregate(**{name: Count("pk", filter=naming) for name, naming in lists.items()})
    pages = {}
    for name, naming in lists.items():
        ordered_ids = live.filter(naming).order_by("question", "pk").values_list("pk", flat=True)
        rows = RowsById(ordered_ids, PublishedAnswer.objects.listing(), count=counts[name])
        pages[name] = Paginator(rows, CONTRIBUTOR_PAGE_SIZE).get_page(request.GET.get(name))
    if not any(page.paginator.count for page in pages.values()):
        # Tagged "listing" like every untagged page: the approval that names them purges it.
        raise Http404("No published answer names this person.")
    links = {
        name: _page_links(request, name, page)
        for name, page in pages.items()
        if page.paginator.count
    }
    response = render(
        request,
        "answers/contributor.html",
        {
            "contributor": contributor,
            "written": pages["written"].object_list,
            "reviewed": pages["reviewed"].object_list,
            "pages": pages,
            "links": links,
            "canonical_url": absolute_url(contributor.get_absolute_url()),
            "structured_data": ld_json_script(contributor_page_data(contributor, person(user))),
        },
    )
    return set_surrogate_keys(response, contributor_key(contributor.pk), LISTING)


def _page_links(request, name, page):
    """(previous, next) addresses of one list's pages, keeping the other list's page."""

    def address(number):
        query = request.GET.copy()
        query[name] = number
        if number == 1:
            del query[name]
        return f"?{query.urlencode()}" if query else request.path

    return (
        address(page.previous_page_number()) if page.has_previous() else None,
        address(page.next_page_number()) if page.has_next() else None,
    )


@public_page
@require_safe
def site_pages(request):
    """About us and editorial policy: the pages the publisher has written."""
    response = render(
        request,
        "answers/site_pages.html",
        {
            "pages": SitePage.objects.filter(is_published=True),
            "canonical_url": absolute_url(reverse("site_pages")),
        },
    )
    return set_surrogate_keys(response, ABOUT)


@public_page
@require_safe
def site_page(request, slug):
    page = get_object_or_404(SitePage, slug=slug, is_published=True)
    response = render(
        request,
        "answers/site_page.html",
        {
            "page": page,
            "body_html": render_markdown(page.body, numbers={}, first_cited=set()),
            "canonical_url": absolute_url(page.get_absolute_url()),
            "structured_data": ld_json_script(site_page_data(page)),
        },
    )
    return set_surrogate_keys(response, ABOUT)


def count_search(request, response):
    """Count the search a reader made (its first page, readers only), by day, with nothing
    about who searched. Runs for cached pages too (`public_page(on_serve=)`)."""
    found = getattr(response, "search_found", None)
    if found is None or request.GET.get("page", "1") != "1":
        return
    query = " ".join(search_terms.fold(clean_query(request.GET.get("q", ""))).split())
    SearchCount.record(query, found=found, day=timezone.localdate())


@public_page(query=["q", "page"], on_serve=count_search)
@require_safe
def search_page(request):
    query = clean_query(request.GET.get("q", ""))
    context = {"query": query, "page": None}
    if query:
        parsed = parse_query(query)
        promoted = promoted_ids(query)
        paginator = Paginator(search(query, parsed=parsed, promoted=promoted), SEARCH_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = with_snippets(list(page.object_list), query, parsed=parsed)
        for publication in page.object_list:
            # Readers are told which results an editor put first, not left to think them
            # the best match.
            publication.promoted = publication.pk in promoted
        context["page"] = page
        context["synonyms"] = parsed.synonyms
        if not paginator.count:
            context["suggestion"] = suggestion(query)
    if not query or not context["page"].object_list:
        context["topics"] = PublishedAnswer.objects.live_topics()
    response = render(request, "answers/search.html", context)
    if query:
        # Kept with the cached page, for `count_search`.
        response.search_found = context["page"].paginator.count
    return set_surrogate_keys(response, LISTING)


def _refuse_feedback_post(request, publication):
    """A post from another site (403) or one too many from this connection (429), else None."""
    if not same_origin(request):
        return HttpResponseForbidden(
            "This form only accepts posts from this site's own pages.",
            content_type="text/plain; charset=utf-8",
        )
    window = settings.FEEDBACK_RATE_WINDOW
    if within_limit(request, scope="feedback", limit=settings.FEEDBACK_RATE_LIMIT, window=window):
        return None
    response = render(
        request,
        "answers/feedback_limited.html",
        {"publication": publication, "minutes": max(1, window // 60)},
        status=429,
    )
    response["Retry-After"] = str(window)
    return response


@csrf_exempt
@require_POST
def feedback(request, slug):
    """The answer pages are cached whole and set no CSRF cookie, so this form carries no
    token: a browser's Sec-Fetch-Site or Origin header shows where the post came from, and
    a post from another site is refused (see `same_origin`)."""
    publication = _publication_or_404(slug)
    if publication.gone_reason():
        return _withdrawn(request, publication)
    refused = _refuse_feedback_post(request, publication)
    if refused:
        return refused
    form = FeedbackForm(request.POST, auto_id="feedback-%s")
    if not form.is_valid():
        return _answer_page(request, publication, form, status=400)
    feedback = ReaderFeedback.record(
        publication=publication,
        kind=form.cleaned_data["kind"],
        message=form.cleaned_data["message"],
    )
    if feedback.kind == ReaderFeedback.Kind.NOT_HELPFUL and not feedback.message:
        token = signing.dumps(feedback.pk, salt=MISSING_SALT)
        return redirect(reverse("question_missing", args=[publication.slug]) + f"?t={token}")
    if form.cleaned_data["kind"] == ReaderFeedback.Kind.PROBLEM:
        text = "Thank you: your report was sent to our editors, who check every report."
    else:
        text = "Thank you for your feedback: it helps our editors improve this answer."
    messages.success(request, text)
    return redirect(publication.get_absolute_url() + "#feedback")


MISSING_SALT = "answers.feedback.missing"


@never_cache
@csrf_exempt  # as `feedback`: the Origin check below, and the signed link
def what_was_missing(request, slug):
    """After a "No", the reader may say what was missing (optional). The link is signed
    with the vote it completes and opens for an hour: no cookie, nothing about the reader."""
    publication = _publication_or_404(slug)
    token = request.POST.get("t") or request.GET.get("t") or ""
    try:
        pk = signing.loads(token, salt=MISSING_SALT, max_age=3600)
    except signing.BadSignature:
        return redirect(publication.get_absolute_url() + "#feedback")
    vote = ReaderFeedback.objects.filter(
        pk=pk, answer_id=publication.answer_id, kind=ReaderFeedback.Kind.NOT_HELPFUL
    ).first()
    if vote is None or vote.message:
        return redirect(publication.get_absolute_url() + "#feedback")
    form = MissingForm(request.POST or None, initial={"t": token})
    if request.method == "POST":
        refused = _refuse_feedback_post(request, publication)
        if refused:
            return refused
        if form.is_valid():
            vote.add_what_was_missing(form.cleaned_data["missing"])
            messages.success(request, "Thank you: our editors read what readers miss.")
            return redirect(publication.get_absolute_url() + "#feedback")
    return render(
        request,
        "answers/feedback_missing.html",
        {"publication": publication, "form": form},
        status=400 if form.errors else 200,
    )


@public_page
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
