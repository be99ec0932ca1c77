"""Whole-page caching of the public pages: the headers shared caches need, and an in-app
cache of anonymous responses in Django's cache.

A view opts in with `@public_page`, naming the query parameters it reads
(`@public_page(query=["q", "page"])`). For such a view, a GET or HEAD without a sign-in
(session) or flash-message cookie is anonymous: its response carries no cookie and no
`Vary: Cookie`, a public `Cache-Control`, an ETag and a Last-Modified date, and is kept in
the cache under the current public generation (`ops.models.PublicGeneration`), which every
change to what the public sees bumps. Any other request (staff, a reader just shown
"thank you") bypasses every cache and gets `private, no-store`.

An anonymous request reaches the view with only the parameters it names (tracking tags and
junk are dropped), so the cache key holds everything the page depends on and `?utm=1`,
`?utm=2`... share one entry. When the database cannot be reached, a page already in the
cache is served under the generation last read (for PAGE_CACHE_DATABASE_GRACE seconds);
anything else answers 503 "try again in a minute" (ops.errors).

In front of that shared cache (files or Redis, shared by the workers), each worker keeps the
pages it served last in its own memory (`LocalPages`, PAGE_CACHE_LOCAL_BYTES): a hit then
skips reading, decompressing and unpickling the page. It is a memo of the shared cache and
never more: a page is served from memory only under the generation this request read from
the database, and only while the shared cache still holds it (`has_key`, a small read), so a
purge, a `cache.clear()`, an expiry or a cull made by any process is seen by every worker on
its next request.
"""

import datetime
import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.signals import setting_changed
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.http import HttpResponse, QueryDict
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone
from django.utils.cache import cc_delim_re, get_conditional_response, set_response_etag
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, parse_http_date_safe

from .errors import DATABASE_UNAVAILABLE, service_unavailable
from .models import PublicGeneration

logger = logging.getLogger(__name__)

CACHEABLE_STATUSES = {200, 203, 301, 304, 308, 404, 410}
# The in-app cache keeps pages, not misses: an address anyone can make up is no key to store.
STORED_STATUSES = {200, 410}
SAFE_METHODS = {"GET", "HEAD"}
# The request headers get_conditional_response reads: without any, a page is its own answer.
CONDITIONAL_HEADERS = (
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)

# Content apps register a callable giving the next moment their public pages change by the
# clock (answers: a scheduled go-live or take-down), so this module imports none of them.
SCHEDULED_CHANGE_PROVIDERS = []


# `public_page(query=EVERY_PARAMETER)`: the view passes the whole query string on (a
# redirect that keeps it) and never answers 200 from it, so nothing it answers is stored.
EVERY_PARAMETER = "*"


def public_page(view=None, *, query=(), on_serve=None):
    """Mark a view as a public page: cacheable for anonymous readers, fresh for staff.
    `query` names the query parameters the page reads; anonymous readers' requests reach it
    with only those, so no other parameter can make a new cache entry.

    `on_serve(request, response)` runs for every anonymous request of the page, served from
    the in-app cache or fresh (to count something, such as a search). Such a page is kept by
    the in-app cache only: shared caches get `private, max-age=0`, since a page they served
    would never reach the app to be counted (a browser's revalidation does: 304)."""

    def mark(view):
        view.public_page = True
        view.public_query = query if query == EVERY_PARAMETER else frozenset(query)
        view.public_on_serve = on_serve
        return view

    return mark if view is None else mark(view)


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
    _remember(generation, next_change)
    return generation, next_change


# The state this process last read, and when (time.time()): what a cached page is served
# under while the database cannot be reached.
_last_read = None
# What this process last stored in the cache: (generation, time.time()).
_last_stored = None
LAST_READ_KEY = "page:last-read-generation"


def _remember(generation, next_change):
    """Keep the state just read in memory and, now and then, in the page cache too (shared
    with the other workers when it is Redis, so a worker started during an outage has it)."""
    global _last_read, _last_stored
    now = time.time()
    _last_read = (generation, next_change, now)
    grace = settings.PAGE_CACHE_DATABASE_GRACE
    if not (settings.PAGE_CACHE and grace > 0):
        return
    if _last_stored is None or _last_stored[0] != generation or now - _last_stored[1] >= grace / 4:
        caches[settings.PAGE_CACHE_ALIAS].set(LAST_READ_KEY, _last_read, grace)
        _last_stored = (generation, now)


