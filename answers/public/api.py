"""A read-only JSON API of the live published answers, for partners who republish them.

Like the pages, it reads only the approved snapshots: a draft, an answer in review, an edit
awaiting re-approval or a withdrawn answer never appears. Responses carry an ETag and a
Last-Modified date so clients can ask "has it changed?" and get 304 Not Modified.

django-ninja generates the OpenAPI document from the schemas (api_schemas.py) and the
signatures below. Bodies
are built here rather than by pydantic, so dates keep their "+00:00" form; schemathesis
checks in the suite that every response matches the document. Errors are RFC 9457
problem details.
"""

import datetime as dt
import logging
import re
from http import HTTPStatus
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, URLPattern, path, re_path, resolve, reverse
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import http_date
from ninja import NinjaAPI, Query
from ninja.errors import ValidationError

from ops.pagecache import EVERY_PARAMETER, public_page, set_surrogate_keys

from ..models import Certainty, PublishedAnswer
from .api_schemas import PAGE_SIZE, Answer, AnswerFilters, AnswerPage, Problem
from .caching import LISTING, answer_key
from .structured_data import absolute_url, snapshot_topic_name
from .translated import live_translations, translated_url

PROBLEM = "application/problem+json"
# In a query string an unencoded "+" arrives as a space: "…T10:00 02:00" means "+02:00".
_SPACED_OFFSET_RE = re.compile(r" (\d{2}(?::?\d{2})?)$")
logger = logging.getLogger("django.request")


api = NinjaAPI(
    title="Patient answers API",
    version="1.0.0",
    description=(
        "Read-only access to the answers a clinician has approved and that are currently "
        "published. Drafts, answers in review, unapproved edits and withdrawn answers never "
        "appear. Send If-None-Match or If-Modified-Since to get 304 Not Modified when "
        "nothing changed. Errors are RFC 9457 problem details."
    ),
    openapi_url=None,  # served below, under its historic name
    docs_url=None,  # the interactive docs load from a CDN, which the CSP forbids
    urls_namespace="public-api",
)


def _json(data, *, status=200, content_type="application/json"):
    return JsonResponse(
        data,
        status=status,
        content_type=content_type,
        json_dumps_params={"ensure_ascii": False},
    )


def problem(status: int, detail: str) -> JsonResponse:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    return _json({**body, "detail": detail}, status=status, content_type=PROBLEM)


@api.exception_handler(ValidationError)
def _bad_parameter(request, exc):
    """400 naming each bad parameter (ninja's default is a 422 with pydantic's details)."""
    messages = []
    for error in exc.errors:
        name = ".".join(str(part) for part in error["loc"][1:]) or "request"
        value = request.GET.get(name)
        shown = f"={value!r}" if value is not None else ""
        messages.append(f"{name}{shown}: {error['msg']}")
    return problem(400, "; ".join(messages) + ".")


@api.exception_handler(Exception)
def _server_error(request, exc):
    """Even a bug answers in JSON, and is logged as Django logs a 500."""
    logger.error("Internal Server Error: %s", request.path, exc_info=exc)
    return problem(500, "Something went wrong on our side; we have been told.")


def _conditional(request, response, *, last_modified=None):
    """ETag from the body (so any change to what a client sees changes it), Last-Modified
    from the approval date; 304 when the client already has this version. Cache-Control
    is the public pages' (ops.pagecache)."""
    set_response_etag(response)
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified.timestamp())
    return get_conditional_response(
        request,
        etag=response.headers["ETag"],
        last_modified=int(last_modified.timestamp()) if last_modified else None,
        response=response,
    )


def _topic(topic, name=None):
    """The topic's link, named as the clinician approved it when `name` comes from the
    snapshot (a rename reaches the answer with its next approval)."""
    return {
        "name": name or topic.name,
        "slug": topic.slug,
        "url": absolute_url(topic.get_absolute_url()),
    }


def _person(person):
    return {key: person.get(key, "") for key in ("name", "credentials", "role", "orcid")}


