""" "Cite this page": the answer's own citation, formatted by citeproc-py from a CSL `webpage`
record in the site's citation style (AMA by default), never assembled by hand."""

import functools
import json

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
    record = json.dumps(page_record(publication, accessed=accessed), sort_keys=True)
    return _formatted(record, settings.CITATION_STYLE)


@functools.lru_cache(maxsize=4096)
def _formatted(record: str, style: str) -> str:
    """citeproc-py formats a record the same way every time, and took a quarter of an
    uncached answer page's time: each page's citation is formatted once a day (its access
    date changes daily), per record and style, in each process."""
    return format_reference(json.loads(record), style=style)
