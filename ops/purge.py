"""Purging public pages from the caches in front of the app, by surrogate key or by URL.

`purge_keys(keys, urls=...)` is the one call for every change to what the public sees: it
invalidates the in-app page cache at once (in the caller's transaction) and, once that
transaction commits, enqueues one `purge` task per backend in `PURGE_BACKENDS`. A task
retries with backoff; a purge that cannot be sent is logged and never undoes or blocks the
editorial action. Each purge is sent again `PURGE_REPEAT_SECONDS` later, so a page an edge
cache fetched from the app just before the change committed does not outlive it.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from functools import cache
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

from .pagecache import bump_generation
from .tasks import enqueue_on_commit

logger = logging.getLogger(__name__)


class PurgeError(Exception):
    pass


class PurgeBackend:
    """Sends one purge to one cache. `keys` are surrogate keys; `urls` absolute addresses
    (for caches that purge only by URL). Raise PurgeError when the cache did not confirm."""

    def __init__(self, **options):
        self.options = options
        self.timeout = options.get("TIMEOUT", 5)

    def purge(self, *, keys: list[str], urls: list[str]) -> None:
        raise NotImplementedError

    def _send(self, method, url, **kwargs):
        try:
            response = httpx.request(method, url, timeout=self.timeout, **kwargs)
        except httpx.HTTPError as error:
            raise PurgeError(f"{method} {url}: {error}") from error
        if response.status_code >= 300:
            raise PurgeError(f"{method} {url}: HTTP {response.status_code} {response.text[:200]}")
        return response


class VarnishXkeyBackend(PurgeBackend):
    """Varnish with vmod xkey (deploy/varnish/default.vcl): one PURGE request naming every
    key in an `xkey-purge` header; Varnish drops every object tagged with any of them."""

    def purge(self, *, keys, urls):
        if keys:
            self._send("PURGE", self.options["URL"], headers={"xkey-purge": " ".join(keys)})


class URLPurgeBackend(PurgeBackend):
    """Caches and CDNs that purge one address at a time with an HTTP PURGE request (Varnish
    without xkey, Fastly, nginx's proxy_cache_purge...). ENDPOINT, when set, is where the
    requests go (the cache's own address), each with the public Host it purges."""

    def purge(self, *, keys, urls):
        endpoint = self.options.get("ENDPOINT", "").rstrip("/")
        for url in urls:
            if not endpoint:
                self._send("PURGE", url)
                continue
            parts = urlsplit(url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            self._send("PURGE", endpoint + path, headers={"Host": parts.netloc})


@cache
def _backend(alias):
    config = dict(settings.PURGE_BACKENDS[alias])
    return import_string(config.pop("BACKEND"))(**config)


def backend_for(alias) -> PurgeBackend:
    return _backend(alias)


@task
def purge(*, alias: str, keys: list[str], urls: list[str], attempt: int = 1):
    """Send one purge to one backend; on failure, try again later with backoff."""
    try:
        backend_for(alias).purge(keys=keys, urls=urls)
    except PurgeError as error:
        if attempt >= settings.PURGE_RETRIES or not purge.get_backend().supports_defer:
            logger.error("Purge via %s failed after %d attempts: %s", alias, attempt, error)
            raise
        delay = settings.PURGE_BACKOFF * 2 ** (attempt - 1)
        logger.warning("Purge via %s failed (%s); retrying in %ss.", alias, error, delay)
        purge.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
            alias=alias, keys=keys, urls=urls, attempt=attempt + 1
        )
        return {"purged": False, "retry": attempt + 1}
    return {"purged": True, "keys": len(keys), "urls": len(urls)}


_gathering: ContextVar[tuple[set, set] | None] = ContextVar("purge_gathering", default=None)


@contextmanager
def one_purge():
    """Changes made in the block that purge pages are sent as one purge when it ends (a
    release publishing many answers together); an error in the block sends none."""
    if _gathering.get() is not None:
        yield  # already gathering: the outer block sends it
        return
    gathered = (set(), set())
    token = _gathering.set(gathered)
    try:
        yield
    finally:
        _gathering.reset(token)
    if gathered[0] or gathered[1]:
        purge_keys(gathered[0], urls=gathered[1])


def purge_keys(keys, *, urls=()):
    """Everything tagged with any of `keys` (or at any of `urls`) is out of date: drop it
    from the in-app cache now, and from the edge caches once the transaction commits."""
    gathering = _gathering.get()
    if gathering is not None:
        gathering[0].update(keys)
        gathering[1].update(urls)
        return
    keys, urls = sorted(set(keys)), sorted(set(urls))
    bump_generation()
    repeat = settings.PURGE_REPEAT_SECONDS and purge.get_backend().supports_defer
    for alias in settings.PURGE_BACKENDS:
        enqueue_on_commit(purge, alias=alias, keys=keys, urls=urls)
        if repeat:
            later = timezone.now() + timedelta(seconds=settings.PURGE_REPEAT_SECONDS)
            enqueue_on_commit(purge.using(run_after=later), alias=alias, keys=keys, urls=urls)
