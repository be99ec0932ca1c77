from django.db import models


class PublicGeneration(models.Model):
    """One row: a counter bumped, in the same transaction, by every change to what the
    public sees. The in-app page cache keys its entries by it, so a change reaches every
    web process at once, even with a per-process local-memory cache."""

    value = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)
    next_change_at = models.DateTimeField(
        null=True,
        help_text="The next moment the public pages change by the clock (a scheduled go-live "
        "or take-down): no cached page may outlive it.",
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="one_generation")]

    def __str__(self):
        return f"Public content generation {self.value}"


class ScheduledRun(models.Model):
    """One due run of a daily job (settings.SCHEDULED_JOBS): claimed by the scheduler that
    enqueues it. Unique per job and due moment, so two schedulers, or one restarted, never
    enqueue the same run twice."""

    job = models.CharField(max_length=100, help_text="The job's name in SCHEDULED_JOBS.")
    task_path = models.CharField(max_length=300, help_text="The task it enqueued.")
    due_at = models.DateTimeField(help_text="The moment the job was due (its time of day).")
    claimed_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: the queue has not taken the task."
    )
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-due_at", "job"]
        get_latest_by = "due_at"
        constraints = [
            models.UniqueConstraint(fields=["job", "due_at"], name="scheduled_run_once_per_slot")
        ]

    def __str__(self):
        return f"{self.job} due {self.due_at:%Y-%m-%d %H:%M}"


class ProcessKind(models.TextChoices):
    WORKER = "worker", "Task worker"
    SCHEDULER = "scheduler", "Scheduler"


class Heartbeat(models.Model):
    """The last sign of life of one long-running process: a task worker beats every
    WORKER_HEARTBEAT_SECONDS, even during a long task, and the scheduler on each tick.
    /healthz reads the newest beat of each kind; a worker's beat is also the lease on the
    task it runs (ops.worker): a task whose worker stopped beating is run again."""

    Kind = ProcessKind

    kind = models.CharField(max_length=20, choices=ProcessKind)
    name = models.CharField(
        max_length=64, unique=True, help_text="The worker's id (as in the task's worker ids)."
    )
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()

    class Meta:
        ordering = ["-beat_at"]
        indexes = [models.Index(fields=["kind", "beat_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ProcessKind.values), name="heartbeat_kind_valid"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name} on {self.host} (pid {self.pid})"


class RateLimitWindow(models.Model):
    """How many requests one client made in one fixed window of one limit (the readers'
    feedback, outside reviewers' comments). In the database, so every web process counts
    the same requests: a per-process cache would let each gunicorn worker allow the limit."""

    scope = models.CharField(max_length=50, help_text="The limit counted, e.g. 'feedback'.")
    client = models.CharField(max_length=64, help_text="The client's address.")
    window_start = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "client", "window_start"], name="rate_limit_one_row_per_window"
            )
        ]

    def __str__(self):
        return f"{self.scope} from {self.client}: {self.count} since {self.window_start}"
