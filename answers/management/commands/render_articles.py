"""After a deploy that changes the article templates: render every snapshot's stored
article again from the snapshot's own fields (never from the draft), saving only those
that differ, through save(), so their pages are purged."""

from django.core.management.base import BaseCommand

from answers.models import PublishedAnswer
from answers.publishing import render_article


class Command(BaseCommand):
    help = (
        "Render the stored article (article_html) of every published snapshot again, after a "
        "change to its templates; only those that differ are saved and purged."
    )

    def handle(self, *args, **options):
        changed = total = 0
        for snapshot in PublishedAnswer.objects.select_related("topic").iterator(chunk_size=200):
            total += 1
            if snapshot.article_html != render_article(snapshot):
                snapshot.save(update_fields=["article_html"])
                changed += 1
        self.stdout.write(f"Rendered {total} published articles: {changed} changed.")
