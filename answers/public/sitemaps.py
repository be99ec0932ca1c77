"""/sitemap.xml: an index of paginated sitemaps (/sitemap-answers.xml?p=2, ...): every live
answer (lastmod = last reviewed) and translation, every topic with answers and its pages in
other languages, every contributor page (a writer or clinician named on a live answer) and
the published about pages. Each page costs the same few queries however many answers there
are.

A page is written directly as XML from (path, lastmod) entries: Django's sitemap view builds
a dictionary per address and renders it through a template, about 100 ms for a page of
1,000 answers at 10,000 (the target is 50 ms). The answers and topics sitemaps read
(slug, lastmod) rows and reverse their URL once per page.
"""

import datetime
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import http_date

from ..models import Contributor, GlossaryTerm, PublishedAnswer, SitePage, TopicName
from .translated import live_translations, translated_topics, translated_url

# Search engines take up to 50,000 addresses a file; smaller pages stay quick to render.
ANSWERS_PER_SITEMAP = 1000
# What the <slug:...> path converter accepts.
_SLUG_RE = re.compile(r"[-a-zA-Z0-9_]+\Z")
_PLACEHOLDER = "0slug0"


class SiteUrlSitemap(Sitemap):
    """Addresses on SITE_URL, the public origin, whatever host the request came in on."""

    limit = ANSWERS_PER_SITEMAP
    # Pages in the other content languages: a site in English only lists none.
    translated = False

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        parts = urlsplit(settings.SITE_URL)
        return parts.netloc + parts.path.rstrip("/")

    def get_latest_lastmod(self):
        """The newest review of any live answer, in one query (Django's default reads
        every item)."""
        return PublishedAnswer.objects.live().aggregate(latest=Max("approved_at"))["latest"]

    def entries(self, items):
        """(path, lastmod or None) of each item of a page, from location() and lastmod()."""
        lastmod = getattr(self, "lastmod", None)
        for item in items:
            yield self.location(item), (lastmod(item) if callable(lastmod) else lastmod)


class SlugRowsSitemap(SiteUrlSitemap):
    """Items are (slug, lastmod) rows of the URL named `url_name`: a page of 1,000 reads two
    columns, builds no objects and reverses the URL once (a thousand reverse() calls were a
    fifth of a page's time). A slug the URL pattern would not take goes through reverse()
    itself, which refuses it."""

    url_name = ""

    def entries(self, items):
        before, after = reverse(self.url_name, args=[_PLACEHOLDER]).split(_PLACEHOLDER)
        for slug, lastmod in items:
            if _SLUG_RE.match(slug):
                yield f"{before}{slug}{after}", lastmod
            else:
                yield reverse(self.url_name, args=[slug]), lastmod


def translated_alternates(source_slugs) -> dict[str, list[tuple[str, str]]]:
    """{English slug: [(hreflang, path), ...]} for the answers among `source_slugs` that
    have a live translation: English first, then each translation. One query."""
    rows = (
        live_translations()
        .filter(translation__answer__publication__slug__in=list(source_slugs))
        .order_by("language")
        .values_list("translation__answer__publication__slug", "language", "slug")
    )
    found: dict[str, list[tuple[str, str]]] = {}
    for source, language, slug in rows:
        links = found.setdefault(source, [("en", reverse("question", args=[source]))])
        links.append((language, translated_url(language, "translated_question", slug)))
    return found


class AnswerSitemap(SlugRowsSitemap):
    """Each live answer, with its live translations as hreflang alternates."""

    url_name = "question"

    def items(self):
        return PublishedAnswer.objects.live().order_by("slug").values_list("slug", "approved_at")

    def entries(self, items):
        items = list(items)
        alternates = translated_alternates(slug for slug, _ in items) if items else {}
        for (path, lastmod), (slug, _) in zip(super().entries(items), items, strict=True):
            yield path, lastmod, alternates.get(slug, ())


