"""Write a consistent backup of the database to one file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, back_up, media_files


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the site's database to PATH while the site runs: SQLite's "
        "online backup API, or pg_dump's custom format on PostgreSQL. Restore it with "
        "`manage.py restore PATH`."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--database", default="default")
        parser.add_argument("--force", action="store_true", help="Replace PATH if it exists.")

    def handle(self, *args, path, database, force, **options):
        if path.exists() and not force:
            raise CommandError(f"{path} exists: choose a new name, or add --force to replace it.")
        if not path.parent.is_dir():
            raise CommandError(f"There is no folder {path.parent} to write the backup in.")
        try:
            vendor = back_up(path, alias=database)
        except BackupError as error:
            raise CommandError(f"No backup was written: {error}") from error
        extra = media_files()
        if extra:
            self.stderr.write(
                f"Warning: MEDIA_ROOT holds {len(extra)} files this backup does not include: "
                "copy that folder as well."
            )
        self.stdout.write(
            f"Backed up the {vendor} database to {path} ({path.stat().st_size:,} bytes)."
        )
