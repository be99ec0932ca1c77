"""The writer's desk configuration on the answer's change page, as one JSON block for its
script (static/js/desk/): the endpoints the admin put in the context, the key of the
browser's draft, and the citation-marker grammar from `citations.markers`, so the script
reads markers by the server's rule instead of a copy of it."""

from django import template
from django.utils.html import json_script

from citations.markers import for_browser

register = template.Library()

CONFIG_ID = "qa-desk-config"
FROM_CONTEXT = {
    "previewUrl": "desk_preview_url",
    "referencesUrl": "desk_references_url",
    "lookupUrl": "desk_lookup_url",
    "sessionUrl": "desk_session_url",
    "loginUrl": "desk_login_url",
    "structureUrl": "desk_structure_url",
    "draftKey": "desk_draft_key",
}


def desk_config(context) -> dict:
    return {
        **{name: context.get(variable, "") for name, variable in FROM_CONTEXT.items()},
        "citing": for_browser(),
    }


@register.simple_tag(takes_context=True)
def desk_config_json(context):
    """`<script type="application/json">`: data, never run, so the CSP stays strict."""
    return json_script(desk_config(context), CONFIG_ID)