class TranslationSitemap(SiteUrlSitemap):
    """Each live translation at /<language>/…, with the English page and the other
    translations as hreflang alternates."""

    translated = True

    def items(self):
        return (
            live_translations()
            .order_by("language", "slug")
            .values_list(
                "language", "slug", "approved_at", "translation__answer__publication__slug"
            )
        )

    def get_latest_lastmod(self):
        return live_translations().aggregate(latest=Max("approved_at"))["latest"]

    def entries(self, items):
        items = list(items)
        alternates = translated_alternates(source for *_, source in items) if items else {}
        for language, slug, approved_at, source in items:
            path = translated_url(language, "translated_question", slug)
            yield path, approved_at, alternates.get(source, ())


def translated_topic_alternates(topic_slugs) -> dict[str, list[tuple[str, str]]]:
    """{topic slug: [(hreflang, path), ...]} for the topics among `topic_slugs` that have a
    page in another language (named in it, with a live translation): English first. One
    query."""
    live_there = live_translations().filter(
        language=OuterRef("language"), translation__answer__publication__topic=OuterRef("topic")
    )
    rows = (
        TopicName.objects.filter(
            topic__slug__in=list(topic_slugs), language__in=settings.CONTENT_LANGUAGES
        )
        .filter(Exists(live_there))
        .order_by("language")
        .values_list("topic__slug", "language")
    )
    found: dict[str, list[tuple[str, str]]] = {}
    for slug, language in rows:
        links = found.setdefault(slug, [("en", reverse("topic", args=[slug]))])
        links.append((language, translated_url(language, "translated_topic", slug)))
    return found


class TopicSitemap(SlugRowsSitemap):
    """Each topic with a live answer, with its pages in other languages as alternates."""

    url_name = "topic"

    def items(self):
        topics = PublishedAnswer.objects.live_topics().order_by("slug")
        return topics.values_list("slug", "last_reviewed")

    def entries(self, items):
        items = list(items)
        alternates = translated_topic_alternates(slug for slug, _ in items) if items else {}
        for (path, lastmod), (slug, _) in zip(super().entries(items), items, strict=True):
            yield path, lastmod, alternates.get(slug, ())


class TranslatedTopicSitemap(SiteUrlSitemap):
    """Each topic page in another language (/<language>/topics/…), with the English topic
    page and its other languages as hreflang alternates."""

    translated = True

    def items(self):
        if not hasattr(self, "_topics"):
            self._topics = [
                (language, name.topic.slug, name.last_reviewed)
                for language in settings.CONTENT_LANGUAGES
                for name in sorted(translated_topics(language), key=lambda n: n.topic.slug)
            ]
        return self._topics

    def get_latest_lastmod(self):
        return max((lastmod for *_, lastmod in self.items()), default=None)

    def entries(self, items):
        items = list(items)
        alternates = translated_topic_alternates(slug for _, slug, _ in items) if items else {}
        for language, slug, lastmod in items:
            path = translated_url(language, "translated_topic", slug)
            yield path, lastmod, alternates.get(slug, ())


class ContributorSitemap(SiteUrlSitemap):
    """The contributor pages that exist: people named on a live answer (others answer 404).
    No lastmod: a profile edit is not dated, and no date is better than a wrong one."""

    def items(self):
        """Whom a live byline names (PublishedAnswerQuerySet.naming: a writer or the signing
        clinician), as two sets read once, where EXISTS per contributor read every live
        answer for each person named on none (about 250 ms each at 10,000 answers)."""
        live = PublishedAnswer.objects.live()
        named = Q(user__in=live.values("writers")) | Q(user__in=live.values("signoff__reviewer"))
        return Contributor.objects.filter(named).only("slug").order_by("slug")

    def get_latest_lastmod(self):
        return None


class TranslatedContributorSitemap(SiteUrlSitemap):
    """The contributor pages in each language: whoever signed off a live translation into it
    (the page in that language lists those translations). No lastmod, as for the others."""

    translated = True

    def items(self):
        slug = "signoff__reviewer__contributor__slug"
        return (
            live_translations()
            .filter(signoff__reviewer__contributor__isnull=False)
            .values_list("language", slug)
            .distinct()
            .order_by("language", slug)
        )

    def location(self, item):
        language, slug = item
        return translated_url(language, "translated_contributor", slug)

    def get_latest_lastmod(self):
        return None


ABOUT_LIST = "about"


