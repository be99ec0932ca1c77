"""A read-only JSON API of the live published answers, for partners who republish them.

Like the pages, it reads only the approved snapshots: a draft, an answer in review, an edit
awaiting re-approval or a withdrawn answer never appears. Responses carry an ETag and a
Last-Modified date so clients can ask "has it changed?" and get 304 Not Modified.
"""

import datetime as dt
import re
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, Paginator
from django.http import JsonResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from ..models import PublishedAnswer
from .structured_data import absolute_url

PAGE_SIZE = 20
# In a query string an unencoded "+" arrives as a space: "…T10:00 02:00" means "+02:00".
_SPACED_OFFSET_RE = re.compile(r" (\d{2}(?::?\d{2})?)$")


def _json(data, *, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _error(status, message):
    return _json({"error": {"status": status, "message": message}}, status=status)


def _conditional(request, response, *, last_modified=None):
    """ETag from the body (so any change to what a client sees changes it), Last-Modified
    from the approval date; 304 when the client already has this version."""
    patch_cache_control(response, public=True, no_cache=True)
    set_response_etag(response)
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified.timestamp())
    return get_conditional_response(
        request,
        etag=response.headers["ETag"],
        last_modified=int(last_modified.timestamp()) if last_modified else None,
        response=response,
    )


def _topic(topic):
    return {"name": topic.name, "slug": topic.slug, "url": absolute_url(topic.get_absolute_url())}


def _dates(publication):
    return {
        "first_published": publication.first_published_at.isoformat(),
        "last_reviewed": publication.approved_at.isoformat(),
        "next_review_due": publication.next_review_due.isoformat(),
    }


def answer_summary(publication) -> dict:
    return {
        "question": publication.question,
        "slug": publication.slug,
        "url": absolute_url(publication.get_absolute_url()),
        "api_url": absolute_url(reverse("api_answer_detail", args=[publication.slug])),
        "topic": _topic(publication.topic),
        "lead_text": publication.lead_text,
        **_dates(publication),
    }


def answer_detail_data(publication) -> dict:
    data = publication.data
    return {
        "question": publication.question,
        "slug": publication.slug,
        "url": absolute_url(publication.get_absolute_url()),
        "topic": _topic(publication.topic),
        "lead": {"html": publication.lead_html, "text": data.get("lead_text", "")},
        "sections": [
            {
                "anchor": section["anchor"],
                "heading": section["heading"],
                "kind": section["kind"],
                "html": section["html"],
                "text": section["text"],
            }
            for section in data.get("sections", [])
        ],
        "references": [
            {
                "number": reference["number"],
                "html": reference["html"],
                "csl": reference["csl"],
                "doi": reference.get("doi", ""),
                "pmid": reference.get("pmid", ""),
            }
            for reference in data.get("references", [])
        ],
        "writers": data.get("writers", []),
        "reviewer": data.get("reviewer"),
        "disclaimer": data.get("disclaimer", ""),
        "version": publication.content_hash,
        **_dates(publication),
    }


