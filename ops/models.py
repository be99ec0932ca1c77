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
