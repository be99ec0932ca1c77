"""An Atom feed of answers as they are published or re-reviewed, newest approval first."""

from django.contrib.syndication.views import Feed
from django.db.models import F
from django.db.models.fields.json import KeyTransform
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from ..models import PublishedAnswer
from .structured_data import absolute_url, site_name

FEED_LENGTH = 50


class RecentAnswersFeed(Feed):
    feed_type = Atom1Feed
    description_template = None

    def title(self):
        return f"{site_name()}: recently reviewed answers"

    def subtitle(self):
        return "Answers newly published or re-reviewed by a clinician."

    def link(self):
        return absolute_url(reverse("home"))

    def feed_url(self):
        return absolute_url(reverse("feed"))

    def items(self):
        return (
            PublishedAnswer.objects.listing()
            .annotate(
                byline_writers=KeyTransform("writers", "data"),
                is_correction=F("signoff__is_correction"),
                change_summary=F("signoff__change_summary"),
            )
            .order_by("-approved_at", "pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        return f"Correction: {item.question}" if item.is_correction else item.question

    def item_description(self, item):
        # Atom summaries are type="html": escape the plain text so "dose < 10 mg", or
        # hostile text, reaches the reader as words and never as markup.
        if item.is_correction:
            return escape(f"Correction: {item.change_summary} {item.lead_text or ''}")
        return escape(item.lead_text or "")

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item):
        return absolute_url(item.get_absolute_url())

    def item_pubdate(self, item):
        return item.approved_at

    def item_updateddate(self, item):
        return item.approved_at

    def item_author_name(self, item):
        return ", ".join(writer["name"] for writer in item.byline_writers or []) or None

    def item_categories(self, item):
        return [item.topic.name, "Correction"] if item.is_correction else [item.topic.name]
