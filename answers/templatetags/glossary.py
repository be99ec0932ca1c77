"""`{% glossary_article publication as article %}`: the answer's lead and body with the first
use of each signed-off glossary term linked to its definition, and those definitions
("Words explained"). Used by every page that shows an answer (public, previews), so they
all show the same thing."""

from types import SimpleNamespace

from django import template
from django.utils.safestring import mark_safe

from ..public.glossary import link_first_uses, public_terms, words_explained

register = template.Library()


@register.simple_tag
def glossary_article(publication):
    lead, body = mark_safe(publication.lead_html), mark_safe(publication.body_html)  # noqa: S308
    (lead, body), used = link_first_uses([lead, body], public_terms())
    return SimpleNamespace(lead=lead, body=body, words_explained=words_explained(used))
