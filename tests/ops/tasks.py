"""Tasks the tests enqueue and the real worker runs."""

import time

from django.contrib.auth.models import Group
from django.db import DatabaseError
from django.tasks import task
from django_tasks_db.backend import DatabaseBackend


@task
def create_group(name):
    return Group.objects.create(name=name).pk


@task
def fail(message):
    raise ValueError(message)


@task
def daily():
    """A scheduled job for the scheduler's tests: takes no arguments, as jobs do."""
    return Group.objects.get_or_create(name="daily job ran")[0].pk


class RefusingBackend(DatabaseBackend):
    """A task queue that is down: every enqueue fails, as a database or Redis that cannot
    be reached does."""

    def enqueue(self, task, args, kwargs):
        raise DatabaseError("the task queue cannot be reached")


@task
def note_run(path, seconds):
    """Notes its start and its end in a file, `seconds` apart: the fault tests count how
    often it started and how often it finished."""
    with open(path, "a") as notes:
        notes.write("started\n")
    time.sleep(seconds)
    with open(path, "a") as notes:
        notes.write("finished\n")
    return "noted"
