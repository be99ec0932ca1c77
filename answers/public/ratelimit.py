"""A fixed-window count of requests per client address, so a script cannot flood the
editors' feedback queue. Counted in the database (ops.ratelimit), which every web process
shares: a per-process cache (LocMemCache under `make serve`) let each worker allow the
limit. The database must be up to take feedback anyway, and its row lock makes the count
exact under concurrent posts, which the cache's get-then-set `incr` fallback is not."""

import ipaddress

from django.conf import settings

from ops.ratelimit import count_request


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
    return count_request(scope=scope, client=client_ip(request), window=window) <= limit