def remembered_state(cache):
    """The (generation, next change) read within PAGE_CACHE_DATABASE_GRACE seconds, by
    this process or another, or None. None too once a scheduled change has come: no page
    cached before it may be served after it, and nothing can bump the generation now."""
    grace = settings.PAGE_CACHE_DATABASE_GRACE
    now = time.time()
    candidates = [_last_read, cache.get(LAST_READ_KEY) if cache is not None else None]
    fresh = [state for state in candidates if state and now - state[2] <= grace]
    if not fresh:
        return None
    generation, next_change, _ = max(fresh, key=lambda state: state[2])
    if next_change is not None and next_change <= timezone.now():
        return None
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
    if settings.PUBLIC_CACHE_STALE_IF_ERROR and not cut:
        value += f", stale-if-error={settings.PUBLIC_CACHE_STALE_IF_ERROR}"
    return value


def is_anonymous(request) -> bool:
    """No cookie that could make the page differ: the session (staff) or a flash message."""
    return not any(name in request.COOKIES for name in settings.PAGE_CACHE_BYPASS_COOKIES)


def _public_view(request):
    """The public page's view at this address, or None when the address is not one."""
    return _public_view_at(get_urlconf(settings.ROOT_URLCONF), request.path_info)


@lru_cache(maxsize=4096)
def _public_view_at(urlconf, path):
    """Resolved once per address in each process (the URLconf does not change while it
    runs): resolving took a sixth of a cache hit's time."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return match.func if getattr(match.func, "public_page", False) else None


def _urls_changed(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _public_view_at.cache_clear()


setting_changed.connect(_urls_changed)


def keep_only_query(request, names):
    """Leave the request only the parameters in `names`, in a stable order: the view sees
    exactly what the cache key holds."""
    if names == EVERY_PARAMETER:
        return
    raw = request.META.get("QUERY_STRING", "")
    pairs = parse_qsl(raw, keep_blank_values=True) if raw else []
    kept = sorted((pair for pair in pairs if pair[0] in names), key=lambda pair: pair[0])
    query = urlencode(kept)
    if query != raw:
        request.META["QUERY_STRING"] = query
        request.GET = QueryDict(query, encoding=request.encoding)


PRIVATE_REVALIDATE = "private, max-age=0"


def _served(on_serve, request, response):
    """Run the page's `on_serve`; a database error there is logged, and the page served."""
    if on_serve is None:
        return
    try:
        on_serve(request, response)
    except DatabaseError:
        logger.exception("%s: on_serve failed; the page was served.", request.path)


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


# What every response holds itself (HttpResponse's own attributes).
_RESPONSE_OWN = {"closed", "cookies", "headers", "status_code"}


class _Page:
    """What a stored page is made of, to build a fresh response for each request from."""

    __slots__ = ("attributes", "content", "headers", "last_modified", "size", "status")

    def __init__(self, response):
        self.status = response.status_code
        # What a view set on its response for later (`search_found`, read by the page's
        # on_serve), as pickling it into the shared cache keeps it; not the response's own.
        self.attributes = {
            name: value
            for name, value in response.__getstate__().items()
            if not name.startswith("_") and name not in _RESPONSE_OWN
        }
        # The headers as ResponseHeaders keeps them, already checked and encoded: copied
        # into each response rather than set one by one (a third of building it).
        self.headers = dict(response.headers._store)
        self.content = response.content
        last_modified = response.get("Last-Modified")
        self.last_modified = parse_http_date_safe(last_modified) if last_modified else None
        self.size = len(self.content) + sum(len(k) + len(v) for k, v in self.headers.values())

    def response(self):
        response = HttpResponse(self.content, status=self.status)
        response.headers._store = self.headers.copy()
        response.__dict__.update(self.attributes)
        return response


def _still_shared(cache, key):
    """Whether the shared cache still holds `key`: for files, whether the file is there (a
    stat; an entry is written whole by a rename and removed by a purge, a clear or a cull),
    else the backend's has_key. Its time limit is no question here: an entry's key holds the
    generation, and each scheduled change bumps that, so a time limit only frees space."""
    if isinstance(cache, FileBasedCache):
        return os.path.exists(cache._key_to_file(key))
    return cache.has_key(key)


