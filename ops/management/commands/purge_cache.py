from django.core.management.base import BaseCommand

from ops.purge import purge_keys


class Command(BaseCommand):
    help = (
        "Purge public pages by surrogate key from the in-app cache at once and, through the "
        "task worker, from the caches in PURGE_BACKENDS. With no key: every public page "
        '("all"), as after a deploy that changed templates.'
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "keys", nargs="*", help='e.g. answer-12 topic-3 listing (default "all")'
        )

    def handle(self, *args, keys, **options):
        keys = keys or ["all"]
        purge_keys(keys)
        self.stdout.write(f"Purged {' '.join(keys)} (edge purges queued for the task worker).")
