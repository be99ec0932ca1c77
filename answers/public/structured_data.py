"""What search engines read about an answer page: JSON-LD (schema.org), the meta description,
the canonical address and Open Graph tags, all built from the approved snapshot.

Health pages are ranked on visible expertise, so the structured data names the writers, the
reviewing clinician with credentials, the review dates and every cited source.
"""

import json

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

DESCRIPTION_LIMIT = 160

# Inside <script>, "</script>" or "<!--" in the data would end or confuse the block: escape
# the characters that can start them, as Django's json_script does (with str.replace: a
# translate() table took a millisecond on an answer's JSON-LD, a quarter of its page).
_JSON_SCRIPT_ESCAPES = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))

CSL_TYPES = {
    "article-journal": "ScholarlyArticle",
    "book": "Book",
    "chapter": "Chapter",
    "report": "Report",
    "webpage": "WebPage",
    "dataset": "Dataset",
}


def site_name():
    return settings.SITE_NAME


def _language_tag() -> str:
    """LANGUAGE_CODE as a BCP 47 tag: en-us becomes en-US."""
    language, _, region = settings.LANGUAGE_CODE.partition("-")
    return f"{language}-{region.upper()}" if region else language


def absolute_url(path: str) -> str:
    """Search engines, feeds and the API need full addresses: SITE_URL is the public origin."""
    return settings.SITE_URL.rstrip("/") + path


def translated_url(language, name, *args) -> str:
    """The address of a page in `language` (/es/…): the pages' URL names are the same in
    every language, i18n_patterns adds the prefix of the language active."""
    with translation.override(language):
        return reverse(name, args=args)


def meta_description(text: str) -> str:
    """The lead as a search-result snippet: at most 160 characters, cut at a word."""
    return Truncator(" ".join((text or "").split())).chars(DESCRIPTION_LIMIT)


