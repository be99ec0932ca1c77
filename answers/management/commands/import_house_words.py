from django.core.management.base import BaseCommand, CommandError

from answers.models import HouseWordImportError, import_house_words


class Command(BaseCommand):
    help = (
        "Add or update the house list of words to avoid from a CSV file of word,alternative "
        "rows (a first row 'word,alternative' is a header). All or nothing: a file with any "
        "error changes nothing, and every error is listed with its line."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE")

    def handle(self, path, **options):
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file ({error.strerror})") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise CommandError(
                f"{path}: the file is not UTF-8 text; save it as UTF-8 CSV"
            ) from None
        try:
            added, updated = import_house_words(text)
        except HouseWordImportError as error:
            for message in error.errors:
                self.stderr.write(f"{path}: {message}")
            raise CommandError(
                f"{path}: nothing was imported ({len(error.errors)} error{'s' if len(error.errors) != 1 else ''})"
            ) from None
        self.stdout.write(f"{path}: {added} added, {updated} updated.")
