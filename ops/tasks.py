from functools import partial

from django.db import transaction


def enqueue_on_commit(task, *args, using=None, **kwargs):
    """Enqueue `task` once the current transaction commits, so a rolled-back change sends
    nothing. robust: a queue that cannot take the task is logged, and never undoes or
    breaks the editorial action that caused it."""
    transaction.on_commit(partial(task.enqueue, *args, **kwargs), using=using, robust=True)