def ld_json_script(data) -> str:
    """A <script type="application/ld+json"> block. Browsers never run it, so the CSP allows
    it; the escaping keeps hostile text from closing the block."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for character, escape in _JSON_SCRIPT_ESCAPES:
        payload = payload.replace(character, escape)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload),  # noqa: S308 (escaped above)
    )


def publisher() -> dict:
    """The Organization that publishes the site (PUBLISHER_NAME and PUBLISHER_URL)."""
    return {
        "@type": "Organization",
        "name": settings.PUBLISHER_NAME,
        "url": settings.PUBLISHER_URL,
        "publishingPrinciples": absolute_url(reverse("site_pages")),
    }


def snapshot_topic_name(publication) -> str:
    """The topic's name as the clinician approved it: an answer page never mixes approved
    text (its disclaimer names the topic) with a later, unreviewed rename."""
    return (publication.data.get("topic") or {}).get("name") or publication.topic.name


def _person(person: dict) -> dict:
    item = {"@type": "Person", "name": person.get("name", "")}
    if person.get("slug"):
        item["url"] = absolute_url(reverse("contributor", args=[person["slug"]]))
    if person.get("credentials"):
        item["honorificSuffix"] = person["credentials"]
    if person.get("role"):
        item["jobTitle"] = person["role"]
    if person.get("orcid"):
        item["sameAs"] = f"https://orcid.org/{person['orcid']}"
    return item


def _csl_name(name: dict) -> str:
    if name.get("literal"):
        return name["literal"]
    return " ".join(part for part in (name.get("given"), name.get("family")) if part)


def _csl_date(csl: dict) -> str:
    parts = ((csl.get("issued") or {}).get("date-parts") or [[]])[0]
    widths = (4, 2, 2)
    return "-".join(str(part).zfill(width) for part, width in zip(parts, widths, strict=False))


def reference_item(reference: dict) -> dict:
    """One cited work as schema.org: a ScholarlyArticle for journal articles."""
    csl = reference.get("csl") or {}
    item = {"@type": CSL_TYPES.get(csl.get("type"), "CreativeWork"), "name": csl.get("title", "")}
    authors = [_csl_name(name) for name in csl.get("author", []) if _csl_name(name)]
    if authors:
        item["author"] = [{"@type": "Person", "name": name} for name in authors]
    if csl.get("container-title"):
        item["isPartOf"] = {"@type": "Periodical", "name": csl["container-title"]}
    if date := _csl_date(csl):
        item["datePublished"] = date
    identifiers = []
    if reference.get("doi"):
        identifiers.append(
            {"@type": "PropertyValue", "propertyID": "DOI", "value": reference["doi"]}
        )
        item["sameAs"] = f"https://doi.org/{reference['doi']}"
    if reference.get("pmid"):
        identifiers.append(
            {"@type": "PropertyValue", "propertyID": "PMID", "value": reference["pmid"]}
        )
    if identifiers:
        item["identifier"] = identifiers
    if csl.get("URL") and "sameAs" not in item:
        item["url"] = csl["URL"]
    return item


def breadcrumbs(publication) -> list[tuple[str, str]]:
    """(name, path) from the home page to the answer, as the page and the JSON-LD show them."""
    topic = publication.topic
    return [
        ("Home", reverse("home")),
        (snapshot_topic_name(publication), topic.get_absolute_url()),
        (publication.question, publication.get_absolute_url()),
    ]


def breadcrumb_list(crumbs) -> dict:
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": absolute_url(path)}
            for position, (name, path) in enumerate(crumbs, start=1)
        ],
    }


def answer_page_data(publication) -> dict:
    """The MedicalWebPage describing one published answer."""
    data = publication.data
    url = absolute_url(publication.get_absolute_url())
    topic = publication.topic
    page = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "@id": url,
        "url": url,
        "name": publication.question,
        "headline": publication.question,
        "description": meta_description(data.get("lead_text", "")),
        "inLanguage": _language_tag(),
        "isAccessibleForFree": True,
        "about": {
            "@type": "Thing",
            "name": snapshot_topic_name(publication),
            "url": absolute_url(topic.get_absolute_url()),
        },
        "audience": {"@type": "PeopleAudience", "audienceType": "Patient"},
        "author": [_person(writer) for writer in data.get("writers", [])],
        "datePublished": publication.first_published_at.isoformat(),
        "dateModified": publication.approved_at.isoformat(),
        "lastReviewed": timezone.localdate(publication.approved_at).isoformat(),
        "publisher": publisher(),
        "mainEntity": {
            "@type": "Question",
            "name": publication.question,
            "acceptedAnswer": {"@type": "Answer", "text": data.get("lead_text", ""), "url": url},
        },
        "citation": [reference_item(reference) for reference in data.get("references", [])],
        "breadcrumb": breadcrumb_list(breadcrumbs(publication)),
    }
    if data.get("reviewer"):
        page["reviewedBy"] = _person(data["reviewer"])
    return page


def contributor_page_data(contributor, person: dict, *, url=None) -> dict:
    """A ProfilePage about one writer or clinician (at `url`, else their English page)."""
    url = url or absolute_url(contributor.get_absolute_url())
    entity = _person(person)
    if contributor.bio:
        entity["description"] = contributor.bio
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "@id": url,
        "url": url,
        "inLanguage": _language_tag(),
        "mainEntity": entity,
        "publisher": publisher(),
    }


def site_page_data(page) -> dict:
    url = absolute_url(page.get_absolute_url())
    return {
        "@context": "https://schema.org",
        "@type": "AboutPage",
        "@id": url,
        "url": url,
        "name": page.title,
        "inLanguage": _language_tag(),
        "dateModified": page.updated_at.isoformat(),
        "publisher": publisher(),
    }


def glossary_data(terms) -> dict:
    """The glossary as a schema.org DefinedTermSet of DefinedTerms."""
    url = absolute_url(reverse("glossary"))
    return {
        "@context": "https://schema.org",
        "@type": "DefinedTermSet",
        "@id": url,
        "url": url,
        "name": "Glossary",
        "inLanguage": _language_tag(),
        "publisher": publisher(),
        "hasDefinedTerm": [
            {
                "@type": "DefinedTerm",
                "@id": f"{url}#{term.slug}",
                "name": term.term,
                "description": term.definition,
                **({"alternateName": list(term.other_names)} if term.other_names else {}),
                "inDefinedTermSet": url,
            }
            for term in terms
        ],
    }
