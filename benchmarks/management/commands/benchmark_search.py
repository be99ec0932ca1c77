"""Search at 10,000 answers: p95 of synonym-expanded and misspelt queries.

Like `benchmark_scale`, it never touches the database DATABASE_URL names: it builds the
same throwaway database (`benchmark_scale --stage build`), then runs itself against it for
the measures (`--stage measure`) and drops it. A script that prints figures, not a test.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from benchmarks.servers import ThrowawayDatabase

ROOT = Path(settings.BASE_DIR)
TIMED_REQUESTS = 40


class Command(BaseCommand):
    help = (
        "Build N published answers (default 10,000) in a throwaway database and print the "
        "p95 of search pages: plain, synonym-expanded, misspelt (with 'Did you mean')."
    )

    def add_arguments(self, parser):
        parser.add_argument("--answers", type=int, default=10_000)
        parser.add_argument("--stage", choices=["measure"], help=argparse.SUPPRESS)
        parser.add_argument("--template-answer", type=int, help=argparse.SUPPRESS)

    def handle(self, *, answers, stage, template_answer, **options):
        if stage == "measure":
            from benchmarks.search_scenario import measure

            print(json.dumps(measure(requests=TIMED_REQUESTS, answer_id=template_answer)))
            return
        if answers < 10:
            raise CommandError("Use at least 10 answers.")
        with (
            tempfile.TemporaryDirectory(prefix="qa-search-benchmark-") as tmp,
            ThrowawayDatabase(Path(tmp)) as database_url,
        ):
            env = {
                **os.environ,
                "DATABASE_URL": database_url,
                "DEBUG": "0",
                "SECRET_KEY": "benchmark-only-not-secret",
                "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
                "SECURE_COOKIES": "0",
                "SECURE_SSL_REDIRECT": "0",
            }
            self._run(env, answers)

    def _manage(self, env, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if result.returncode:
            raise CommandError(f"manage.py {' '.join(args)[:200]} failed:\n{result.stderr[-3000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1]) if result.stdout.strip() else {}

    def _run(self, env, answers):
        say = self.stderr.write
        say(f"Migrating the throwaway database ({env['DATABASE_URL'].split('@')[-1]}) ...")
        self._manage(env, "migrate", "--no-input", "-v0")
        self._manage(env, "collectstatic", "--no-input", "-v0")
        say(f"Building {answers:,} published answers ...")
        built = self._manage(
            env, "benchmark_scale", "--stage", "build", "--answers", str(answers), "--articles", "0"
        )
        say("Measuring search in process, in-app cache off ...")
        measured = self._manage(
            env,
            "benchmark_search",
            "--stage",
            "measure",
            "--template-answer",
            str(built["answer_id"]),
        )
        database = "PostgreSQL" if "postgres" in env["DATABASE_URL"] else "SQLite"
        vocabulary = measured["vocabulary"]
        self.stdout.write(
            f"\nSearch at {answers:,} answers ({database}; {TIMED_REQUESTS} requests each, "
            f"in-app cache off; vocabulary of {vocabulary['words']:,} words built in "
            f"{vocabulary['seconds']:.1f} s)\n"
        )
        self.stdout.write(
            f"{'page':<44} {'query':<30} {'found':>6} {'queries':>7} {'median':>9} {'p95':>9}"
        )
        for row in measured["pages"]:
            found = row["found"] or (f"→ {row['suggestion']}" if row["suggestion"] else 0)
            self.stdout.write(
                f"{row['name']:<44} {row['query'][:30]:<30} {str(found)[:24]:>6} "
                f"{row['queries']:>7} {row['median']:>7.1f}ms {row['p95']:>7.1f}ms"
            )
