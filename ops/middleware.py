import logging
import time
from contextlib import ExitStack

from django.db import connections

logger = logging.getLogger("qa_cms.requests")


class RequestLogMiddleware:
    """One log line per request: method, path, status, duration and SQL query count."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(count))
            response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        logger.log(
            level,
            "%s %s %s %.1fms %dq",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            queries,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "queries": queries,
            },
        )
        return response
