from django.apps import AppConfig


class AnswersConfig(AppConfig):
    name = "answers"
    verbose_name = "Answers"

    def ready(self):
        from .public import caching  # noqa: F401  (connects the purge receivers)
