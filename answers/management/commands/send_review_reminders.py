from django.core.management.base import BaseCommand

from answers.notify import send_review_reminders


class Command(BaseCommand):
    help = (
        "Remind the last reviewer and the editors of answers due for review in 30 and 7 days "
        "and of overdue reviews; each reminder is sent once per answer and due date. Run daily."
    )

    def handle(self, **options):
        sent = send_review_reminders()
        for reminder in sent:
            self.stdout.write(f"reminder: {reminder}")
        self.stdout.write(f"{len(sent)} reminder{'s' if len(sent) != 1 else ''} sent.")
