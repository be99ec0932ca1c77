"""The answer page on a cache miss against a stock Wagtail page of the same answer, and
with the page cache against nginx serving the same bytes: one table, each setup run twice,
alternating, with the load average beside every figure (the machine may be shared)."""

import json
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from answers.models import PublishedAnswer
from answers.public.structured_data import meta_description
from benchmarks.servers import (
    PEER_PACKAGES,
    PEER_VENV,
    BenchmarkError,
    Gunicorn,
    Nginx,
    WagtailPeer,
    fetch,
    program,
    wrk,
)

DEMO_SLUG = (
    "do-sglt2-inhibitors-reduce-hospital-admissions-for-heart-failure-according-to-recent-trials"
)


class Command(BaseCommand):
    help = (
        "wrk -t2 -c16 against the demo's SGLT2 answer page: this project with the page cache "
        "off (gunicorn -w 2), a stock Wagtail page of the same answer (-w 2), this project as "
        "`make serve` runs it (page cache on), and nginx serving the same bytes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=8)
        parser.add_argument("--rounds", type=int, default=2)
        parser.add_argument(
            "--peer-venv",
            default=os.environ.get("WAGTAIL_PEER_VENV", str(PEER_VENV)),
            help="the Wagtail peer's virtualenv (made when missing, with pip from the package "
            f"index: {' '.join(PEER_PACKAGES)}); default .cache/wagtail-peer/venv in the project",
        )

    def handle(self, *, seconds, rounds, peer_venv, **options):
        for tool, package in (("wrk", "wrk"), ("nginx", "nginx-light")):
            if not program(tool):
                raise CommandError(f"{tool} is needed (Debian: apt-get install {package}).")
        publication = PublishedAnswer.objects.live().filter(slug=DEMO_SLUG).first()
        if publication is None:
            raise CommandError("The demo's SGLT2 answer is not published: run manage.py load_demo.")
        try:
            with tempfile.TemporaryDirectory(prefix="qa-peer-") as tmp:
                Path(tmp).chmod(0o755)  # nginx's workers, as their own user, read a page in it
                self._run(Path(tmp), publication, seconds, rounds, peer_venv)
        except BenchmarkError as error:
            raise CommandError(str(error)) from error

    def _run(self, tmp, publication, seconds, rounds, peer_venv):
        say = self.stderr.write
        content = tmp / "answer.json"
        content.write_text(
            json.dumps(
                {
                    "slug": publication.slug,
                    "question": publication.question,
                    "description": meta_description(publication.data.get("lead_text", "")),
                    "lead_html": publication.lead_html,
                    "body_html": publication.body_html,
                    "references_html": publication.references_html,
                }
            )
        )
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "benchmark-only-not-secret",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_COOKIES": "0",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
        }
        path = publication.get_absolute_url()
        say("Building the stock Wagtail peer ...")
        peer = WagtailPeer(tmp, content, venv=peer_venv)
        setups = {
            "off": lambda: Gunicorn(env, tmp, "off", PAGE_CACHE="0", WEB_CONCURRENCY="2"),
            "wagtail": lambda: peer,
            "on": lambda: Gunicorn(env, tmp, "on", PAGE_CACHE="1", CACHE_DIR=str(tmp / "cache")),
        }
        results = {name: [] for name in [*setups, "nginx"]}
        sizes = {}
        body = None
        for round_number in range(1, rounds + 1):
            for name, make in setups.items():
                with make() as server:
                    url = server.url + (server.path if name == "wagtail" else path)
                    page, _ = fetch(url)
                    sizes[name] = len(page)
                    if name == "on":
                        body = page
                        for _ in range(10):  # every worker's first look
                            fetch(url)
                    say(f"round {round_number}: {name} ...")
                    results[name].append((wrk(url, connections=16, seconds=seconds), _load()))
            (tmp / f"round-{round_number}").mkdir()
            with Nginx(tmp / f"round-{round_number}", body) as nginx_url:
                say(f"round {round_number}: nginx ...")
                results["nginx"].append((wrk(nginx_url, connections=16, seconds=seconds), _load()))
        self._table(results, sizes, peer.version.strip())

    def _table(self, results, sizes, wagtail_version):
        labels = {
            "off": "this project, page cache off, gunicorn -w 2",
            "wagtail": f"stock Wagtail {wagtail_version} page of the same answer, gunicorn -w 2, "
            "SQLite",
            "on": "this project, page cache on (make serve: files, "
            f"{os.environ.get('WEB_CONCURRENCY') or 2 * (os.cpu_count() or 1)} workers)",
            "nginx": "nginx serving the same bytes from a file",
        }
        best = {name: max(run[0]["rps"] for run in runs) for name, runs in results.items()}
        write = self.stdout.write
        write(
            f"Answer page (wrk -t2 -c16), {os.cpu_count()} CPUs, {settings.DATABASES['default']['ENGINE'].split('.')[-1]}"
        )
        write("| setup | bytes | requests/s (each run, load average 1 min) | best |")
        write("|---|---|---|---|")
        for name, runs in results.items():
            each = ", ".join(f"{run['rps']:,.0f} (load {load:.2f})" for run, load in runs)
            size = sizes.get(name, sizes.get("on", 0))
            write(f"| {labels[name]} | {size:,} | {each} | {best[name]:,.0f} |")
        ratio = best["off"] / best["wagtail"] if best["wagtail"] else 0
        share = 100 * best["on"] / best["nginx"] if best["nginx"] else 0
        write(f"page cache off / Wagtail: {ratio:.2f}x (target 2x)")
        write(f"page cache on / nginx: {share:.1f}% (target 3%)")


def _load():
    return os.getloadavg()[0]
