"""/sitemap.xml: an index of paginated sitemaps (/sitemap-answers.xml?p=2, ...): every live
answer (lastmod = last reviewed), every topic with answers, every contributor page (a
writer or clinician named on a live answer) and the published about pages. Each page costs
the same few queries however many answers there are."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sites.shortcuts import get_current_site
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse

from ..models import Contributor, PublishedAnswer, SitePage

# Search engines take up to 50,000 addresses a file; smaller pages stay quick to render.
ANSWERS_PER_SITEMAP = 1000


class SiteUrlSitemap(Sitemap):
    """Addresses on SITE_URL, the public origin, whatever host the request came in on."""

    limit = ANSWERS_PER_SITEMAP

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        parts = urlsplit(settings.SITE_URL)
        return parts.netloc + parts.path.rstrip("/")

    def get_latest_lastmod(self):
        """The newest review of any live answer, in one query (Django's default reads
        every item)."""
        return PublishedAnswer.objects.live().aggregate(latest=Max("approved_at"))["latest"]


class AnswerSitemap(SiteUrlSitemap):
    def items(self):
        return PublishedAnswer.objects.live().only("slug", "approved_at").order_by("slug")

    def lastmod(self, item):
        return item.approved_at


class TopicSitemap(SiteUrlSitemap):
    def items(self):
        return PublishedAnswer.objects.live_topics().order_by("slug")

    def lastmod(self, item):
        return item.last_reviewed


class ContributorSitemap(SiteUrlSitemap):
    """The contributor pages that exist: people named on a live answer (others answer 404).
    No lastmod: a profile edit is not dated, and no date is better than a wrong one."""

    def items(self):
        named = PublishedAnswer.objects.live().naming(OuterRef("user"))
        return Contributor.objects.filter(Exists(named)).only("slug").order_by("slug")

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


sitemaps = {
    "answers": AnswerSitemap,
    "topics": TopicSitemap,
    "contributors": ContributorSitemap,
    "about": AboutSitemap,
}


def sitemap_index(request):
    """Django's sitemap index, its locations on SITE_URL like the sitemaps' own."""
    response = sitemap_views.index(request, sitemaps, sitemap_url_name="sitemap_section")
    request_origin = f"{request.scheme}://{get_current_site(request).domain}"
    site = SiteUrlSitemap()
    public_origin = f"{site.get_protocol()}://{site.get_domain()}"
    for item in response.context_data["sitemaps"]:
        item.location = public_origin + item.location.removeprefix(request_origin)
    return response
