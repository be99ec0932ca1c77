"""/sitemap.xml: every live answer (lastmod = last reviewed) and every topic with answers."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap

from ..models import PublishedAnswer


class SiteUrlSitemap(Sitemap):
    """Addresses on SITE_URL, the public origin, whatever host the request came in on."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        parts = urlsplit(settings.SITE_URL)
        return parts.netloc + parts.path.rstrip("/")


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
