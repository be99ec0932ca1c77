"""A fixed-window count of requests per client address, kept in the cache, so a script
cannot flood the editors' feedback queue."""

import ipaddress

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The reader's address. Each of the TRUSTED_PROXY_COUNT proxies in front appends the
    address it was reached from to X-Forwarded-For, so the reader's is the Nth from the
    right; anything further left the client wrote itself. With no trusted proxy, or a
    header that did not come through them all, REMOTE_ADDR is the only address to trust."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote


def within_limit(request, *, scope: str, limit: int, window: int) -> bool:
    """Count this request against its address; False once the window holds over `limit`."""
    key = f"rate:{scope}:{client_ip(request)}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, window)
        count = 1
    return count <= limit
