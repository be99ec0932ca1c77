""" "Cite this page": the answer's own citation, formatted by citeproc-py from a CSL `webpage`
record in the site's citation style (AMA by default), never assembled by hand."""

from django.conf import settings
from django.utils import timezone

from citations.formatting import format_reference

from .structured_data import absolute_url


def _date_parts(moment) -> dict:
    day = timezone.localdate(moment) if hasattr(moment, "tzinfo") else moment
    return {"date-parts": [[day.year, day.month, day.day]]}


def page_record(publication, *, accessed=None) -> dict:
    """The page as CSL-JSON. Names are taken whole (`literal`): a display name cannot be
    split into family and given names reliably."""
    data = publication.data
    authors = [{"literal": writer["name"]} for writer in data.get("writers", []) if writer["name"]]
    record = {
        "id": "this-page",
        "type": "webpage",
        "title": publication.question,
        "container-title": settings.SITE_NAME,
        "publisher": settings.PUBLISHER_NAME,
        "issued": _date_parts(publication.approved_at),
        "accessed": _date_parts(accessed or timezone.localdate()),
        "URL": absolute_url(publication.get_absolute_url()),
    }
    if authors:
        record["author"] = authors
    return record


def page_citation(publication, *, accessed=None) -> str:
    """Safe HTML: the citation with its address as a link."""
    return format_reference(
        page_record(publication, accessed=accessed), style=settings.CITATION_STYLE
    )
