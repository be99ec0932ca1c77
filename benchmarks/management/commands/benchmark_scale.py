"""The scale benchmark: 10,000 published answers in a throwaway database, the
real server (gunicorn with the project config, DEBUG off) against it, and one table.

It never touches the database DATABASE_URL names: it makes its own (a SQLite file in a
temporary folder, or, when DATABASE_URL is PostgreSQL, a database named `<name>_benchmark`),
runs itself again against it for the build and the in-process measures (`--stage`), and
drops it at the end. Every text it writes is marked as benchmark data: no medical content.
The processes it runs (gunicorn, nginx, Varnish, wrk) are in `benchmarks.servers`.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from benchmarks.servers import (
    BenchmarkError,
    Gunicorn,
    Nginx,
    ThrowawayDatabase,
    Varnish,
    fetch,
    program,
    wrk,
)

ROOT = Path(settings.BASE_DIR)
SAMPLE = ROOT / "answers" / "demo_content" / "sglt2-heart-failure.txt"
FILLER = (
    "Benchmark data, not medical information: lorem ipsum dolor sit amet, consectetur "
    "adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua."
)
CITATIONS = 60
TIMED_REQUESTS = 40
WRK = "wrk -t2 -c16 -d10s"


class Command(BaseCommand):
    help = (
        "Build N published answers (default 10,000) in a throwaway database and print one "
        "table: wrk against gunicorn (in-app cache off and on), Varnish and nginx, query "
        "counts and p95 of the public and admin pages, the import of 1,000 articles, and a "
        "web worker's memory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--answers", type=int, default=10_000)
        parser.add_argument("--articles", type=int, default=1000, help="articles to import")
        parser.add_argument("--quick", action="store_true", help="the soak for 10 s, not 60 s")
        parser.add_argument("--stage", choices=["build", "measure"], help=argparse.SUPPRESS)
        parser.add_argument("--template-answer", type=int, help=argparse.SUPPRESS)

    def handle(self, *, answers, articles, quick, stage, template_answer, **options):
        if stage == "build":
            from benchmarks.scenario import build

            print(json.dumps(build(answers=answers, articles=articles)))
            return
        if stage == "measure":
            from benchmarks.scenario import measure

            print(json.dumps(measure(requests=TIMED_REQUESTS, answer_id=template_answer)))
            return
        for tool, package in (("wrk", "wrk"), ("nginx", "nginx-light"), ("varnishd", "varnish")):
            if not program(tool):
                raise CommandError(f"{tool} is needed (Debian: apt-get install {package}).")
        if answers < 10:
            raise CommandError("Use at least 10 answers.")
        with tempfile.TemporaryDirectory(prefix="qa-benchmark-") as tmp:
            tmp = Path(tmp)
            with ThrowawayDatabase(tmp) as database_url:
                env = {
                    **os.environ,
                    "DATABASE_URL": database_url,
                    "DEBUG": "0",
                    "SECRET_KEY": "benchmark-only-not-secret",
                    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
                    "SECURE_COOKIES": "0",
                    "SECURE_SSL_REDIRECT": "0",
                }
                try:
                    self._run(env, tmp, answers=answers, articles=articles, quick=quick)
                except BenchmarkError as error:
                    raise CommandError(str(error)) from error

    # ---------------------------------------------------------------- the run

    def _manage(self, env, *args, capture=True):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=capture,
            text=True,
        )
        if result.returncode:
            raise CommandError(f"manage.py {' '.join(args)[:200]} failed:\n{result.stderr[-3000:]}")
        return result

    def _stage(self, env, *args):
        result = self._manage(env, "benchmark_scale", *args)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def _run(self, env, tmp, *, answers, articles, quick):
        say = self.stderr.write
        loads = {"start": os.getloadavg()}
        say(f"Migrating the throwaway database ({env['DATABASE_URL'].split('@')[-1]}) ...")
        self._manage(env, "migrate", "--no-input", "-v0")
        self._manage(env, "collectstatic", "--no-input", "-v0")
        say(f"Importing {articles} generated articles with import_articles ...")
        import_seconds = self._import(env, tmp, articles)
        say(f"Building {answers:,} published answers ...")
        built = self._stage(
            env, "--stage", "build", "--answers", str(answers), "--articles", str(articles)
        )
        say("Measuring pages in process, in-app cache off (query counts, p95) ...")
        measured = self._stage(
            env, "--stage", "measure", "--template-answer", str(built["answer_id"])
        )
        path = built["answer_url"]
        loads["load"] = os.getloadavg()
        load = {}
        with Gunicorn(env, tmp, "uncached", PAGE_CACHE="0") as app:
            body, _ = fetch(app.url + path)
            say(f"{WRK}: answer page ({len(body) / 1024:.1f} kB), in-app cache off ...")
            load["uncached"] = wrk(app.url + path, connections=16, seconds=10)
            rss_uncached = app.worker_rss_mb()
        with Nginx(tmp, body) as nginx_url:
            say(f"{WRK}: the same bytes from nginx ...")
            load["nginx"] = wrk(nginx_url, connections=16, seconds=10)
        soak_seconds = 10 if quick else 60
        with Gunicorn(env, tmp, "cached", PAGE_CACHE="1") as app:
            _expect_hit(app.url + path, "X-Page-Cache", "hit", "the in-app cache")
            say(f"{WRK}: answer page, in-app cache on ...")
            load["cached"] = wrk(app.url + path, connections=16, seconds=10)
            with Varnish(tmp, app.port) as varnish_url:
                _expect_hit(varnish_url + path, "X-Cache", "HIT", "Varnish")
                say(f"{WRK}: answer page through Varnish ...")
                load["varnish"] = wrk(varnish_url + path, connections=16, seconds=10)
            say(f"{soak_seconds} s at 64 connections, in-app cache on ...")
            # 64 connections on 2 cores queue: an error is a failed or 30 s request.
            load["soak"] = wrk(app.url + path, connections=64, seconds=soak_seconds, timeout=30)
            rss = app.worker_rss_mb()
        loads["end"] = os.getloadavg()
        self._table(
            answers=answers,
            built=built,
            measured=measured,
            load=load,
            soak_seconds=soak_seconds,
            import_seconds=import_seconds,
            articles=articles,
            rss=(rss_uncached, rss),
            loads=loads,
            vendor=env["DATABASE_URL"].split(":")[0],
            kilobytes=len(body) / 1024,
        )

    def _import(self, env, tmp, count):
        folder = tmp / "articles"
        folder.mkdir()
        paths = [write_fake_article(folder, number) for number in range(1, count + 1)]
        start = time.perf_counter()
        result = self._manage(
            env, "import_articles", "--topic", "Benchmark topic (test data)", *map(str, paths)
        )
        seconds = time.perf_counter() - start
        created = result.stdout.count(": created")
        if created < count:
            raise CommandError(f"import_articles created {created} of {count} answers.")
        return seconds

    # ---------------------------------------------------------------- the table

    def _table(self, *, answers, built, measured, load, soak_seconds, rss, loads, **run):
        nginx = load["nginx"]["rps"]

        def share(name):
            return 100 * load[name]["rps"] / nginx if nginx else 0

        def served(name):
            return f"{load[name]['rps']:,.0f} req/s, p99 {load[name]['p99']}"

        rows = [
            (
                f"answer page ({run['kilobytes']:.1f} kB), in-app cache off, {WRK}",
                served("uncached"),
                "",
            ),
            (f"answer page, in-app cache on, {WRK}", served("cached"), ""),
            (f"answer page through Varnish (cache hits), {WRK}", served("varnish"), ""),
            (f"the same bytes from nginx, {WRK}", f"{nginx:,.0f} req/s", ""),
        ]
        for name, label, target in (
            ("uncached", "in-app cache off", 0.75),
            ("cached", "in-app cache on", 3),
            ("varnish", "through Varnish", 25),
        ):
            rows.append(
                (
                    f"{label} / nginx",
                    f"{share(name):.3f}%",
                    ok(share(name) >= target, f"≥ {target}%"),
                )
            )
        soak = load["soak"]
        rows.append(
            (
                f"{soak_seconds} s at 64 connections, answer page, in-app cache on, timeout 30 s",
                f"{soak['requests']:,} requests, {soak['errors']} errors, {soak['non_2xx']} non-2xx",
                ok(soak["errors"] == 0 and soak["non_2xx"] == 0, "0 and 0"),
            )
        )
        for page in measured["public"]:
            rows.append(
                (
                    f"{page['name']} at {answers:,} answers, in-app cache off",
                    f"{page['queries']} queries, p95 {page['p95']:.1f} ms (median {page['median']:.1f})",
                    ok(page["p95"] < 50, "p95 < 50 ms"),
                )
            )
        admin, change, history = (
            measured["admin_list"],
            measured["change_page"],
            measured["history"],
        )
        rows += [
            (
                f"admin answer list at {answers:,} answers",
                f"{admin['queries']} queries, p95 {admin['p95']:.1f} ms",
                ok(admin["queries"] <= 15 and admin["p95"] < 300, "≤ 15, < 300 ms"),
            ),
            (
                f"admin change page, {CITATIONS} citations (published)",
                f"{change['queries']} queries, p95 {change['p95']:.1f} ms",
                ok(change["queries"] <= 25, "≤ 25 queries"),
            ),
            (
                f"history page, {history['versions']:,} versions (page 1 and last)",
                f"{history['queries']} and {history['queries_last']} queries, "
                f"p95 {history['p95']:.1f} ms",
                ok(history["queries"] == history["queries_last"], "constant"),
            ),
            (
                f"import_articles of {run['articles']:,} articles",
                f"{run['import_seconds']:.1f} s",
                ok(run["import_seconds"] < 60, "< 60 s"),
            ),
            (
                "RSS of the largest gunicorn web worker (in-app cache off; on, after the soak)",
                " and ".join(f"{mb:.0f} MB" if mb else "unknown" for mb in rss),
                "report",
            ),
        ]
        width = max(len(r[0]) for r in rows)
        vwidth = max(len(r[1]) for r in rows)
        write = self.stdout.write
        write(
            f"Scale benchmark: {answers:,} published answers ({built['how']}), {run['vendor']}, "
            f"gunicorn {built['workers']} sync workers, DEBUG off, {os.cpu_count()} CPUs"
        )
        write(
            "Load average (1, 5, 15 min): "
            + "; ".join(
                f"{when} {' '.join(f'{v:.2f}' for v in value)}" for when, value in loads.items()
            )
        )
        write(f"{'what':<{width}}  {'measured':<{vwidth}}  target")
        write(f"{'-' * width}  {'-' * vwidth}  ------")
        for what, value, verdict in rows:
            write(f"{what:<{width}}  {value:<{vwidth}}  {verdict}")


def ok(condition, target):
    return f"{'ok' if condition else 'MISSED'} ({target})"


def _expect_hit(url, header, value, what):
    """The page must come from the cache before its run, or the run measures something else.
    Each gunicorn worker has its own local-memory cache: a few requests warm them all."""
    for _ in range(20):
        _, headers = fetch(url)
        if headers.get(header) == value:
            return
    raise BenchmarkError(f"{what} did not serve the answer page from its cache ({header}).")


def write_fake_article(folder, number):
    """An article shaped like the SGLT2 sample (question, lead, headed sections, questions
    to ask, disclaimer), its words clearly fake benchmark filler."""
    disclaimer = SAMPLE.read_text().splitlines()[-1]
    text = "\n".join(
        [
            f"Benchmark question {number}?",
            f"{FILLER} Benchmark article {number}.",
            "What the research says",
            f"{FILLER} {FILLER}",
            "What to ask your doctor",
            f"- Benchmark question to ask {number}, one?",
            f"- Benchmark question to ask {number}, two?",
            disclaimer,
        ]
    )
    path = folder / f"benchmark-{number:04d}.txt"
    path.write_text(text + "\n")
    return path