class LocalPages:
    """A bounded (least recently used first out) memory of pages in one process, in front of
    the shared page cache. An entry is only as good as the shared cache's: the caller looks
    up a key made with the generation just read, and `get` answers only while `shared`
    still holds that key."""

    def __init__(self):
        self._pages = OrderedDict()  # key -> (expires at, time.monotonic(); _Page)
        self._bytes = 0
        self._lock = threading.Lock()

    @staticmethod
    def limit():
        return settings.PAGE_CACHE_LOCAL_BYTES

    def get(self, key, shared):
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                return None
            if entry[0] <= time.monotonic():
                self._drop(key)
                return None
            self._pages.move_to_end(key)
        if not _still_shared(shared, key):
            with self._lock:
                if self._pages.get(key) is entry:
                    self._drop(key)
            return None
        return entry[1]

    def set(self, key, response, timeout):
        page = _Page(response)
        limit = self.limit()
        if page.size > limit // 8:  # a page that would push out many others is not kept
            return page
        with self._lock:
            if key in self._pages:
                self._drop(key)
            self._pages[key] = (time.monotonic() + timeout, page)
            self._bytes += page.size
            while self._bytes > limit:
                self._drop(next(iter(self._pages)))
        return page

    def _drop(self, key):
        _, page = self._pages.pop(key)
        self._bytes -= page.size

    def clear(self):
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    def __len__(self):
        return len(self._pages)


local_pages = LocalPages()


def _stored_page(cache, key, timeout, *, local):
    """(response, its Last-Modified as a timestamp or None) of the page stored under `key`:
    from this process's memory when the shared cache still holds it, else from the shared
    cache (then kept in memory); (None, None) when it is not stored."""
    page = local_pages.get(key, cache) if local else None
    if page is None:
        cached = cache.get(key)
        if cached is None or not local:
            return cached, None
        page = local_pages.set(key, cached, timeout)
    return page.response(), page.last_modified


class PublicPageCacheMiddleware:
    """Place it above the session, CSRF and message middleware, so their cookie and Vary
    headers are in place when it decides, and a cached page skips them all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = None if request.method not in SAFE_METHODS else _public_view(request)
        if view is None:
            return self.get_response(request)
        query = getattr(view, "public_query", frozenset())
        on_serve = getattr(view, "public_on_serve", None)
        if not is_anonymous(request):
            response = self.get_response(request)
            response["Cache-Control"] = "private, no-store"
            response.headers.pop(settings.SURROGATE_KEY_HEADER, None)
            return response

        keep_only_query(request, query)
        cache = caches[settings.PAGE_CACHE_ALIAS] if settings.PAGE_CACHE else None
        try:
            generation, next_change = public_state()
        except DATABASE_UNAVAILABLE as error:
            return self._without_database(request, cache, error)
        limit = seconds_until(next_change)
        timeout = settings.PAGE_CACHE_SECONDS
        timeout = timeout if limit is None else min(timeout, limit)
        local = settings.PAGE_CACHE_LOCAL_BYTES > 0
        if cache is not None:
            key = _cache_key(request, generation)
            cached, last_modified = _stored_page(cache, key, timeout, local=local)
            if cached is not None:
                cached["X-Page-Cache"] = "hit"
                if limit is not None and on_serve is None:
                    cached["Cache-Control"] = public_cache_control(limit)
                _served(on_serve, request, cached)
                return self._conditional(request, cached, last_modified)

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
        response["Cache-Control"] = (
            public_cache_control(limit) if on_serve is None else PRIVATE_REVALIDATE
        )
        if not response.has_header("ETag"):
            set_response_etag(response)
        if cache is not None and response.status_code in STORED_STATUSES:
            cache.set(key, response, timeout)
            if local:
                local_pages.set(key, response, timeout)
            response["X-Page-Cache"] = "miss"
        _served(on_serve, request, response)
        return self._conditional(request, response)

    def _without_database(self, request, cache, error):
        """The database is unreachable: the cached page under the generation last read, if
        that was recent enough; else 503, without running the view (it would fail too)."""
        state = remembered_state(cache) if cache is not None else None
        if state is not None:
            generation, next_change = state
            cached = cache.get(_cache_key(request, generation))
            if cached is not None:
                logger.warning(
                    "Database unreachable (%s): served %s from the page cache.",
                    error,
                    request.path,
                )
                cached["X-Page-Cache"] = "grace"
                limit = seconds_until(next_change)
                if limit is not None:
                    cached["Cache-Control"] = public_cache_control(limit)
                return self._conditional(request, cached)
        logger.warning(
            "Database unreachable (%s): %s is not in the page cache, answered 503.",
            error,
            request.path,
        )
        return service_unavailable()

    @staticmethod
    def _conditional(request, response, last_modified=None):
        """A 304 or 412 for a conditional request; the response itself for any other (most
        requests: nothing to parse then)."""
        if response.status_code != 200 or not any(
            header in request.META for header in CONDITIONAL_HEADERS
        ):
            return response
        if last_modified is None and response.has_header("Last-Modified"):
            last_modified = parse_http_date_safe(response["Last-Modified"])
        return get_conditional_response(
            request, etag=response.get("ETag"), last_modified=last_modified, response=response
        )
