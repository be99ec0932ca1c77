from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from answers.models import WorkflowError
from answers.xliff import import_xliff


class Command(BaseCommand):
    help = (
        "Import a translated XLIFF 1.2 file (from export_translation) into its translation's "
        "draft. A file whose units or citation markers are not the English version's is "
        "refused, naming the unit. Words the draft already has are replaced only with "
        "--replace; the command says which it replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE")
        parser.add_argument(
            "--translator", metavar="USERNAME", help="who the imported words are recorded as"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace the draft's own words where the file differs from them",
        )

    def handle(self, path, translator=None, replace=False, **options):
        user = None
        if translator:
            try:
                user = get_user_model().objects.get_by_natural_key(translator)
            except get_user_model().DoesNotExist:
                raise CommandError(f"There is no user “{translator}”.") from None
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        try:
            result = import_xliff(data, by=user, replace=replace)
        except WorkflowError as error:
            raise CommandError(f"{path}: " + "\n".join(error.problems)) from None
        translation = result.translation
        what = "Started" if result.started else "Updated"
        self.stdout.write(
            f"{what} the {translation.language_name} translation of “{translation.answer}”: "
            f"a draft to submit for medical review."
        )
        if result.replaced:
            self.stdout.write(
                "Replaced the draft's own words in " + ", ".join(result.replaced) + "."
            )
