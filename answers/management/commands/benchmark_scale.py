"""The issue 9 "Scale" benchmark: 10,000 published answers in a throwaway database, the
real server (gunicorn with the project config, DEBUG off) against it, and one table.

It never touches the database DATABASE_URL names: it makes its own (a SQLite file in a
temporary folder, or, when DATABASE_URL is PostgreSQL, a database named `<name>_benchmark`),
runs itself again against it for the build and the in-process measures (`--stage`), and
drops it at the end. Every text it writes is marked as benchmark data: no medical content.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

ROOT = Path(settings.BASE_DIR)
SAMPLE = ROOT / "answers" / "demo_content" / "sglt2-heart-failure.txt"
FILLER = (
    "Benchmark data, not medical information: lorem ipsum dolor sit amet, consectetur "
    "adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua."
)
TOPICS = 50
VERSIONS = 1000
CITATIONS = 60
TIMED_REQUESTS = 40


class Command(BaseCommand):
    help = (
        "Build N published answers (default 10,000) in a throwaway database and print one "
        "table: wrk against gunicorn and nginx, query counts and p95 of the public and admin "
        "pages, the import of 1,000 articles, and a web worker's memory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--answers", type=int, default=10_000)
        parser.add_argument("--articles", type=int, default=1000, help="articles to import")
        parser.add_argument("--quick", action="store_true", help="the soak for 10 s, not 60 s")
        parser.add_argument("--stage", choices=["build", "measure"], help=argparse_hidden())

    def handle(self, *, answers, articles, quick, stage, **options):
        if stage == "build":
            from answers.benchmarking import build

            print(json.dumps(build(answers=answers, articles=articles)))
            return
        if stage == "measure":
            from answers.benchmarking import measure

            print(json.dumps(measure(requests=TIMED_REQUESTS)))
            return
        for tool in ("wrk", "nginx"):
            if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
                raise CommandError(f"{tool} is needed (Debian: apt-get install wrk nginx-light).")
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
                self._run(env, tmp, answers=answers, articles=articles, quick=quick)

    # ---------------------------------------------------------------- the run

    def _stage(self, env, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", "benchmark_scale", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise CommandError(f"benchmark stage {args} failed:\n{result.stderr[-3000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def _run(self, env, tmp, *, answers, articles, quick):
        say = self.stderr.write
        say(f"Migrating the throwaway database ({env['DATABASE_URL'].split('@')[-1]}) ...")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        say(f"Importing {articles} generated articles with import_articles ...")
        import_seconds = self._import(env, tmp, articles)
        say(f"Building {answers:,} published answers ...")
        built = self._stage(
            env, "--stage", "build", "--answers", str(answers), "--articles", str(articles)
        )
        say("Measuring pages in process (query counts, p95) ...")
        measured = self._stage(env, "--stage", "measure")
        port = free_port()
        server = Gunicorn(env, port, tmp)
        with server:
            url = f"http://127.0.0.1:{port}{built['answer_url']}"
            body = fetch(url)
            say(f"wrk against gunicorn and nginx ({len(body) / 1024:.1f} kB page) ...")
            app = wrk(url, connections=16, seconds=10)
            with Nginx(tmp, body) as nginx_url:
                edge = wrk(nginx_url, connections=16, seconds=10)
            soak_seconds = 10 if quick else 60
            say(f"{soak_seconds} s at 64 connections ...")
            # 64 connections on 2 cores queue for seconds: an error is a failed or 30 s request.
            soak = wrk(url, connections=64, seconds=soak_seconds, timeout=30)
            rss = server.worker_rss_mb()
        self._table(
            answers=answers,
            built=built,
            measured=measured,
            app=app,
            edge=edge,
            soak=soak,
            soak_seconds=soak_seconds,
            import_seconds=import_seconds,
            articles=articles,
            rss=rss,
            vendor=env["DATABASE_URL"].split(":")[0],
        )

    def _import(self, env, tmp, count):
        folder = tmp / "articles"
        folder.mkdir()
        paths = [write_fake_article(folder, number) for number in range(1, count + 1)]
        start = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "import_articles",
                "--topic",
                "Benchmark topic (test data)",
                *map(str, paths),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - start
        if result.returncode:
            raise CommandError(f"import_articles failed:\n{result.stderr[-3000:]}")
        created = result.stdout.count(": created")
        if created < count:
            raise CommandError(f"import_articles created {created} of {count} answers.")
        return seconds

    # ---------------------------------------------------------------- the table

    def _table(
        self,
        *,
        answers,
        built,
        measured,
        app,
        edge,
        soak,
        soak_seconds,
        import_seconds,
        articles,
        rss,
        vendor,
    ):
        rows = []
        ratio = 100 * app["rps"] / edge["rps"] if edge["rps"] else 0
        rows.append(
            (
                "answer page uncached (gunicorn), wrk -t2 -c16 -d10s",
                f"{app['rps']:,.0f} req/s, p99 {app['p99']}",
                "",
            )
        )
        rows.append(("same bytes from nginx, wrk -t2 -c16 -d10s", f"{edge['rps']:,.0f} req/s", ""))
        rows.append(("uncached / nginx", f"{ratio:.3f}%", ok(ratio >= 0.75, "≥ 0.75%")))
        cache_setting = next(
            (
                name
                for name in ("PAGE_CACHE", "PUBLIC_PAGE_CACHE", "FULL_PAGE_CACHE")
                if hasattr(settings, name)
            ),
            None,
        )
        rows.append(
            (
                "answer page, in-app cache on",
                "not measured"
                if not cache_setting
                else f"setting {cache_setting}: not wired into this benchmark yet",
                "target ≥ 3%",
            )
        )
        rows.append(
            ("answer page through Varnish", "not measured (no VCL on this branch)", "target ≥ 25%")
        )
        soak_ok = soak["errors"] == 0 and soak["non_2xx"] == 0
        rows.append(
            (
                f"{soak_seconds} s at 64 connections, answer page uncached, timeout 30 s",
                f"{soak['requests']:,} requests, {soak['errors']} errors, "
                f"{soak['non_2xx']} non-2xx",
                ok(soak_ok, "0 and 0"),
            )
        )
        for page in measured["public"]:
            rows.append(
                (
                    f"{page['name']} at {answers:,} answers",
                    f"{page['queries']} queries, p95 {page['p95']:.1f} ms",
                    ok(page["p95"] < 50, "p95 < 50 ms"),
                )
            )
        admin = measured["admin_list"]
        rows.append(
            (
                f"admin answer list at {answers:,} answers",
                f"{admin['queries']} queries, p95 {admin['p95']:.1f} ms",
                ok(admin["queries"] <= 15 and admin["p95"] < 300, "≤ 15, < 300 ms"),
            )
        )
        change = measured["change_page"]
        rows.append(
            (
                f"admin change page, {CITATIONS} citations",
                f"{change['queries']} queries, p95 {change['p95']:.1f} ms",
                ok(change["queries"] <= 25, "≤ 25 queries"),
            )
        )
        history = measured["history"]
        rows.append(
            (
                f"history page, {history['versions']:,} versions (page 1 and last)",
                f"{history['queries']} and {history['queries_last']} queries, "
                f"p95 {history['p95']:.1f} ms",
                ok(history["queries"] == history["queries_last"], "constant"),
            )
        )
        rows.append(
            (
                f"import_articles of {articles:,} articles",
                f"{import_seconds:.1f} s",
                ok(import_seconds < 60, "< 60 s"),
            )
        )
        rows.append(
            (
                "RSS of one gunicorn web worker after the run",
                f"{rss:.0f} MB" if rss else "unknown",
                "",
            )
        )
        width = max(len(r[0]) for r in rows)
        vwidth = max(len(r[1]) for r in rows)
        self.stdout.write(
            f"Scale benchmark: {answers:,} published answers ({built['how']}), {vendor}, "
            f"gunicorn {built['workers']} workers DEBUG off, {os.cpu_count()} CPUs"
        )
        self.stdout.write(f"{'what':<{width}}  {'measured':<{vwidth}}  target")
        self.stdout.write(f"{'-' * width}  {'-' * vwidth}  ------")
        for what, value, verdict in rows:
            self.stdout.write(f"{what:<{width}}  {value:<{vwidth}}  {verdict}")


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS


def ok(condition, target):
    return f"{'ok' if condition else 'MISSED'} ({target})"


def percentile(values, percent):
    ordered = sorted(values)
    return ordered[max(1, round(percent / 100 * len(ordered))) - 1]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url):
    with urlopen(url, timeout=10) as response:  # noqa: S310 (our own local server)
        return response.read()


def write_fake_article(folder, number):
    """An article shaped like the SGLT2 sample (question, lead, headed sections, questions
    to ask, disclaimer), its words clearly fake benchmark filler."""
    sample = SAMPLE.read_text().splitlines()
    disclaimer = sample[-1]
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


def wrk(url, *, connections, seconds, timeout=2):
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format(\'JSON{"requests":%d,"errors":%d,"non_2xx":%d,'
        '"p99":"%.1f ms"}\\n\', summary.requests, summary.errors.connect + '
        "summary.errors.read + summary.errors.write + summary.errors.timeout, "
        "summary.errors.status, latency:percentile(99) / 1000))\n"
        "end\n"
    )
    try:
        result = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                f"--timeout={timeout}s",
                "-s",
                str(script),
                url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        )
    finally:
        script.unlink()
    line = next(line for line in result.stdout.splitlines() if line.startswith("JSON"))
    figures = json.loads(line[4:])
    rps = next(
        float(line.split()[1])
        for line in result.stdout.splitlines()
        if line.startswith("Requests/sec:")
    )
    return {**figures, "rps": rps}


class ThrowawayDatabase:
    """A database of the benchmark's own, created on entry and dropped on exit."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.config = settings.DATABASES["default"]
        self.postgres = self.config["ENGINE"].endswith("postgresql")

    def __enter__(self):
        if not self.postgres:
            return f"sqlite:///{self.tmp / 'benchmark.sqlite3'}"
        self.name = f"{self.config['NAME']}_benchmark"[:63]
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
        self._admin(f'CREATE DATABASE "{self.name}"')
        url = os.environ["DATABASE_URL"]
        parsed = dj_database_url.parse(url)
        return url.rsplit("/", 1)[0] + "/" + self.name if parsed else url

    def __exit__(self, *exc):
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _admin(self, sql):
        from django.db import connection

        with connection._nodb_cursor() as cursor:
            cursor.execute(sql)


