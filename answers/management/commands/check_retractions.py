from django.core.management.base import BaseCommand, CommandError

from answers.retractions import run_retraction_watch


class Command(BaseCommand):
    help = (
        "Check every cited reference with a DOI or PMID at Crossref and PubMed for "
        "retractions, withdrawals, expressions of concern and corrections."
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
            raise CommandError(f"{run.failed} references could not be checked; run again later.")
