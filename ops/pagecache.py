"""Whole-page caching of the public pages: the headers shared caches need, and an in-app
cache of anonymous responses in Django's cache.

A view opts in with `@public_page`. For such a view, a GET or HEAD without a sign-in
(session) or flash-message cookie is anonymous: its response carries no cookie and no
`Vary: Cookie`, a public `Cache-Control`, an ETag and a Last-Modified date, and is kept in
the cache under the current public generation (`ops.models.PublicGeneration`), which every
change to what the public sees bumps. Any other request (staff, a reader just shown
"thank you") bypasses every cache and gets `private, no-store`.
"""

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import F
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import cc_delim_re, get_conditional_response, set_response_etag
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, parse_http_date_safe

from .models import PublicGeneration

logger = logging.getLogger(__name__)

CACHEABLE_STATUSES = {200, 203, 301, 304, 308, 404, 410}
# The in-app cache keeps pages, not misses: an address anyone can make up is no key to store.
STORED_STATUSES = {200, 410}
SAFE_METHODS = {"GET", "HEAD"}

# Content apps register a callable giving the next moment their public pages change by the
# clock (answers: a scheduled go-live or take-down), so this module imports none of them.
SCHEDULED_CHANGE_PROVIDERS = []


def public_page(view):
    """Mark a view as a public page: cacheable for anonymous readers, fresh for staff."""
    view.public_page = True
    return view


def set_surrogate_keys(response, *keys):
    """Tag a response for purging by key (Varnish xkey, a CDN's surrogate keys)."""
    existing = response.get(settings.SURROGATE_KEY_HEADER, "").split()
    response[settings.SURROGATE_KEY_HEADER] = " ".join(dict.fromkeys([*existing, *keys]))
    return response


def set_last_modified(response, moment):
    if moment is not None:
        response["Last-Modified"] = http_date(moment.timestamp())
    return response


def current_generation() -> int:
    return public_state()[0]


def public_state():
    """(generation, next clock-driven change or None), in one query. A scheduled change
    that has come bumps the generation, so no page cached before it is served after it."""
    generation, next_change = _read_generation()
    if next_change is not None and next_change <= timezone.now():
        bump_generation()
        generation, next_change = _read_generation()
    return generation, next_change


def _read_generation():
    """The row's (value, next_change_at), (0, None) before it exists. Every public request
    reads it, cache hits included: in plain SQL, since compiling the ORM's query took twenty
    times as long as running it (about 400 µs against 20 µs), most of a cache hit's time."""
    table = connection.ops.quote_name(PublicGeneration._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value, next_change_at FROM {table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return 0, None
    generation, moment = row
    if isinstance(moment, str):  # SQLite keeps datetimes as text, in UTC
        moment = parse_datetime(moment)
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return generation, moment


def next_scheduled_change():
    moments = [moment for moment in (p() for p in SCHEDULED_CHANGE_PROVIDERS) if moment]
    return min(moments, default=None)


def bump_generation():
    """Invalidate every page in the in-app cache. In the caller's transaction, so pages
    stored meanwhile under the old generation are never read after the change commits."""
    now = timezone.now()
    next_change = next_scheduled_change()
    with transaction.atomic():
        updated = PublicGeneration.objects.filter(pk=1).update(
            value=F("value") + 1, changed_at=now, next_change_at=next_change
        )
        if not updated:
            PublicGeneration.objects.get_or_create(
                pk=1, defaults={"value": 1, "changed_at": now, "next_change_at": next_change}
            )


def seconds_until(moment):
    """Whole seconds from now until `moment` (None: no limit)."""
    if moment is None:
        return None
    return max(0, int((moment - timezone.now()).total_seconds()))


def public_cache_control(limit=None) -> str:
    """The shared caches' lifetime, cut short at `limit` seconds (the next scheduled change)."""
    max_age, s_maxage = settings.PUBLIC_CACHE_MAX_AGE, settings.PUBLIC_CACHE_S_MAXAGE
    cut = limit is not None and limit < s_maxage
    if cut:
        max_age, s_maxage = min(max_age, limit), limit
    value = f"public, max-age={max_age}, s-maxage={s_maxage}"
    # Nothing stale may be served past a scheduled change.
    if settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE and not cut:
        value += f", stale-while-revalidate={settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE}"
    return value


def is_anonymous(request) -> bool:
    """No cookie that could make the page differ: the session (staff) or a flash message."""
    return not any(name in request.COOKIES for name in settings.PAGE_CACHE_BYPASS_COOKIES)


def _is_public_page(request) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return getattr(match.func, "public_page", False)


def _cache_key(request, generation) -> str:
    address = f"{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode("utf-8", "surrogateescape")).hexdigest()
    return f"page:{generation}:{digest}"


def _without_cookie_vary(response):
    if response.has_header("Vary"):
        kept = [v for v in cc_delim_re.split(response["Vary"]) if v.lower() != "cookie"]
        if kept:
            response["Vary"] = ", ".join(kept)
        else:
            del response["Vary"]


class PublicPageCacheMiddleware:
    """Place it above the session, CSRF and message middleware, so their cookie and Vary
    headers are in place when it decides, and a cached page skips them all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS or not _is_public_page(request):
            return self.get_response(request)
        if not is_anonymous(request):
            response = self.get_response(request)
            response["Cache-Control"] = "private, no-store"
            response.headers.pop(settings.SURROGATE_KEY_HEADER, None)
            return response

        cache = caches[settings.PAGE_CACHE_ALIAS] if settings.PAGE_CACHE else None
        generation, next_change = public_state()
        limit = seconds_until(next_change)
        if cache is not None:
            key = _cache_key(request, generation)
            cached = cache.get(key)
            if cached is not None:
                cached["X-Page-Cache"] = "hit"
                if limit is not None:
                    cached["Cache-Control"] = public_cache_control(limit)
                return self._conditional(request, cached)

        response = self.get_response(request)
        if response.cookies or response.streaming:
            # A page that sets a cookie (or cannot be hashed) is not the same for everyone.
            if response.cookies:
                logger.warning("Public page %s set a cookie: not cached.", request.path)
            response["Cache-Control"] = "private, no-store"
            return response
        if response.status_code not in CACHEABLE_STATUSES:
            response["Cache-Control"] = "no-store"
            return response
        _without_cookie_vary(response)
        if not response.has_header(settings.SURROGATE_KEY_HEADER):
            set_surrogate_keys(response, *settings.SURROGATE_KEYS_UNTAGGED)
        set_surrogate_keys(response, *settings.SURROGATE_KEYS_ALWAYS)
        response["Cache-Control"] = public_cache_control(limit)
        if not response.has_header("ETag"):
            set_response_etag(response)
        if cache is not None and response.status_code in STORED_STATUSES:
            timeout = settings.PAGE_CACHE_SECONDS
            cache.set(key, response, timeout if limit is None else min(timeout, limit))
            response["X-Page-Cache"] = "miss"
        return self._conditional(request, response)

    @staticmethod
    def _conditional(request, response):
        if response.status_code != 200:
            return response
        last_modified = response.get("Last-Modified")
        return get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(last_modified) if last_modified else None,
            response=response,
        )
