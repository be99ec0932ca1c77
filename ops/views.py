import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.utils import timezone
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

# The processes that must be alive, what their beat is called, and the setting that says how
# old it may be (0: not checked).
PROCESSES = {
    "worker": ("last_heartbeat", "HEALTHZ_WORKER_MAX_AGE", "no task worker"),
    "scheduler": ("last_tick", "HEALTHZ_SCHEDULER_MAX_AGE", "no scheduler"),
}


def _processes(body, failed, reasons):
    """The newest worker heartbeat and scheduler tick, in one query; each older than its
    setting fails, with the reason in words."""
    from .heartbeat import last_beats

    now = timezone.now()
    try:
        beats = last_beats()
    except Exception:
        logger.exception("Health check: the heartbeats could not be read")
        for kind in PROCESSES:
            body["checks"][kind] = "failed"
            failed.append(kind)
            reasons[kind] = "its heartbeat could not be read"
        return
    for kind, (field, setting, nobody) in PROCESSES.items():
        limit = getattr(settings, setting)
        last = beats.get(kind)
        age = round((now - last).total_seconds()) if last else None
        body[kind] = {field: last.isoformat() if last else None, "age_seconds": age}
        if limit:
            body[kind]["max_age_seconds"] = limit
        if not limit:
            body["checks"][kind] = "not checked"
        elif last is None:
            body["checks"][kind] = "failed"
            reasons[kind] = f"{nobody} has ever recorded a heartbeat"
        elif age > limit:
            body["checks"][kind] = "failed"
            reasons[kind] = f"{nobody} heard from for {age} s (limit {limit:g} s)"
        else:
            body["checks"][kind] = "ok"
        if body["checks"][kind] == "failed":
            failed.append(kind)


@require_safe
@never_cache
def healthz(request):
    """For load balancers and monitors: 200 when the database, cache and task queue answer
    and the task worker and scheduler beat recently, else 503 naming what failed and why.
    No session, so no cookie."""
    results, failed, reasons = {}, [], {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            # The details go to the log, not to whoever can reach this URL.
            logger.exception("Health check %r failed", name)
            results[name] = "failed"
            failed.append(name)
            reasons[name] = f"the {name} check failed (details in the log)"
        else:
            results[name] = "ok"
    body = {"status": "ok", "checks": results}
    _processes(body, failed, reasons)
    if failed:
        body.update(status="fail", failed=failed, reasons=reasons)
    return JsonResponse(body, status=503 if failed else 200)
