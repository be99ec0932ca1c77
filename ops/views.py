import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    key, value = "healthz", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was just stored")


def _tasks():
    from django_tasks_db.backend import DatabaseBackend

    # The database backend: its table must be readable. Other backends (RQ) report
    # problems through Django's checks.
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if isinstance(backend, DatabaseBackend):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.ready().values_list("pk").first()
    elif errors := list(backend.check()):
        raise RuntimeError("; ".join(str(error.msg) for error in errors))


CHECKS = {"database": _database, "cache": _cache, "tasks": _tasks}


@require_safe
@never_cache
def healthz(request):
    """For load balancers: 200 when the database, cache and task queue answer, else 503
    naming what failed. No session, so no cookie."""
    results, failed = {}, []
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            # The details go to the log, not to whoever can reach this URL.
            logger.exception("Health check %r failed", name)
            results[name] = "failed"
            failed.append(name)
        else:
            results[name] = "ok"
    body = {"status": "fail" if failed else "ok", "checks": results}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)