def parse_updated_since(value: str) -> dt.datetime:
    """An ISO 8601 date (midnight UTC) or date-time (UTC when it names no offset)."""
    value = _SPACED_OFFSET_RE.sub(r"+\1", value.strip())
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is None:
                raise ValueError(value)
            moment = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        raise ValueError(
            f"updated_since={value!r} is not an ISO 8601 date or date-time: "
            "use e.g. 2025-01-31 or 2025-01-31T09:00:00Z."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


@require_safe
def answer_list(request):
    publications = PublishedAnswer.objects.listing().order_by("-approved_at", "pk")
    params = {}
    if topic := request.GET.get("topic", "").strip():
        publications = publications.filter(topic__slug=topic)
        params["topic"] = topic
    if "updated_since" in request.GET:
        try:
            since = parse_updated_since(request.GET["updated_since"])
        except ValueError as error:
            return _error(400, str(error))
        publications = publications.filter(approved_at__gte=since)
        params["updated_since"] = request.GET["updated_since"]
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        return _error(400, "page must be a whole number, starting at 1.")
    paginator = Paginator(publications, PAGE_SIZE)
    try:
        page = paginator.page(number)
    except EmptyPage:
        return _error(404, f"There is no page {number}: the last page is {paginator.num_pages}.")

    def page_url(n):
        return absolute_url(request.path + "?" + urlencode({**params, "page": n}))

    body = {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "next": page_url(page.next_page_number()) if page.has_next() else None,
        "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
        "results": [answer_summary(publication) for publication in page.object_list],
    }
    return _conditional(request, _json(body))


@require_safe
def answer_detail(request, slug):
    publication = PublishedAnswer.objects.for_slug(slug)
    if publication is None:
        return _error(404, f"No published answer has the slug {slug!r}.")
    if publication.withdrawn_at is not None:
        return _error(410, "This answer has been withdrawn and is no longer published.")
    response = _json(answer_detail_data(publication))
    return _conditional(request, response, last_modified=publication.approved_at)


def _schema_ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def openapi_document() -> dict:
    """Hand-written, so it says exactly what these two endpoints do."""
    error = {"application/json": {"schema": _schema_ref("Error")}}
    person = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "credentials": {"type": "string", "description": 'Post-nominal letters, e.g. "MD".'},
            "role": {"type": "string"},
            "orcid": {"type": "string"},
        },
        "required": ["name", "credentials", "role", "orcid"],
    }
    topic = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "slug": {"type": "string"},
            "url": {"type": "string", "format": "uri"},
        },
        "required": ["name", "slug", "url"],
    }
    dates = {
        "first_published": {"type": "string", "format": "date-time"},
        "last_reviewed": {
            "type": "string",
            "format": "date-time",
            "description": "When a clinician last signed the answer off.",
        },
        "next_review_due": {"type": "string", "format": "date"},
    }
    conditional_headers = {
        "ETag": {"schema": {"type": "string"}},
        "Last-Modified": {"schema": {"type": "string"}},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Patient answers API",
            "version": "1.0.0",
            "description": (
                "Read-only access to the answers a clinician has approved and that are "
                "currently published. Drafts, answers in review, unapproved edits and "
                "withdrawn answers never appear. Send If-None-Match or If-Modified-Since "
                "to get 304 Not Modified when nothing changed."
            ),
        },
        "servers": [{"url": absolute_url("/")}],
        "paths": {
            "/api/answers/": {
                "get": {
                    "operationId": "listAnswers",
                    "summary": "Published answers, most recently reviewed first",
                    "parameters": [
                        {
                            "name": "page",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "default": 1},
                            "description": f"{PAGE_SIZE} answers per page.",
                        },
                        {
                            "name": "topic",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "Only answers in the topic with this slug.",
                        },
                        {
                            "name": "updated_since",
                            "in": "query",
                            "schema": {
                                "oneOf": [
                                    {"type": "string", "format": "date"},
                                    {"type": "string", "format": "date-time"},
                                ]
                            },
                            "description": (
                                "Only answers approved (published or re-reviewed) at or after "
                                "this ISO 8601 date or date-time; UTC when no offset is given."
                            ),
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of answers.",
                            "headers": {"ETag": conditional_headers["ETag"]},
                            "content": {"application/json": {"schema": _schema_ref("AnswerPage")}},
                        },
                        "304": {"description": "Not modified since the ETag given."},
                        "400": {"description": "A bad page or updated_since.", "content": error},
                        "404": {"description": "No such page.", "content": error},
                    },
                }
            },
            "/api/answers/{slug}/": {
                "get": {
                    "operationId": "getAnswer",
                    "summary": "One published answer with its sections and references",
                    "parameters": [
                        {
                            "name": "slug",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The answer as approved.",
                            "headers": conditional_headers,
                            "content": {"application/json": {"schema": _schema_ref("Answer")}},
                        },
                        "304": {"description": "Not modified since the ETag or date given."},
                        "404": {"description": "No published answer here.", "content": error},
                        "410": {"description": "The answer was withdrawn.", "content": error},
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {
                                "status": {"type": "integer"},
                                "message": {"type": "string"},
                            },
                            "required": ["status", "message"],
                        }
                    },
                    "required": ["error"],
                },
                "Topic": topic,
                "Person": person,
                "AnswerSummary": {
                    "type": "object",
                    "properties": {
                        "question": {"type": "string"},
                        "slug": {"type": "string"},
                        "url": {"type": "string", "format": "uri"},
                        "api_url": {"type": "string", "format": "uri"},
                        "topic": _schema_ref("Topic"),
                        "lead_text": {"type": "string"},
                        **dates,
                    },
                    "required": [
                        "question",
                        "slug",
                        "url",
                        "api_url",
                        "topic",
                        "lead_text",
                        *dates,
                    ],
                },
                "AnswerPage": {
                    "type": "object",
                    "properties": {
                        "count": {"type": "integer"},
                        "page": {"type": "integer"},
                        "pages": {"type": "integer"},
                        "next": {"type": ["string", "null"], "format": "uri"},
                        "previous": {"type": ["string", "null"], "format": "uri"},
                        "results": {"type": "array", "items": _schema_ref("AnswerSummary")},
                    },
                    "required": ["count", "page", "pages", "next", "previous", "results"],
                },
                "Section": {
                    "type": "object",
                    "properties": {
                        "anchor": {"type": "string"},
                        "heading": {"type": "string"},
                        "kind": {"type": "string", "enum": ["prose", "questions"]},
                        "html": {"type": "string", "description": "Sanitised HTML."},
                        "text": {"type": "string"},
                    },
                    "required": ["anchor", "heading", "kind", "html", "text"],
                },
                "Reference": {
                    "type": "object",
                    "properties": {
                        "number": {"type": "integer", "description": "Order of first citation."},
                        "html": {"type": "string", "description": "Formatted (AMA by default)."},
                        "csl": {"type": "object", "description": "The reference as CSL-JSON."},
                        "doi": {"type": "string"},
                        "pmid": {"type": "string"},
                    },
                    "required": ["number", "html", "csl", "doi", "pmid"],
                },
                "Answer": {
                    "type": "object",
                    "properties": {
                        "question": {"type": "string"},
                        "slug": {"type": "string"},
                        "url": {"type": "string", "format": "uri"},
                        "topic": _schema_ref("Topic"),
                        "lead": {
                            "type": "object",
                            "properties": {"html": {"type": "string"}, "text": {"type": "string"}},
                            "required": ["html", "text"],
                        },
                        "sections": {"type": "array", "items": _schema_ref("Section")},
                        "references": {"type": "array", "items": _schema_ref("Reference")},
                        "writers": {"type": "array", "items": _schema_ref("Person")},
                        "reviewer": {"oneOf": [_schema_ref("Person"), {"type": "null"}]},
                        "disclaimer": {"type": "string"},
                        "version": {
                            "type": "string",
                            "description": "SHA-256 of the content the clinician approved.",
                        },
                        **dates,
                    },
                    "required": [
                        "question",
                        "slug",
                        "url",
                        "topic",
                        "lead",
                        "sections",
                        "references",
                        "writers",
                        "reviewer",
                        "disclaimer",
                        "version",
                        *dates,
                    ],
                },
            }
        },
    }


@require_safe
def openapi(request):
    return _json(openapi_document())
