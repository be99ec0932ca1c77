"""The languages the site publishes in, from the environment: English, the source language
every answer is written and approved in, and the languages answers are translated into
(`CONTENT_LANGUAGES`, e.g. "es"; empty by default: English only)."""

from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured

SOURCE_LANGUAGE = "en"


def content_languages(codes) -> list[str]:
    """The translation languages named in `codes`, checked: each a language Django knows,
    each once, never the source language."""
    seen = []
    for code in (code.strip().lower() for code in codes):
        if not code:
            continue
        if code == SOURCE_LANGUAGE:
            raise ImproperlyConfigured(
                f"CONTENT_LANGUAGES lists {code!r}: that is the source language, always "
                "published. List only the languages answers are translated into."
            )
        if code not in LANG_INFO or "fallback" in LANG_INFO[code]:
            raise ImproperlyConfigured(
                f"CONTENT_LANGUAGES lists {code!r}, which is not a language code Django knows "
                "(e.g. es, cy, fr, pt-br)."
            )
        if code not in seen:
            seen.append(code)
    return seen


def site_languages(codes) -> list[tuple[str, str]]:
    """Django's LANGUAGES: the source language first, then each translation language, named
    in its own language, as a reader who reads it looks for it."""
    return [(SOURCE_LANGUAGE, "English")] + [
        (code, LANG_INFO[code]["name_local"]) for code in content_languages(codes)
    ]
