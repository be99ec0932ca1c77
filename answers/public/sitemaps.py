"""/sitemap.xml: an index of paginated sitemaps (/sitemap-answers.xml?p=2, ...): every live
answer (lastmod = last reviewed) and every topic with answers. Each page costs the same
few queries however many answers there are."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sites.shortcuts import get_current_site
from django.db.models import Max

from ..models import PublishedAnswer

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


sitemaps = {"answers": AnswerSitemap, "topics": TopicSitemap}


def sitemap_index(request):
    """Django's sitemap index, its locations on SITE_URL like the sitemaps' own."""
    response = sitemap_views.index(request, sitemaps, sitemap_url_name="sitemap_section")
    request_origin = f"{request.scheme}://{get_current_site(request).domain}"
    site = SiteUrlSitemap()
    public_origin = f"{site.get_protocol()}://{site.get_domain()}"
    for item in response.context_data["sitemaps"]:
        item.location = public_origin + item.location.removeprefix(request_origin)
    return response
