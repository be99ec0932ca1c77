"""The public glossary (/glossary/) and the links from an answer to it.

The first use of a signed-off term in an answer (its name or one of its other names, whole
words, any case) becomes a footnote-style link to the term's definition under "Words
explained" at the end of the article, which links back. A plain link and a definition list:
it works with a keyboard, a screen reader and without JavaScript, and prints. The answer's
own words are unchanged; only the link around them is added, never inside a link, a
heading or a citation marker.
"""

import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from string import ascii_uppercase

from django.utils.safestring import mark_safe

from ..models import GlossaryTerm, split_other_names

# Text inside these is never linked: links (citations included), headings, code.
_SKIP = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "sup", "summary", "button"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "col", "area"}
# In a whole article (article_html), only the answer's own words are linked: the short
# answer and the body, not the byline, the contents, the references or the change log.
ANSWER_TEXT = ("lead", "answer-body")


@dataclass(frozen=True)
class PublicTerm:
    term: str
    slug: str
    definition: str
    other_names: tuple[str, ...]

    @property
    def names(self):
        return (self.term, *self.other_names)

    @property
    def letter(self):
        first = self.term[:1].upper()
        return first if first in ascii_uppercase else "#"


def public_terms() -> list[PublicTerm]:
    """The signed-off terms, as readers see them (one query)."""
    rows = (
        GlossaryTerm.objects.public()
        .order_by("public_term")
        .values_list("public_term", "slug", "public_definition", "public_other_names")
    )
    terms = [
        PublicTerm(term, slug, definition, tuple(split_other_names(others)))
        for term, slug, definition, others in rows
    ]
    return sorted(terms, key=lambda t: t.term.casefold())


def _pattern(terms):
    """One regular expression for every name, longest first, whole words only."""
    names = sorted({name for t in terms for name in t.names if name}, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in names)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


class _Linker(HTMLParser):
    """Copies HTML through, linking first uses in text that is inside `within` (elements
    with one of those classes; None: everywhere) and not inside a _SKIP element."""

    def __init__(self, pattern, by_name, used, within=None):
        super().__init__(convert_charrefs=False)
        self.pattern, self.by_name, self.used, self.within = pattern, by_name, used, within
        self.out = []
        self.open = []  # (tag, links allowed inside it)

    def _allowed(self):
        return self.open[-1][1] if self.open else self.within is None

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text())
        if tag in _VOID:
            return
        allowed = self._allowed()
        classes = (dict(attrs).get("class") or "").split()
        if self.within is not None and any(name in classes for name in self.within):
            allowed = True
        if tag in _SKIP:
            allowed = False
        self.open.append((tag, allowed))

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                break
        self.out.append(f"</{tag}>")

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_data(self, data):
        self.out.append(self.pattern.sub(self._link, data) if self._allowed() else data)

    def _link(self, match):
        term = self.by_name.get(" ".join(match.group(0).split()).casefold())
        if term is None or term.slug in {t.slug for t in self.used}:
            return match.group(0)
        self.used.append(term)
        return (
            f'<a class="glossary-link" href="#define-{term.slug}" id="use-{term.slug}" '
            f'aria-describedby="define-{term.slug}">{match.group(0)}</a>'
        )


def link_first_uses(parts, terms, *, within=None):
    """`parts`: HTML fragments in reading order (the lead and body; or a whole article with
    `within` naming the classes of the answer's own text). Returns them with the first use
    of each term linked, and the terms used, in order of first use."""
    pattern = _pattern(terms)
    if pattern is None or not any(pattern.search(str(html)) for html in parts):
        return [mark_safe(html) for html in parts], []  # noqa: S308  (sanitised HTML)
    by_name = {" ".join(name.split()).casefold(): t for t in terms for name in t.names}
    used = []
    linked = []
    for html in parts:
        linker = _Linker(pattern, by_name, used, within)
        linker.feed(str(html))
        linker.close()
        linked.append(mark_safe("".join(linker.out)))  # noqa: S308  (sanitised HTML, words escaped)
    return linked, used


def words_explained(used) -> str:
    """The definitions of the terms an answer uses, each linking back to its first use."""
    if not used:
        return ""
    items = "".join(
        f'<dt id="define-{t.slug}">{escape(t.term)}</dt>'
        f"<dd>{escape(t.definition)} "
        f'<a href="#use-{t.slug}">Back to the text<span class="visually-hidden"> '
        f"where “{escape(t.term)}” is used</span></a></dd>"
        for t in used
    )
    return mark_safe(  # noqa: S308  (every value escaped above)
        '<section class="words-explained" aria-labelledby="words-explained-heading">'
        '<h2 id="words-explained-heading">Words explained</h2>'
        f'<dl class="glossary-definitions">{items}</dl></section>'
    )


def by_letter(terms):
    """[(letter, [terms])] for the A–Z list."""
    groups = {}
    for term in terms:
        groups.setdefault(term.letter, []).append(term)
    return sorted(groups.items(), key=lambda item: (item[0] == "#", item[0]))
