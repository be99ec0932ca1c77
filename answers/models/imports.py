"""An upload the task worker imports (answers.tasks.run_import): the file until it is
imported, the progress the page shows, and the report it ends with."""

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        REFERENCES = "references", "References"

    class Status(models.TextChoices):
        PREVIEW = "preview", "Waiting for you to confirm"
        WAITING = "waiting", "Waiting for the task worker"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Stopped by an error"

    kind = models.CharField(max_length=20, choices=Kind)
    status = models.CharField(max_length=20, choices=Status, default=Status.WAITING)
    filename = models.CharField(max_length=255)
    data = models.BinaryField(help_text="The uploaded file; emptied once it is imported.")
    references_name = models.CharField(max_length=255, blank=True)
    references_data = models.BinaryField(blank=True, default=b"")
    topic_name = models.CharField(max_length=200, blank=True)
    answer = models.ForeignKey(
        "answers.Answer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="References: also cite them in this answer.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0, help_text="Records to import, once read.")
    done = models.PositiveIntegerField(default=0, help_text="Records imported so far.")
    report = models.JSONField(default=dict, blank=True)
    created_answer = models.ForeignKey(
        "answers.Answer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    error = models.TextField(blank=True, help_text="Why the import stopped, when it failed.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["preview", "waiting", "running", "done", "failed"]),
                name="import_job_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["article", "references"]),
                name="import_job_kind_valid",
            ),
        ]

    def __str__(self):
        return f"Import of {self.filename}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0
