from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from answers.glossary_import import GlossaryFileError, import_glossary
from answers.management.commands.import_articles import read_file


class Command(BaseCommand):
    help = (
        "Bring in a glossary from a CSV file with the columns term,definition,other names "
        "(other names separated by commas or semicolons). Each term becomes a draft for a "
        "clinician to review; nothing imported is public. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE.csv")
        parser.add_argument("--by", metavar="USERNAME", help="The writer to record as author.")
        parser.add_argument(
            "--skip-existing",
            action="store_true",
            help="Leave out terms already in the glossary instead of refusing the file.",
        )

    def handle(self, path, by=None, skip_existing=False, **options):
        writer = None
        if by:
            writer = get_user_model().objects.filter(username=by).first()
            if writer is None:
                raise CommandError(f"No user named “{by}”.")
        try:
            created, skipped = import_glossary(
                read_file(path), filename=Path(path).name, by=writer, skip_existing=skip_existing
            )
        except GlossaryFileError as error:
            raise CommandError(f"{path}:\n" + "\n".join(error.problems)) from None
        self.stdout.write(
            f"{len(created)} terms imported as drafts for medical review"
            + (f"; {len(skipped)} already in the glossary left out" if skipped else "")
            + "."
        )
