from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from answers.importing import import_article
from citations.readers import ReferenceFileError, read_references


class Command(BaseCommand):
    help = (
        "Create one draft answer per plain-text article. Citation numbers become markers; "
        "with --references, records are matched to them by record id. A file with errors "
        "creates nothing; the other files still import."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--references", metavar="FILE", help="RIS, BibTeX, CSL-JSON or MEDLINE")
        parser.add_argument("--author", metavar="USERNAME", help="the writer the answers belong to")
        parser.add_argument("--topic", metavar="NAME", help="instead of the disclaimer's topic")

    def handle(self, paths, references=None, author=None, topic=None, **options):
        user = None
        if author:
            try:
                user = get_user_model().objects.get_by_natural_key(author)
            except get_user_model().DoesNotExist:
                raise CommandError(f"There is no user “{author}”.") from None
        records = None
        if references:
            try:
                records = read_references(read_file(references), filename=references)
            except ReferenceFileError as error:
                raise CommandError(f"{references}: {error}") from None
        failed = 0
        progress = Progress(self.stdout, total=len(paths)) if self.stdout.isatty() else None
        for done, path in enumerate(paths):
            if progress:
                progress.show(done, Path(path).name)
            try:
                data = read_file(path)
            except CommandError as error:
                if progress:
                    progress.clear()
                self.stderr.write(f"{path}: error: {error}")
                failed += 1
                continue
            report = import_article(
                data,
                filename=Path(path).name,
                references=records,
                references_name=Path(references).name if references else "",
                author=user,
                topic_name=topic or "",
            )
            if progress and report.ok:
                continue  # on a terminal the bar stands for the per-file lines
            if progress:
                progress.clear()
            for line in report.lines():
                (self.stdout if report.ok else self.stderr).write(line)
            failed += not report.ok
        if progress:
            progress.show(len(paths), "")
            self.stdout.write("")
            self.stdout.write(f"Imported {len(paths) - failed} of {len(paths)} files.")
        if failed:
            raise CommandError(
                f"{failed} of {len(paths)} files had errors: nothing was created from them."
            )


class Progress:
    """A one-line progress bar, redrawn in place: only on a terminal (logs get plain lines)."""

    WIDTH = 30

    def __init__(self, out, *, total):
        self.out, self.total = out, total

    def show(self, done, name):
        filled = self.WIDTH * done // max(self.total, 1)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.out.write(f"\r[{bar}] {done}/{self.total} {name[:40]:<40}", ending="")
        self.out.flush()

    def clear(self):
        self.out.write("\r" + " " * (self.WIDTH + 60) + "\r", ending="")


def read_file(path) -> bytes:
    """The file's bytes, refusing anything too large to be an article before reading it."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > settings.IMPORT_MAX_BYTES:
            raise CommandError(
                f"the file is {size:,} bytes; the limit is {settings.IMPORT_MAX_BYTES:,}."
            )
        return path.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read it: {error.strerror}") from None
