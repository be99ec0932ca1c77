"""Restore a backup made by `manage.py backup` into an empty database."""

from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ops.backup import BackupError, restore
from ops.purge import purge_keys


class Command(BaseCommand):
    help = (
        "Restore PATH (made by `manage.py backup`) into the site's database, which must be "
        "empty: a new database, or an SQLite file that does not exist yet. --force replaces "
        "everything in a database that is not empty. Then checks the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Drop everything in the database first (it is not empty).",
        )

    def handle(self, *args, path, database, force, **options):
        if not path.is_file():
            raise CommandError(f"There is no backup file at {path}.")
        try:
            vendor = restore(path, alias=database, force=force)
        except BackupError as error:
            raise CommandError(error) from error
        self.stdout.write(f"Restored {path} into the {vendor} database.")
        # Pages cached from the database as it was before are not the restored ones.
        caches[settings.PAGE_CACHE_ALIAS].clear()
        with transaction.atomic(using=database):
            purge_keys(["all"])
        call_command("verify_audit_log", database=database, stdout=self.stdout, stderr=self.stderr)
