"""The publisher's own pages (about us, editorial policy, funding…)."""

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from audit.models import ChainedRecord


class SitePage(models.Model):
    """An editor-managed page about the publisher (about us, editorial policy, funding…).
    Editors publish it directly; django-simple-history keeps every version and who made it."""

    slug = models.SlugField(
        max_length=60, unique=True, help_text="Its address: /about/<slug>/ (“about-us”)."
    )
    title = models.CharField(max_length=150)
    summary = models.CharField(
        max_length=300, blank=True, help_text="One line shown in the list of these pages."
    )
    body = models.TextField(help_text="Markdown.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the list.")
    is_published = models.BooleanField(
        "published",
        default=False,
        help_text="Shown to the public. Write only what is true of the publisher.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(verbose_name="site page version", bases=[ChainedRecord])

    class Meta:
        ordering = ["position", "title"]
        verbose_name = "about page"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("site_page", args=[self.slug])
