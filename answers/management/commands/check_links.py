from django.core.management.base import BaseCommand

from answers.link_health import check_links
from answers.notify import announce_broken_links


class Command(BaseCommand):
    help = (
        "Check every outbound link of the live answers and the references they cite (not DOI "
        "or PubMed links) now, print the broken and redirected ones with their answers, and "
        "tell the writers of answers whose link just broke. The scheduler runs it nightly."
    )

    def handle(self, **options):
        report = check_links()
        announce_broken_links(report.newly_broken)
        for title, links in (("Broken", report.broken), ("Redirected", report.redirected)):
            for link in links:
                why = link.error or f"HTTP {link.http_status}"
                if link.final_url:
                    why += f", now at {link.final_url}"
                self.stdout.write(f"{title}: {link.url} ({why})")
                for answer in link.answers.select_related("question"):
                    self.stdout.write(f"    in “{answer.question.text}”")
        self.stdout.write(report.summary())
