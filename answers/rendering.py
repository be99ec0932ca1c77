"""Markdown to safe HTML, with citation markers turned into numbered superscript links.

markdown-it-py in its safe preset (raw HTML off, dangerous link schemes refused), then nh3
as a second, independent filter: content is text, and no script in it may ever run.
"""

import html
import re

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt

from citations.markers import CITATION_MARKER_RE, marker_labels

# A superscript sits against the word it follows: "months¹", not "months ¹".
_MARKER_WITH_SPACE_RE = re.compile(r"\s*" + CITATION_MARKER_RE.pattern)
_markdown = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})

ALLOWED_TAGS = {
    "p",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "br",
    "blockquote",
    "code",
    "sup",
    "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},
    "sup": {"class"},
    "span": {"class"},
}


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def number_citations(texts) -> dict[str, int]:
    """Citation labels numbered in order of first citation across the texts, in order."""
    numbers: dict[str, int] = {}
    for text in texts:
        for label in marker_labels(text or ""):
            numbers.setdefault(label, len(numbers) + 1)
    return numbers


def render_markdown(text: str, *, numbers: dict[str, int], first_cited: set[int]) -> str:
    """Safe HTML for one block of Markdown. `first_cited` collects the numbers already
    given an anchor, so the reference list can link back to the first citation."""
    html = sanitize(_markdown.render(text or ""))

    def link(label):
        number = numbers.get(label)
        if number is None:
            return f'<span class="citation-missing">{escape(label)}?</span>'
        anchor = ""
        if number not in first_cited:
            first_cited.add(number)
            anchor = f' id="cite-{number}"'
        return (
            f'<a href="#ref-{number}"{anchor} class="citation">'
            f'<span class="visually-hidden">Reference </span>{number}</a>'
        )

    def replace(match):
        labels = [label.strip() for label in match.group(1).split(",")]
        return '<sup class="citations">' + ",".join(link(label) for label in labels) + "</sup>"

    return _MARKER_WITH_SPACE_RE.sub(replace, html)


def plain_text(text: str) -> str:
    """Visible words of a Markdown block without citation markers: for search, meta
    descriptions and the reading grade."""
    without_markers = _MARKER_WITH_SPACE_RE.sub("", text or "")
    visible = nh3.clean(_markdown.render(without_markers), tags=set())
    return re.sub(r"\s+", " ", html.unescape(visible)).strip()
