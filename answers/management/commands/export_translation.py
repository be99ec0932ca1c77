from django.core.management.base import BaseCommand, CommandError

from answers.models import Answer, Translation, WorkflowError
from answers.xliff import export_xliff


class Command(BaseCommand):
    help = (
        "Write the approved English version of a published answer as XLIFF 1.2 for "
        "translators into LANGUAGE (one unit per paragraph or list item, citation markers "
        "as protected placeholders): manage.py export_translation SLUG --language es > file.xlf"
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the English answer's address (its question's slug)")
        parser.add_argument("--language", required=True, help="a language code, e.g. es")

    def handle(self, slug, language, **options):
        answer = (
            Answer.objects.select_related("publication__signoff", "question")
            .filter(question__slug=slug)
            .first()
        )
        if answer is None:
            raise CommandError(f"There is no answer at “{slug}”.")
        translation = Translation.objects.filter(answer=answer, language=language).first()
        try:
            data = export_xliff(answer=answer, language=language, translation=translation)
        except WorkflowError as error:
            raise CommandError(" ".join(error.problems)) from None
        self.stdout.write(data.decode("utf-8"), ending="")
