"""Field declarations several models share."""

from django.db import models


def set_by_workflow(to, *, related_name="+", help_text=""):
    """A person or version the transitions record (never a form): kept if it is deleted."""
    return models.ForeignKey(
        to,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name=related_name,
        help_text=help_text,
    )
