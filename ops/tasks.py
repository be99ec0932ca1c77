from django.db import transaction


def enqueue_on_commit(task, *args, using=None, **kwargs):
    """Enqueue `task` once the current transaction commits, so a rolled-back change sends
    nothing. robust: a queue that cannot take the task is logged, and never undoes or
    breaks the editorial action that caused it."""

    def enqueue():
        task.enqueue(*args, **kwargs)

    # Django names the callback in its error log (__qualname__, which a partial lacks).
    enqueue.__qualname__ = f"enqueue({task.module_path})"
    transaction.on_commit(enqueue, using=using, robust=True)
