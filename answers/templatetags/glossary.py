"""`{% glossary_article publication as article %}`: the snapshot's stored article with the
first use of each signed-off glossary term in the answer's own words linked to its
definition, and those definitions ("Words explained"). Used by every page that shows an
answer (public, previews), so they all show the same thing.

The definitions are signed off apart from the answer, so the links are added on the way
out, not stored with the snapshot; the result is cached under the article's and the
glossary's own content, so a new definition or article never meets a stale one."""

import hashlib
from types import SimpleNamespace

from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe

from ..public.glossary import ANSWER_TEXT, link_first_uses, public_terms, words_explained

register = template.Library()
DAY = 24 * 3600


def _terms(generation):
    if generation is None:
        return public_terms()
    return cache.get_or_set(f"glossary-terms:{generation}", public_terms, DAY)


@register.simple_tag
def glossary_article(publication, generation=None):
    """`generation`: the public generation the page was read under (the public page gives
    it): a term signed off or taken down bumps it, so the terms are kept under it."""
    article = publication.article_html or ""
    terms = _terms(generation)
    if not terms:
        return SimpleNamespace(html=mark_safe(article), words_explained="")  # noqa: S308
    digest = hashlib.sha256(repr((article, terms)).encode()).hexdigest()

    def link():
        (html,), used = link_first_uses([article], terms, within=ANSWER_TEXT)
        return str(html), str(words_explained(used))

    html, explained = cache.get_or_set(f"glossary-article:{digest}", link, DAY)
    return SimpleNamespace(html=mark_safe(html), words_explained=mark_safe(explained))  # noqa: S308
