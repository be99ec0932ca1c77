"""Crossref REST API: /works/{doi} as a CSL-JSON item, and the update notices Crossref
records on a work (retractions, withdrawals, expressions of concern, corrections, with
Retraction Watch's data)."""

import html
import re
from urllib.parse import quote

from django.conf import settings
from django.utils.html import strip_tags

from ..identifiers import normalize_doi, strip_doi
from . import http

SERVICE = "Crossref"
# Crossref work types the library keeps, as CSL types.
TYPES = {
    "journal-article": "article-journal",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-chapter": "chapter",
    "report": "report",
    "dataset": "dataset",
}
# Crossref update types (hyphens and underscores both occur) as notice kinds.
UPDATE_KINDS = {
    "retraction": "retraction",
    "partial_retraction": "retraction",
    "withdrawal": "withdrawal",
    "removal": "withdrawal",
    "expression_of_concern": "concern",
    "correction": "correction",
    "erratum": "correction",
    "corrigendum": "correction",
}


def fetch_work(doi: str) -> dict:
    """The validated `message` of Crossref's answer for a DOI."""
    doi = strip_doi(doi)

    def fetch():
        url = f"{settings.CROSSREF_API_URL}/works/{quote(doi, safe='')}"
        params = {"mailto": settings.CROSSREF_MAILTO} if settings.CROSSREF_MAILTO else None
        response = http.get(
            url,
            params=params,
            service=SERVICE,
            not_found=f"Crossref has no record of the DOI {doi}: check it on the article's page.",
        )
        body = http.json_body(response, service=SERVICE)
        if not (
            isinstance(body, dict)
            and body.get("status") == "ok"
            and body.get("message-type") == "work"
            and isinstance(body.get("message"), dict)
        ):
            raise http.Malformed(
                f"Crossref's answer for {doi} is not a work record; nothing was saved."
            )
        message = body["message"]
        if normalize_doi(message.get("DOI")) != doi.lower():
            raise http.Malformed(
                f"Crossref answered for {message.get('DOI')!r} when asked for {doi}; nothing was saved."
            )
        return message

    return http.cached(("crossref", doi.lower()), fetch)


def _text(value) -> str:
    """Crossref titles are lists of strings that may hold JATS/HTML markup."""
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str) and item.strip()), "")
    if not isinstance(value, str):
        return ""
    return " ".join(html.unescape(strip_tags(value)).split())


def _names(authors) -> list[dict]:
    names = []
    for author in authors if isinstance(authors, list) else []:
        if not isinstance(author, dict):
            raise http.Malformed("Crossref listed an author that is not a name; nothing was saved.")
        family, given = _text(author.get("family")), _text(author.get("given"))
        if family:
            names.append({"family": family, "given": given} if given else {"family": family})
        elif _text(author.get("name")):
            names.append({"literal": _text(author.get("name"))})
    return names


def _date_parts(value) -> list[int]:
    parts = (value or {}).get("date-parts") if isinstance(value, dict) else None
    if not (isinstance(parts, list) and parts and isinstance(parts[0], list)):
        return []
    clean = []
    for part in parts[0]:
        if not isinstance(part, int) or isinstance(part, bool) or part <= 0:
            break
        clean.append(part)
    return clean[:3]


def to_csl(message: dict) -> dict:
    """The work as the CSL-JSON fields the library keeps; what Crossref left out stays out."""
    kind = message.get("type")
    if kind not in TYPES:
        raise http.SourceError(
            f"Crossref describes {message.get('DOI')} as ‘{kind}’, not a kind of work the "
            "library keeps (journal article, book, chapter, report, dataset).",
            kind="malformed",
        )
    item = {"type": TYPES[kind], "DOI": message["DOI"]}
    title = _text(message.get("title"))
    subtitle = _text(message.get("subtitle"))
    if title:
        item["title"] = f"{title}: {subtitle}" if subtitle and subtitle not in title else title
    names = _names(message.get("author"))
    if names:
        item["author"] = names
    if not names and kind != "journal-article":
        editors = _names(message.get("editor"))
        if editors:
            item["editor"] = editors
    for source, target in (
        ("container-title", "container-title"),
        ("short-container-title", "container-title-short"),
    ):
        text = _text(message.get(source))
        if text:
            item[target] = text
    # "issued" is Crossref's earliest publication date; print and online dates are fallbacks.
    for key in ("issued", "published-print", "published-online"):
        parts = _date_parts(message.get(key))
        if parts:
            item["issued"] = {"date-parts": [parts]}
            break
    url = _text(message.get("URL"))
    # Crossref's URL is usually the DOI's own resolver link: the DOI already says that.
    if url.startswith(("https://", "http://")) and "doi.org/" not in url.lower():
        item["URL"] = url
    for key in ("volume", "issue", "page"):
        text = _text(message.get(key))
        if text:
            item[key] = text
    return item


def notices(message: dict) -> list[dict]:
    """Update notices on this work: {kind, doi, date (ISO, possibly partial), source}."""
    found = []
    for entry in message.get("updated-by") or []:
        if not isinstance(entry, dict):
            raise http.Malformed(
                "Crossref listed an update that is not a record; nothing was saved."
            )
        kind = UPDATE_KINDS.get(re.sub(r"[-\s]", "_", str(entry.get("type", "")).lower()))
        if kind is None:
            continue
        parts = _date_parts(entry.get("updated"))
        found.append(
            {
                "kind": kind,
                "doi": strip_doi(entry.get("DOI")) if entry.get("DOI") else "",
                "date": "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts)),
                "source": f"Crossref ({entry['source']})" if entry.get("source") else "Crossref",
            }
        )
    return found
