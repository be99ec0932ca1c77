"""Markdown to safe HTML, with citation markers turned into numbered superscript links.

markdown-it-py in its safe preset (raw HTML off, dangerous link schemes refused), then nh3
as a second, independent filter: content is text, and no script in it may ever run.
"""

import html
import re

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt
from markdown_it.token import Token

from citations.markers import CITATION_MARKER_RE, marker_labels

from .plain_language import inline_text, sentence_spans, word_count

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
    "mark",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},
    "sup": {"class"},
    "span": {"class"},
    "mark": {"class", "title"},
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


def render_markdown(
    text: str,
    *,
    numbers: dict[str, int],
    first_cited: set[int],
    long_sentence_words: int | None = None,
) -> str:
    """Safe HTML for one block of Markdown. `first_cited` collects the numbers already
    given an anchor, so the reference list can link back to the first citation. With
    `long_sentence_words` (the writer's preview), longer sentences are marked."""
    tokens = _markdown.parse(text or "")
    if long_sentence_words is not None:
        _mark_long_sentences(tokens, long_sentence_words)
    html = sanitize(_markdown.renderer.render(tokens, _markdown.options, {}))

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
    descriptions."""
    without_markers = _MARKER_WITH_SPACE_RE.sub("", text or "")
    visible = nh3.clean(_markdown.render(without_markers), tags=set())
    return re.sub(r"\s+", " ", html.unescape(visible)).strip()


def _mark_long_sentences(tokens, limit: int) -> None:
    """Wrap each sentence of more than `limit` words in <mark class="long-sentence">, named
    for screen readers too; sentences as the checklist counts them (plain_language)."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        text = inline_text(token.children)
        events = []
        for start, end in sentence_spans(text):
            words = word_count(text[start:end])
            if words > limit:
                label = f"Long sentence, {words} words"
                events.append(
                    (
                        start,
                        1,
                        f'<mark class="long-sentence" title="{label}: aim for {limit} or fewer">'
                        f'<span class="visually-hidden">{label}: </span>',
                    )
                )
                events.append((end, 0, "</mark>"))
        if events:
            token.children = _insert_html(token.children, sorted(events))


def _insert_html(children, events):
    """The inline children with raw HTML inserted at offsets of their joined text (as
    plain_language.inline_text joins it): an opening tag before the sentence's first
    character, a closing tag after its last."""
    out, position, pending = [], 0, list(events)

    def emit(html):
        out.append(Token("html_inline", "", 0, content=html))

    for child in children:
        if child.type in ("text", "code_inline"):
            length = len(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            length = 1
        else:
            length = 0
        if child.type != "text":
            while pending and pending[0][0] <= position:
                emit(pending.pop(0)[2])
            out.append(child)
            position += length
            continue
        end, content, cut = position + length, child.content, 0
        while pending and (pending[0][0] < end or (pending[0][0] == end and not pending[0][1])):
            offset, _, html = pending.pop(0)
            offset = max(offset - position, cut)
            if offset > cut:
                out.append(Token("text", "", 0, content=content[cut:offset]))
                cut = offset
            emit(html)
        if cut < length:
            out.append(Token("text", "", 0, content=content[cut:]))
        position = end
    for _, _, html in pending:
        emit(html)
    return out
