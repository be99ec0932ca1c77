"""The public pages in a translation's language, at /<language>/… (i18n_patterns without a
prefix for English, so every English address is unchanged). They read only the approved
translation snapshots (PublishedTranslation); a translation whose English answer is not
live is not served; one made from an older English version is served with a notice."""

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ops.pagecache import public_page, set_last_modified, set_surrogate_keys

from ..models import (
    PublishedAnswer,
    PublishedTranslation,
    TopicName,
    language_name,
    text_search_config,
)
from .caching import LISTING, answer_key, tagged, topic_key
from .structured_data import (
    absolute_url,
    ld_json_script,
    meta_description,
    publisher,
    translated_url,
)

PAGE_SIZE = 50


def _language_or_404():
    language = translation.get_language()
    if language not in settings.CONTENT_LANGUAGES:
        raise Http404("No pages in this language.")
    return language


def live_translations():
    """Translation snapshots readers see: not withdrawn, their English answer live. The
    English side is a correlated EXISTS, so the query starts from the few translations:
    as a join, SQLite's planner walked every live English answer first (210 ms at 10,000
    answers, for none translated)."""
    english_live = PublishedAnswer.objects.filter(
        PublishedAnswer.objects.live_condition(), answer_id=OuterRef("translation__answer_id")
    )
    return PublishedTranslation.objects.filter(withdrawn_at__isnull=True).filter(
        Exists(english_live)
    )


def translated_topics(language) -> list[TopicName]:
    """The topics readers of `language` can browse: named in that language by the editors,
    with at least one live translation (filed under the English answer's live topic). Each
    has `answer_count` and `last_reviewed`; ordered by name. Two queries."""
    counts = {
        row["translation__answer__publication__topic"]: row
        for row in live_translations()
        .filter(language=language)
        .order_by()
        .values("translation__answer__publication__topic")
        .annotate(answer_count=Count("pk"), last_reviewed=Max("approved_at"))
    }
    if not counts:
        return []
    names = list(
        TopicName.objects.filter(language=language, topic_id__in=counts)
        .select_related("topic")
        .order_by("name", "pk")
    )
    for name in names:
        name.answer_count = counts[name.topic_id]["answer_count"]
        name.last_reviewed = counts[name.topic_id]["last_reviewed"]
    return names


def topic_alternates(topic, *, languages=None) -> list[dict]:
    """The topic's page in every language it has one in: English first, then each language
    whose topic page exists (named in it, with a live translation); none when only English."""
    if languages is None:  # one query
        named = TopicName.objects.filter(topic=topic, language__in=settings.CONTENT_LANGUAGES)
        languages = (
            live_translations()
            .filter(
                translation__answer__publication__topic=topic,
                language__in=named.values("language"),
            )
            .order_by("language")
            .values_list("language", flat=True)
            .distinct()
        )
    return language_links(
        reverse("topic", args=[topic.slug]),
        [
            (language, translated_url(language, "translated_topic", topic.slug))
            for language in languages
        ],
    )


def language_links(english_path, translated) -> list[dict]:
    """A page's addresses in each language for hreflang and the switcher (hreflang, the
    language's own name, path, full address): English first, then `translated`, (language,
    path) pairs; none when there is no other language."""
    if not translated:
        return []
    names = dict(settings.LANGUAGES)
    return [
        {
            "hreflang": language,
            "name": names.get(language, language),
            "path": path,
            "url": absolute_url(path),
        }
        for language, path in [("en", english_path), *translated]
    ]


def alternates_of(publication: PublishedAnswer, *, live=None) -> list[dict]:
    """The page in every language readers can read it in: English first, then each live
    translation (hreflang, the language's own name, the address); none when it has no
    live translation."""
    rows = (
        live
        if live is not None
        else live_translations().filter(translation__answer_id=publication.answer_id)
    )
    return language_links(
        reverse("question", args=[publication.slug]),
        [
            (row.language, translated_url(row.language, "translated_question", row.slug))
            for row in sorted(rows, key=lambda r: r.language)
        ],
    )