class Gunicorn:
    """The project's gunicorn config against the throwaway database, on a free port."""

    def __init__(self, env, port, tmp):
        self.env = {**env, "BIND": f"127.0.0.1:{port}"}
        self.port, self.log = port, open(tmp / "gunicorn.log", "w")  # noqa: SIM115

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                "deploy/gunicorn.conf.py",
                "qa_cms.wsgi",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                fetch(f"http://127.0.0.1:{self.port}/healthz")
                return self
            except OSError:
                time.sleep(0.3)
        raise CommandError("gunicorn did not start: see its log.")

    def worker_rss_mb(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = children.read_text().split() if children.exists() else []
        sizes = []
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return max(sizes) if sizes else None

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class Nginx:
    """Debian's nginx serving the page's bytes from a file, with a temporary config."""

    def __init__(self, tmp, body):
        self.dir = tmp / "nginx"
        self.dir.mkdir()
        (self.dir / "page.html").write_bytes(body)
        # nginx's workers run as its own user: they need to reach the page.
        for path in (tmp, self.dir, self.dir / "page.html"):
            path.chmod(0o755)
        self.port = free_port()

    def __enter__(self):
        conf = self.dir / "nginx.conf"
        d = self.dir
        conf.write_text(
            f"worker_processes 2; pid {d}/nginx.pid; error_log {d}/error.log; daemon off;\n"
            "events { worker_connections 1024; }\n"
            f"http {{ access_log off; client_body_temp_path {d}/body; proxy_temp_path {d}/p;\n"
            f"  fastcgi_temp_path {d}/f; uwsgi_temp_path {d}/u; scgi_temp_path {d}/s;\n"
            f"  server {{ listen 127.0.0.1:{self.port}; root {d};\n"
            "    location / { default_type text/html; try_files /page.html =404; } } }\n"
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = subprocess.Popen(
            [nginx, "-c", str(conf), "-p", str(self.dir)],
            stdout=subprocess.DEVNULL,
            stderr=open(self.dir / "stderr.log", "w"),  # noqa: SIM115
        )
        url = f"http://127.0.0.1:{self.port}/"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                fetch(url)
                return url
            except OSError:
                time.sleep(0.2)
        raise CommandError(f"nginx did not start: {(self.dir / 'stderr.log').read_text()}")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
