"""Link health: the outbound links readers follow from published answers and from the
references they cite, each checked nightly and after each approval (`answers.link_health`).
DOI and PubMed links are left to the retraction watch."""

from django.db import models


class LinkStatus(models.TextChoices):
    UNCHECKED = "unchecked", "Not checked yet"
    OK = "ok", "Works"
    REDIRECTED = "redirected", "Redirects elsewhere"
    BROKEN = "broken", "Broken"


class OutboundLinkQuerySet(models.QuerySet):
    def needing_attention(self):
        return self.filter(status__in=[LinkStatus.BROKEN, LinkStatus.REDIRECTED])


class OutboundLink(models.Model):
    url = models.URLField("address", max_length=1000, unique=True)
    status = models.CharField(
        max_length=20, choices=LinkStatus, default=LinkStatus.UNCHECKED, db_index=True
    )
    http_status = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    final_url = models.URLField("redirects to", max_length=1000, blank=True)
    error = models.CharField("what went wrong", max_length=300, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    broken_since = models.DateTimeField(null=True, blank=True)
    answers = models.ManyToManyField("answers.Answer", related_name="outbound_links", blank=True)
    references = models.ManyToManyField(
        "citations.Reference", related_name="outbound_links", blank=True
    )

    objects = OutboundLinkQuerySet.as_manager()

    class Meta:
        ordering = ["url"]
        verbose_name = "outbound link"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=LinkStatus.values), name="outbound_link_status"
            )
        ]

    def __str__(self):
        return self.url