def _structured_data(snapshot, source, url):
    data = snapshot.data
    return {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "@id": url,
        "url": url,
        "name": snapshot.question,
        "headline": snapshot.question,
        "description": meta_description(data.get("lead_text", "")),
        "inLanguage": snapshot.language,
        "isAccessibleForFree": True,
        "audience": {"@type": "PeopleAudience", "audienceType": "Patient"},
        "datePublished": snapshot.first_published_at.isoformat(),
        "dateModified": snapshot.approved_at.isoformat(),
        "lastReviewed": timezone.localdate(snapshot.approved_at).isoformat(),
        "publisher": publisher(),
        "translationOfWork": {
            "@type": "MedicalWebPage",
            "@id": absolute_url(reverse("question", args=[source.slug])),
            "inLanguage": "en",
        },
        "mainEntity": {
            "@type": "Question",
            "name": snapshot.question,
            "acceptedAnswer": {"@type": "Answer", "text": data.get("lead_text", ""), "url": url},
        },
    }


@public_page
@require_safe
def translated_question(request, slug):
    language = _language_or_404()
    snapshot = (
        PublishedTranslation.objects.select_related(
            "translation", "translation__answer__publication"
        )
        .filter(language=language, slug=slug)
        .first()
    )
    if snapshot is None:
        raise Http404("No translation at this address.")
    source = getattr(snapshot.translation.answer, "publication", None)
    if source is None or not source.is_live() or snapshot.withdrawn_at is not None:
        response = render(
            request,
            "answers/translated_gone.html",
            {"page_language": language, "snapshot": snapshot},
            status=410,
        )
        return set_surrogate_keys(response, answer_key(snapshot.translation.answer_id))
    url = absolute_url(request.path)
    alternates = alternates_of(source)
    topic_crumb = _topic_crumb(snapshot, source, language)
    response = render(
        request,
        "answers/translated_detail.html",
        {
            "page_language": language,
            "snapshot": snapshot,
            "data": snapshot.data,
            "source": source,
            "source_url": reverse("question", args=[source.slug]),
            "out_of_date": snapshot.translation.out_of_date_since is not None,
            "alternates": alternates,
            "other_languages": [a for a in alternates if a["hreflang"] != language],
            "canonical_url": url,
            "description": meta_description(snapshot.data.get("lead_text", "")),
            "structured_data": ld_json_script(_structured_data(snapshot, source, url)),
            "emergency_number": settings.EMERGENCY_NUMBER,
            "reviewer_name": reviewer_name(snapshot.data.get("reviewer") or {}, language),
            "breadcrumbs": [
                (_("Home"), translated_url(language, "translated_home")),
                topic_crumb,
                (snapshot.question, request.path),
            ]
            if topic_crumb
            else None,
        },
    )
    set_last_modified(response, max(snapshot.approved_at, source.approved_at))
    # The English answer's approval or withdrawal, and this translation's, purge the answer's
    # key; the topic's names (the breadcrumb's page appears or goes) purge the topic's.
    return set_surrogate_keys(
        response, answer_key(snapshot.translation.answer_id), topic_key(source.topic_id)
    )


def _topic_crumb(snapshot, source, language):
    """(name, path) of the topic's page in this language, named as the clinician approved it
    (the snapshot's), while that page exists; None otherwise, or when the English answer has
    moved to another topic since (the approved name is the other topic's). This translation
    is live in the English answer's topic, so the page exists while the topic has a name in
    the language. One query."""
    topic = snapshot.data.get("topic")
    if not topic or topic.get("id") != source.topic_id:
        return None
    slug = (
        TopicName.objects.filter(language=language, topic_id=source.topic_id)
        .values_list("topic__slug", flat=True)
        .first()
    )
    if slug is None:
        return None
    return (topic["name"], translated_url(language, "translated_topic", slug))


def reviewer_name(reviewer: dict, language):
    """The signing clinician's name in the byline, linked to their page in this language
    when they have a profile (an address that has moved since redirects)."""
    name = reviewer.get("name", "")
    if not reviewer.get("slug"):
        return name
    url = translated_url(language, "translated_contributor", reviewer["slug"])
    return format_html('<a href="{}">{}</a>', url, name)


@public_page
@require_safe
def translated_home(request):
    language = _language_or_404()
    snapshots = (
        live_translations()
        .filter(language=language)
        .only("slug", "question", "language", "approved_at")
        .order_by("question")[:PAGE_SIZE]
    )
    response = render(
        request,
        "answers/translated_home.html",
        {
            "page_language": language,
            "snapshots": snapshots,
            "language_name": dict(settings.LANGUAGES)[language],
            "english_name": language_name(language),
            "canonical_url": absolute_url(request.path),
        },
    )
    return set_surrogate_keys(response, LISTING)


