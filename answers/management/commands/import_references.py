from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from answers.importing import import_reference_file
from answers.management.commands.import_articles import read_file
from answers.models import Answer
from citations.readers import ReferenceFileError


class Command(BaseCommand):
    help = (
        "Add a file's references (RIS, BibTeX, CSL-JSON, PubMed MEDLINE/.nbib) to the library. "
        "Each record is created, matched to one already held (by DOI or PMID), or rejected. "
        "With --answer, the records are cited in that answer by their record id."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE")
        parser.add_argument("--answer", metavar="SLUG")

    def handle(self, path, answer=None, **options):
        target = None
        if answer:
            target = Answer.objects.filter(question__slug=answer).first()
            if target is None:
                raise CommandError(f"No answer with the slug “{answer}”.")
        try:
            report = import_reference_file(read_file(path), filename=Path(path).name, answer=target)
        except ReferenceFileError as error:
            raise CommandError(f"{path}: {error}") from None
        for line in report.lines():
            self.stdout.write(line)
        if report.errors:
            raise CommandError(f"{len(report.errors)} records were rejected.")
