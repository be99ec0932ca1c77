"""Tasks the tests enqueue and the real worker runs."""

from django.contrib.auth.models import Group
from django.tasks import task


@task
def create_group(name):
    return Group.objects.create(name=name).pk


@task
def fail(message):
    raise ValueError(message)