@public_page
@require_safe
def translated_topics_page(request):
    """The topics with answers in this language, by their name in it."""
    language = _language_or_404()
    response = render(
        request,
        "answers/translated_topics.html",
        {
            "page_language": language,
            "topics": translated_topics(language),
            "canonical_url": absolute_url(request.path),
        },
    )
    return set_surrogate_keys(response, LISTING)


@public_page(query=["page"])
@require_safe
def translated_topic(request, slug):
    """A topic's live translations in this language, under the topic's name in it: 404 while
    the editors have not named it in this language or nothing in it is live."""
    language = _language_or_404()
    name = (
        TopicName.objects.select_related("topic")
        .filter(language=language, topic__slug=slug)
        .first()
    )
    if name is None:
        raise Http404("This topic has no name in this language.")
    rows = (
        live_translations()
        .filter(language=language, translation__answer__publication__topic=name.topic)
        .only("slug", "question", "language", "approved_at")
        .order_by("question", "pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    if not page.object_list:
        raise Http404("Nothing in this topic is published in this language.")
    several = len(settings.CONTENT_LANGUAGES) > 1
    alternates = topic_alternates(name.topic, languages=None if several else [language])
    response = render(
        request,
        "answers/translated_topic.html",
        {
            "page_language": language,
            "name": name,
            "page": page,
            "snapshots": page.object_list,
            "alternates": alternates,
            "other_languages": [a for a in alternates if a["hreflang"] != language],
            "canonical_url": absolute_url(request.path),
        },
    )
    # A translation published or withdrawn, an English answer's change, the topic's names.
    return set_surrogate_keys(response, topic_key(name.topic_id))


@public_page(query=["q"])
@require_safe
def translated_search(request):
    """Search in this language: on PostgreSQL with the language's own text-search
    configuration (its stemming), elsewhere by words contained."""
    language = _language_or_404()
    query = " ".join(request.GET.get("q", "").split())[:200]
    results = []
    if query:
        results = list(search_translations(query, language=language)[:PAGE_SIZE])
    response = render(
        request,
        "answers/translated_search.html",
        {"page_language": language, "query": query, "results": results},
    )
    return set_surrogate_keys(response, LISTING)


def search_translations(query, *, language):
    """Live snapshots in `language` matching `query`: on PostgreSQL against their stored,
    GIN-indexed search document (the language's stemming), ranked; elsewhere by words
    contained."""
    rows = live_translations().filter(language=language)
    if connection.vendor == "postgresql":
        search_query = SearchQuery(
            query, config=text_search_config(language), search_type="websearch"
        )
        return (
            rows.filter(search_vector=search_query)
            .annotate(rank=SearchRank(F("search_vector"), search_query))
            .order_by("-rank", "question")
        )
    condition = Q()
    for word in query.split():
        condition &= Q(question__icontains=word) | Q(search_text__icontains=word)
    return rows.filter(condition).order_by("question")


class TranslatedFeed(Feed):
    """The newest approved translations in the page's language (Atom)."""

    feed_type = Atom1Feed
    description_template = None

    def get_object(self, request):
        return _language_or_404()

    def title(self, language):
        return _("Patient answers: recently reviewed answers")

    def subtitle(self, language):
        return _("Answers newly published or re-reviewed by a clinician.")

    def link(self, language):
        return absolute_url(translated_url(language, "translated_home"))

    def feed_url(self, language):
        return absolute_url(translated_url(language, "translated_feed"))

    def items(self, language):
        return live_translations().filter(language=language).order_by("-approved_at", "pk")[:50]

    def item_title(self, item):
        return item.question

    def item_description(self, item):
        return escape(item.data.get("lead_text", ""))

    def item_link(self, item):
        return absolute_url(translated_url(item.language, "translated_question", item.slug))

    def item_guid(self, item):
        return self.item_link(item)

    def item_pubdate(self, item):
        return item.approved_at

    def item_updateddate(self, item):
        return item.approved_at


translated_feed = public_page(tagged(TranslatedFeed(), LISTING))
