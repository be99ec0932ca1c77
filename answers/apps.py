from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def keep_sqlite_search_installed(sender, using, **kwargs):
    """Django rebuilds a SQLite table for many schema changes, dropping the search triggers
    and covering indexes it does not know about: put them back after every migrate."""
    from .public.sqlite_search import ensure_installed

    ensure_installed(connections[using])


class AnswersConfig(AppConfig):
    name = "answers"
    verbose_name = "Answers"

    def ready(self):
        post_migrate.connect(keep_sqlite_search_installed, sender=self)

        from ops.pagecache import SCHEDULED_CHANGE_PROVIDERS

        from . import tasks  # noqa: F401  (connects the link check after each approval)
        from .models import PublishedAnswer
        from .public import caching  # noqa: F401  (connects the purge receivers)

        # No cached page outlives a scheduled go-live or take-down.
        SCHEDULED_CHANGE_PROVIDERS.append(PublishedAnswer.objects.next_scheduled_change)
        # ... nor the day its readers are first told the review is overdue.
        SCHEDULED_CHANGE_PROVIDERS.append(PublishedAnswer.objects.next_overdue_notice)
