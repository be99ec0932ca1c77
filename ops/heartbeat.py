"""Heartbeats of the long-running processes (task workers, the scheduler): one row each,
updated in place, read by /healthz and by the workers' lease on their tasks."""

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from django.db import Error, connection
from django.db.models import Max
from django.utils import timezone

from .models import Heartbeat, ProcessKind

logger = logging.getLogger(__name__)

# A process silent this long is gone for good: its row is deleted by the next one starting.
FORGET_AFTER = timedelta(days=1)


def beat(*, kind: str, name: str, started_at: datetime) -> datetime:
    """Record that the process `name` is alive now (one UPDATE, an INSERT the first time)."""
    now = timezone.now()
    if not Heartbeat.objects.filter(name=name).update(beat_at=now):
        Heartbeat.objects.create(
            kind=kind,
            name=name,
            host=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=started_at,
            beat_at=now,
        )
        Heartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()
    return now


def last_beats() -> dict[str, datetime]:
    """The newest beat of each kind of process, in one query."""
    rows = Heartbeat.objects.order_by().values("kind").annotate(last=Max("beat_at"))
    return {row["kind"]: row["last"] for row in rows}


class HeartThread(threading.Thread):
    """Beats for a worker every `interval` seconds from its own thread (and so its own
    database connection), also while the worker's main thread runs a long task. A beat
    that fails is logged and tried again at the next one; `after_beat` runs after each
    successful beat (the worker's lease check)."""

    def __init__(self, *, name: str, interval: float, after_beat=None):
        super().__init__(name=f"heartbeat-{name}", daemon=True)
        self.process_name = name
        self.interval = interval
        self.after_beat = after_beat
        self.started_at = timezone.now()
        self.healthy_since = None  # the first beat that worked after the last one that failed
        self.failing = False
        self._stop_event = threading.Event()

    def run(self):
        try:
            while not self._stop_event.is_set():
                self.beat_once()
                self._stop_event.wait(self.interval)
        finally:
            connection.close()

    def beat_once(self):
        try:
            now = beat(kind=ProcessKind.WORKER, name=self.process_name, started_at=self.started_at)
        except Error as error:
            if not self.failing:
                logger.error(
                    "Task worker %s: could not record its heartbeat (tried again every %s s): %s",
                    self.process_name,
                    self.interval,
                    error,
                )
            self.failing, self.healthy_since = True, None
            connection.close()  # a fresh connection next time
            return
        if self.failing:
            logger.warning("Task worker %s: heartbeat recorded again", self.process_name)
            self.failing = False
        if self.healthy_since is None:
            self.healthy_since = now
        if self.after_beat is not None:
            try:
                self.after_beat(self)
            except Error as error:
                logger.error("Task worker %s: lease check failed: %s", self.process_name, error)
                connection.close()

    def stop(self):
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=self.interval + 5)
