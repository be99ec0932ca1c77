"""Publish a release now, by name: every answer in it together, or none, with the reasons."""

from django.core.management.base import BaseCommand, CommandError

from answers.models import Release, ReleaseError


class Command(BaseCommand):
    help = "Publish a release now: all its answers in one transaction, or none (with why)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The release's name, as the admin shows it.")

    def handle(self, *args, name, **options):
        release = Release.objects.filter(name=name).first()
        if release is None:
            known = ", ".join(Release.objects.open().values_list("name", flat=True)) or "none"
            raise CommandError(
                f"No release is named “{name}”. Releases not yet published: {known}."
            )
        try:
            publications = release.publish(by=None)
        except ReleaseError as error:
            raise CommandError("\n".join(error.problems)) from error
        self.stdout.write(
            f"Published release “{release.name}”: {len(publications)} answers went live together."
        )