def _certainty(statement):
    """The snapshot's statement; "graded" is derived, as snapshots before it lack the key."""
    if not statement:
        return None
    return {
        "level": statement["level"],
        "graded": statement["level"] != Certainty.NOT_GRADED,
        **{key: statement.get(key, "") for key in ("label", "plain", "reason")},
    }


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
        "topic": _topic(publication.topic, publication.approved_topic_name),
        "lead_text": publication.lead_text,
        "language": "en",
        "translation_of": None,
        "out_of_date": False,
        **_dates(publication),
    }


def translation_summary(snapshot) -> dict:
    """A published translation in the list: its own words and address; topic, review dates
    and the document are the English answer's, which it translates."""
    source = snapshot.translation.answer.publication
    return {
        "question": snapshot.question,
        "slug": snapshot.slug,
        "url": absolute_url(
            translated_url(snapshot.language, "translated_question", snapshot.slug)
        ),
        "api_url": absolute_url(reverse("api_answer_detail", args=[source.slug])),
        "topic": _topic(source.topic, snapshot_topic_name(source)),
        "lead_text": snapshot.data.get("lead_text", ""),
        "language": snapshot.language,
        "translation_of": absolute_url(source.get_absolute_url()),
        "out_of_date": snapshot.translation.out_of_date_since is not None,
        "first_published": snapshot.first_published_at.isoformat(),
        "last_reviewed": snapshot.approved_at.isoformat(),
        "next_review_due": source.next_review_due.isoformat(),
    }