class AboutSitemap(SiteUrlSitemap):
    """About us and editorial policy: the list at /about/ and each published page; none
    while the editors have published none (the list then only says so)."""

    def items(self):
        pages = list(
            SitePage.objects.filter(is_published=True)
            .only("slug", "updated_at")
            .order_by("position", "title")
        )
        return [ABOUT_LIST, *pages] if pages else []

    def location(self, item):
        return reverse("site_pages") if item == ABOUT_LIST else item.get_absolute_url()

    def lastmod(self, item):
        return self.get_latest_lastmod() if item == ABOUT_LIST else item.updated_at

    def get_latest_lastmod(self):
        """Any page's last change, an unpublished one's too (unpublishing changes the list);
        None while none is published."""
        if not hasattr(self, "_latest"):
            found = SitePage.objects.aggregate(
                latest=Max("updated_at"), published=Count("pk", filter=Q(is_published=True))
            )
            self._latest = found["latest"] if found["published"] else None
        return self._latest


class GlossarySitemap(SiteUrlSitemap):
    """/glossary/, once a clinician has signed off a definition."""

    def items(self):
        return ["glossary"] if self.get_latest_lastmod() else []

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return self.get_latest_lastmod()

    def get_latest_lastmod(self):
        if not hasattr(self, "_latest"):
            self._latest = GlossaryTerm.objects.public().aggregate(latest=Max("approved_at"))[
                "latest"
            ]
        return self._latest


sitemaps = {
    "answers": AnswerSitemap,
    "translations": TranslationSitemap,
    "topics": TopicSitemap,
    "translated-topics": TranslatedTopicSitemap,
    "contributors": ContributorSitemap,
    "translated-contributors": TranslatedContributorSitemap,
    "about": AboutSitemap,
    "glossary": GlossarySitemap,
}


def active_sitemaps() -> dict:
    """The sections: without CONTENT_LANGUAGES, none of the pages in other languages."""
    if settings.CONTENT_LANGUAGES:
        return sitemaps
    return {name: site for name, site in sitemaps.items() if not site.translated}


def sitemap_index(request):
    """Django's sitemap index, its locations on SITE_URL like the sitemaps' own."""
    response = sitemap_views.index(request, active_sitemaps(), sitemap_url_name="sitemap_section")
    request_origin = f"{request.scheme}://{get_current_site(request).domain}"
    site = SiteUrlSitemap()
    public_origin = f"{site.get_protocol()}://{site.get_domain()}"
    for item in response.context_data["sitemaps"]:
        item.location = public_origin + item.location.removeprefix(request_origin)
    return response


def sitemap_section(request, section):
    """One page of one sitemap, with what Django's sitemap view sends: the urlset (lastmod
    as the day in the current time zone, as its template writes it), Last-Modified of the
    page's newest entry when every entry has one, and X-Robots-Tag."""
    if section not in active_sitemaps():
        raise Http404(f"No sitemap available for section: {section!r}")
    site = sitemaps[section]()
    number = request.GET.get("p", 1)
    try:
        page = site.paginator.page(number)
    except EmptyPage as error:
        raise Http404(f"Page {number} empty") from error
    except PageNotAnInteger as error:
        raise Http404(f"No page {number!r}") from error
    origin = f"{site.get_protocol()}://{site.get_domain()}"
    zone = timezone.get_current_timezone()
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    ]
    latest, every_lastmod = None, True
    for path, lastmod, *more in site.entries(page.object_list):
        parts.append(f"<url><loc>{escape(origin + path)}</loc>")
        for hreflang, alternate in more[0] if more else ():
            parts.append(
                f'<xhtml:link rel="alternate" hreflang="{hreflang}" '
                f'href="{escape(origin + alternate)}"/>'
            )
        if lastmod is None:
            every_lastmod = False
        else:
            if not isinstance(lastmod, datetime.datetime):  # a date: its midnight, in UTC
                lastmod = datetime.datetime.combine(lastmod, datetime.time.min, datetime.UTC)
            parts.append(f"<lastmod>{lastmod.astimezone(zone).date().isoformat()}</lastmod>")
            latest = lastmod if latest is None else max(latest, lastmod)
        parts.append("</url>\n")
    parts.append("</urlset>\n")
    response = HttpResponse("".join(parts), content_type="application/xml")
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    if every_lastmod and latest is not None:
        response["Last-Modified"] = http_date(latest.timestamp())
    return response
