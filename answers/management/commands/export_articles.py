from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from answers.articles import ArticleFormatError
from answers.importing import export_article
from answers.models import Answer


class Command(BaseCommand):
    help = "Write answers as <slug>.txt in the plain-text article format (all answers by default)."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="SLUG")
        parser.add_argument("--output", default=".", metavar="DIR")

    def handle(self, slugs, output, **options):
        answers = Answer.objects.select_related("question__topic").prefetch_related("sections")
        if slugs:
            answers = answers.filter(question__slug__in=slugs)
            missing = set(slugs) - {a.question.slug for a in answers}
            if missing:
                raise CommandError("No answer with the slug " + ", ".join(sorted(missing)) + ".")
        directory = Path(output)
        directory.mkdir(parents=True, exist_ok=True)
        failed = 0
        for answer in answers.order_by("question__slug"):
            path = directory / f"{answer.question.slug}.txt"
            try:
                text = export_article(answer)
            except ArticleFormatError as error:
                self.stderr.write(f"{path}: not written: {error}")
                failed += 1
                continue
            path.write_bytes(text.encode("utf-8"))
            self.stdout.write(f"Wrote {path}")
        if failed:
            raise CommandError(f"{failed} answers could not be written in the plain-text format.")