def answer_detail_data(publication) -> dict:
    data = publication.data
    return {
        "question": publication.question,
        "slug": publication.slug,
        "url": absolute_url(publication.get_absolute_url()),
        "topic": _topic(publication.topic, snapshot_topic_name(publication)),
        "lead": {"html": publication.lead_html, "text": data.get("lead_text", "")},
        "sections": [
            {key: section[key] for key in ("anchor", "heading", "kind", "html", "text")}
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
        "writers": [_person(writer) for writer in data.get("writers", [])],
        "reviewer": _person(data["reviewer"]) if data.get("reviewer") else None,
        "disclaimer": data.get("disclaimer", ""),
        "certainty": _certainty(data.get("certainty")),
        "changes": [
            {
                "date": change["date"],
                "reviewer": _person(change["reviewer"]),
                "summary": change["summary"],
                "correction": change["correction"],
            }
            for change in data.get("changes", [])
        ],
        "version": publication.content_hash,
        **_dates(publication),
    }


def parse_updated_since(value: str) -> dt.datetime:
    """An ISO 8601 date (midnight UTC) or date-time (UTC when it names no offset), in UTC.
    A moment past the calendar's ends (year 9999 west of UTC) is clamped to that end: it is
    still a fair question, and its answer is "nothing since" (or "everything")."""
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
        return moment.replace(tzinfo=dt.UTC)
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        end = dt.datetime.max if moment.year == dt.MAXYEAR else dt.datetime.min
        return end.replace(tzinfo=dt.UTC)


_CONDITIONAL = {
    "ETag": {"schema": {"type": "string"}},
    "Last-Modified": {"schema": {"type": "string"}},
}


@api.api_operation(
    ["GET", "HEAD"],
    "/answers/",
    response={200: AnswerPage, 304: None, 400: Problem, 404: Problem},
    url_name="api_answer_list",
    operation_id="listAnswers",
    summary="Published answers, most recently reviewed first",
    openapi_extra={"responses": {200: {"headers": {"ETag": _CONDITIONAL["ETag"]}}}},
)
def answer_list(request, filters: Query[AnswerFilters]):
    publications = PublishedAnswer.objects.listing().order_by("-approved_at", "pk")
    params = {}
    summary = answer_summary
    if filters.language != "en":
        if filters.language not in settings.CONTENT_LANGUAGES:
            offered = ", ".join(["en", *settings.CONTENT_LANGUAGES])
            return problem(
                400, f"language={filters.language!r} is not published here: use one of {offered}."
            )
        publications = (
            live_translations()
            .filter(language=filters.language)
            .select_related("translation__answer__publication__topic")
            .defer("lead_html", "body_html", "references_html", "search_text", "search_vector")
            .order_by("-approved_at", "pk")
        )
        params["language"] = filters.language
        summary = translation_summary
    if filters.topic:
        topic_field = (
            "topic__slug"
            if summary is answer_summary
            else ("translation__answer__publication__topic__slug")
        )
        publications = publications.filter(**{topic_field: filters.topic})
        params["topic"] = filters.topic
    if filters.updated_since is not None:
        try:
            since = parse_updated_since(filters.updated_since)
        except ValueError as error:
            return problem(400, str(error))
        publications = publications.filter(approved_at__gte=since)
        params["updated_since"] = filters.updated_since
    paginator = Paginator(publications, PAGE_SIZE)
    try:
        page = paginator.page(filters.page)
    except EmptyPage:
        last = paginator.num_pages
        return problem(404, f"There is no page {filters.page}: the last page is {last}.")

    def page_url(n):
        return absolute_url(request.path + "?" + urlencode({**params, "page": n}))

    body = {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "next": page_url(page.next_page_number()) if page.has_next() else None,
        "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
        "results": [summary(publication) for publication in page.object_list],
    }
    return _conditional(request, set_surrogate_keys(_json(body), LISTING))


@api.api_operation(
    ["GET", "HEAD"],
    "/answers/{slug}/",
    response={200: Answer, 304: None, 404: Problem, 410: Problem},
    url_name="api_answer_detail",
    operation_id="getAnswer",
    summary="One published answer with its sections and references",
    openapi_extra={"responses": {200: {"headers": _CONDITIONAL}}},
)
def answer_detail(request, slug: str):
    publication = None if "\x00" in slug else PublishedAnswer.objects.for_slug(slug)
    if publication is None or publication.is_embargoed():
        return problem(404, f"No published answer has the slug {slug!r}.")
    if gone_reason := publication.gone_reason():
        gone = problem(410, gone_reason)
        return set_surrogate_keys(gone, answer_key(publication.answer_id))
    response = set_surrogate_keys(
        _json(answer_detail_data(publication)), answer_key(publication.answer_id)
    )
    return _conditional(request, response, last_modified=publication.approved_at)


def openapi_document() -> dict:
    """ninja's document with HEAD left out (it mirrors GET) and errors as problem details."""
    document = api.get_openapi_schema(path_prefix="api/")
    document["servers"] = [{"url": absolute_url("/")}]
    for operations in document["paths"].values():
        operations.pop("head", None)
        for operation in operations.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400 and "content" in response:
                    response["content"] = {PROBLEM: response["content"]["application/json"]}
    return document


def openapi(request):
    if request.method not in ("GET", "HEAD"):
        return _not_allowed(["GET", "HEAD"])
    return _json(openapi_document())


def _not_allowed(methods):
    response = problem(405, f"This address answers only {', '.join(methods)}.")
    response["Allow"] = ", ".join(methods)
    return response


def _problem_errors(view):
    """ninja answers an undeclared method with a plain-text 405: make it problem details,
    keeping its Allow header."""

    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").endswith("json"):
            return _not_allowed([m.strip() for m in response["Allow"].split(",")])
        return response

    wrapped.csrf_exempt = True
    return wrapped


def not_found(request, rest=""):
    """Every other address under /api/ answers in JSON too (after the usual slash redirect)."""
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                request.path + "/" + (f"?{query}" if query else "")
            )
    return problem(404, "Nothing here: the API lives at /api/answers/ and /api/openapi.json.")


# The query parameters each operation reads: the list's filters; none for the rest.
_API_QUERY = {"api_answer_list": list(AnswerFilters.model_fields)}

urlpatterns = [
    *[
        URLPattern(
            p.pattern,
            public_page(_problem_errors(p.callback), query=_API_QUERY.get(p.name, ())),
            p.default_args,
            p.name,
        )
        for p in api.urls[0]
        if p.name != "api-root"
    ],
    path("openapi.json", public_page(openapi), name="api_openapi"),
    # Its redirect keeps the query string; it never answers 200, so nothing is stored.
    re_path(r"^(?P<rest>.*)$", public_page(not_found, query=EVERY_PARAMETER)),
]
