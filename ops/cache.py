"""Django's RedisCache, made fail-soft: the cache is an optimisation, so Redis down must not
take the site down with it.

While Redis cannot be reached, a read is a miss and a write is skipped, so the page cache
degrades to rendering each page (and the source-lookup cache to asking the source again).
The first failure is logged as a warning and Redis is left alone for REDIS_RETRY_SECONDS,
so requests do not each wait for its timeout; the recovery is logged too. Counters
(`incr`, `decr`) still raise: a count cannot be made up. `/healthz` still sees Redis down
(what it stores does not come back).
"""

import logging
import threading
import time
from functools import wraps

from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_lock = threading.Lock()
# Redis location -> time.monotonic() until which it is not tried again.
_resting_until: dict[str, float] = {}


def _fail_soft(fallback):
    """Run the RedisCache method; on a Redis error, log it (once per outage), rest Redis
    and answer `fallback(*args)` instead."""

    def decorate(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            if self._resting():
                return fallback(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except RedisError as error:
                self._failed(error)
                return fallback(*args, **kwargs)
            self._answered()
            return result

        return wrapper

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)

    def _resting(self):
        until = _resting_until.get(self._location)
        return until is not None and time.monotonic() < until

    def _failed(self, error):
        with _lock:
            first = self._location not in _resting_until
            _resting_until[self._location] = time.monotonic() + settings.REDIS_RETRY_SECONDS
        if first:
            logger.warning(
                "Redis cache unreachable (%s): pages are rendered without the cache; "
                "trying Redis again every %d s.",
                error,
                settings.REDIS_RETRY_SECONDS,
            )

    def _answered(self):
        if self._location in _resting_until:
            with _lock:
                was_down = _resting_until.pop(self._location, None) is not None
            if was_down:
                logger.warning("Redis cache reachable again: the cache is in use.")

    get = _fail_soft(_default)(RedisCache.get)
    add = _fail_soft(lambda *a, **k: False)(RedisCache.add)
    set = _fail_soft(lambda *a, **k: None)(RedisCache.set)
    touch = _fail_soft(lambda *a, **k: False)(RedisCache.touch)
    delete = _fail_soft(lambda *a, **k: False)(RedisCache.delete)
    has_key = _fail_soft(lambda *a, **k: False)(RedisCache.has_key)
    get_many = _fail_soft(lambda *a, **k: {})(RedisCache.get_many)
    set_many = _fail_soft(lambda data, *a, **k: list(data))(RedisCache.set_many)
    delete_many = _fail_soft(lambda *a, **k: None)(RedisCache.delete_many)
    clear = _fail_soft(lambda *a, **k: False)(RedisCache.clear)
