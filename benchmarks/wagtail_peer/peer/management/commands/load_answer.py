"""Make the answer page from the JSON benchmark_peer wrote (the project's own published
answer, read from its database: nothing here is written by hand)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from wagtail.models import Page

from peer.models import AnswerPage


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("content")

    def handle(self, *, content, **options):
        answer = json.loads(Path(content).read_text())
        home = Page.objects.get(depth=2)
        AnswerPage.objects.filter(slug=answer["slug"]).delete()
        page = AnswerPage(
            title=answer["question"],
            slug=answer["slug"],
            search_description=answer["description"],
            lead=answer["lead_html"],
            body=answer["body_html"],
            references=answer["references_html"],
        )
        home.add_child(instance=page)
        page.save_revision().publish()
        self.stdout.write(page.url)
