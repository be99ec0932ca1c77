"""The HTTP client every source shares: timeouts, retries with backoff on 429 and 5xx
(honouring Retry-After), a per-host request rate, a cache of successful answers, and an
optional total deadline shared by every call inside `deadline()` (a page's lookup)."""

import contextvars
import email.utils
import hashlib
import json
import threading
import time
from contextlib import contextmanager

import httpx
from django.conf import settings
from django.core.cache import cache

RETRY_STATUSES = {429, 500, 502, 503, 504}
CACHE_PREFIX = "citations.sources:"


class SourceError(Exception):
    """A lookup that gave nothing usable. `kind` is one of: invalid, not_found,
    unreachable, malformed, out_of_time."""

    def __init__(self, message, *, kind):
        super().__init__(message)
        self.kind = kind
        self.message = message


class NotFound(SourceError):
    def __init__(self, message):
        super().__init__(message, kind="not_found")


class Unreachable(SourceError):
    def __init__(self, message):
        super().__init__(message, kind="unreachable")


class Malformed(SourceError):
    def __init__(self, message):
        super().__init__(message, kind="malformed")


class OutOfTime(SourceError):
    """The total time a lookup may take (`deadline()`) ran out."""

    def __init__(self, message):
        super().__init__(message, kind="out_of_time")


# (moment it ends on time.monotonic(), seconds it allowed) or None: no total deadline.
_deadline = contextvars.ContextVar("source_deadline", default=None)


@contextmanager
def deadline(seconds: float):
    """Every source call inside shares one total budget of `seconds`: connecting, waiting,
    reading and the pauses between retries. A call the budget cannot cover raises OutOfTime
    at once. A page that waits for the sources uses this to answer well within the web
    server's timeout, whatever the number of identifiers or retries."""
    token = _deadline.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def _remaining() -> float | None:
    current = _deadline.get()
    return None if current is None else current[0] - time.monotonic()


def _out_of_time(service: str, problem: str = "") -> OutOfTime:
    allowed = f"a lookup may take {_deadline.get()[1]:g} seconds in all"
    if not problem or problem.startswith("did not answer"):
        what = f"{service} did not answer in time ({allowed})."
    else:
        what = f"{service} {problem}, and time ran out before it could be asked again ({allowed})."
    return OutOfTime(f"{what} Nothing was saved; try again later.")


class RateLimit:
    """At most `per_second` requests started per second, across threads of this process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._last = 0.0

    def wait(self, per_second: float) -> None:
        with self._lock:
            pause = self._last + 1.0 / per_second - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            self._last = time.monotonic()


def retry_after_seconds(value: str | None, *, cap: float) -> float | None:
    """Retry-After as seconds (it may be a number of seconds or an HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), cap)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, min(when.timestamp() - time.time(), cap))


def user_agent() -> str:
    contact = getattr(settings, "CROSSREF_MAILTO", "")
    return f"qa-cms/1.0 ({'mailto:' + contact if contact else 'patient answers CMS'})"


def get(
    url: str,
    *,
    params: dict | None = None,
    service: str,
    rate: RateLimit | None = None,
    per_second: float = 0,
    not_found: str = "",
) -> httpx.Response:
    """GET with the shared timeouts and retries. Returns a 2xx response; raises NotFound
    on 404 (with the `not_found` message) and Unreachable when the service cannot answer."""
    attempts = max(1, settings.SOURCE_RETRIES + 1)
    cap = settings.SOURCE_RETRY_AFTER_MAX
    last_problem = ""
    for attempt in range(attempts):
        if rate is not None and per_second:
            rate.wait(per_second)
        timeout = settings.SOURCE_TIMEOUT
        remaining = _remaining()
        if remaining is not None:
            if remaining <= 0:
                raise _out_of_time(service, last_problem)
            timeout = min(timeout, remaining)
        try:
            response = _fetch(url, params=params, timeout=timeout)
        except httpx.TimeoutException:
            last_problem = f"did not answer within {timeout:g} seconds"
            wait = None
        except httpx.HTTPError as error:
            last_problem = f"could not be reached ({error.__class__.__name__})"
            wait = None
        else:
            if response.status_code == 404:
                raise NotFound(not_found or f"{service} has no record at {url}.")
            if response.is_success:
                return response
            if response.status_code not in RETRY_STATUSES:
                raise Unreachable(
                    f"{service} refused the request (HTTP {response.status_code}); nothing was saved."
                )
            last_problem = f"answered HTTP {response.status_code}"
            wait = retry_after_seconds(response.headers.get("Retry-After"), cap=cap)
        if attempt + 1 < attempts:
            pause = wait if wait is not None else settings.SOURCE_BACKOFF * 2**attempt
            remaining = _remaining()
            if remaining is not None and pause >= remaining:
                raise _out_of_time(service, last_problem)
            time.sleep(pause)
    raise Unreachable(
        f"{service} {last_problem} after {attempts} attempt{'s' if attempts != 1 else ''}; "
        "nothing was saved. Try again later."
    )


def _fetch(url: str, *, params, timeout: float) -> httpx.Response:
    """One GET, read whole. Under a deadline the body is read chunk by chunk, so a server
    that trickles its answer cannot outlast the deadline either (httpx's timeouts are per
    read, not for the whole response)."""
    with httpx.stream(
        "GET",
        url,
        params=params,
        timeout=timeout,
        headers={"User-Agent": user_agent()},
        follow_redirects=True,
    ) as response:
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            remaining = _remaining()
            if remaining is not None and remaining <= 0:
                raise httpx.ReadTimeout(
                    "the deadline passed while reading", request=response.request
                )
        # What Response.read() would store; the body has been decoded already.
        response._content = bytes(body)
    return response


def cached(key_parts: tuple, fetch):
    """The cached result of `fetch()` for these key parts; only successes are stored."""
    digest = hashlib.sha256(json.dumps(key_parts, sort_keys=True).encode()).hexdigest()
    key = CACHE_PREFIX + digest
    hit = cache.get(key)
    if hit is not None:
        return hit
    result = fetch()
    cache.set(key, result, settings.SOURCE_CACHE_SECONDS)
    return result


def json_body(response: httpx.Response, *, service: str):
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        raise Malformed(
            f"{service} sent an answer that is not valid JSON; nothing was saved."
        ) from None
