from django.apps import AppConfig


class AnswersConfig(AppConfig):
    name = "answers"
    verbose_name = "Answers"

    def ready(self):
        from notifications.tasks import ANNOUNCERS

        from . import notify

        ANNOUNCERS["answer"] = notify.announce

        from ops.pagecache import SCHEDULED_CHANGE_PROVIDERS

        from .models import PublishedAnswer
        from .public import caching  # noqa: F401  (connects the purge receivers)

        # No cached page outlives a scheduled go-live or take-down.
        SCHEDULED_CHANGE_PROVIDERS.append(PublishedAnswer.objects.next_scheduled_change)
        # ... nor the day its readers are first told the review is overdue.
        SCHEDULED_CHANGE_PROVIDERS.append(PublishedAnswer.objects.next_overdue_notice)
