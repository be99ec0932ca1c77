from django.apps import AppConfig


class AnswersConfig(AppConfig):
    name = "answers"
    verbose_name = "Answers"

    def ready(self):
        from notifications.tasks import ANNOUNCERS

        from . import notify

        ANNOUNCERS["answer"] = notify.announce
