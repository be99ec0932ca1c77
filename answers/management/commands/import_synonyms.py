from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from answers.synonyms import SynonymFileError, import_synonyms


class Command(BaseCommand):
    help = (
        "Import search synonym sets from a text file: one set a line, terms separated by "
        "commas (“heart attack, myocardial infarction”); # starts a comment. All or nothing: "
        "a bad line imports no set. Sets already there are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *, file, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        try:
            counts = import_synonyms(text, source_note=file.name)
        except SynonymFileError as error:
            raise CommandError(f"{file}: nothing imported.\n{error}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['created']} synonym set(s) imported from {file.name}, "
                f"{counts['unchanged']} already there."
            )
        )
