from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from answers.retractions import run_retraction_watch
from answers.tasks import retry_later


class Command(BaseCommand):
    help = (
        "Check every cited reference with a DOI or PMID at Crossref and PubMed for "
        "retractions, withdrawals, expressions of concern and corrections. References that "
        "could not be checked are tried again later by the task worker."
    )

    def handle(self, **options):
        run, notices = run_retraction_watch()
        for notice in notices:
            self.stdout.write(f"new notice: {notice} [{notice.get_kind_display()}]")
        for failure in run.failures:
            self.stderr.write(f"not checked: {failure}")
        self.stdout.write(
            f"Checked {run.checked} reference{'s' if run.checked != 1 else ''}, "
            f"{run.notices_found} new notice{'s' if run.notices_found != 1 else ''}, "
            f"{run.failed} failed."
        )
        if run.failures:
            retry_at = retry_later(run)
            again = (
                f"the task worker tries them again at {timezone.localtime(retry_at):%H:%M}"
                if retry_at
                else "run again later"
            )
            raise CommandError(f"{run.failed} references could not be checked; {again}.")
