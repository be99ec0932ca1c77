"""What each middleware costs an anonymous answer-page request, in process: the time per
request with the full stack, then with each middleware left out in turn (a page-cache hit
and a miss with the page cache off). A middleware below the page cache should cost a hit
nothing: a cached page never reaches it."""

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client, override_settings

from answers.models import PublishedAnswer

# Left out together: authentication and messages need the session; OTP and the two-factor
# check read what authentication sets.
_AUTH = (
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
)
TOGETHER = {
    "django.contrib.sessions.middleware.SessionMiddleware": (
        *_AUTH,
        "django.contrib.messages.middleware.MessageMiddleware",
    ),
    _AUTH[0]: _AUTH[1:],
}
NEEDED_BY_OTHERS = set(_AUTH[1:])


class Command(BaseCommand):
    help = "Time each middleware on the answer page, page cache hit and miss (in process)."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=300)

    def handle(self, *, requests, **options):
        publication = PublishedAnswer.objects.live().first()
        if publication is None:
            raise CommandError("No published answer: run manage.py load_demo first.")
        path = publication.get_absolute_url()
        stack = list(settings.MIDDLEWARE)
        variants = [("(full stack)", stack)]
        for middleware in stack:
            if middleware in NEEDED_BY_OTHERS:
                continue
            left_out = {middleware, *TOGETHER.get(middleware, ())}
            name = " + ".join(
                m.rsplit(".", 1)[-1] for m in [middleware, *TOGETHER.get(middleware, ())]
            )
            variants.append((name, [m for m in stack if m not in left_out]))
        timings = {name: {"miss": [], "hit": []} for name, _ in variants}
        for _ in range(2):  # alternating, twice: the machine may be shared
            for name, middleware in variants:
                for kind, page_cache in (("miss", False), ("hit", True)):
                    with override_settings(
                        MIDDLEWARE=middleware,
                        PAGE_CACHE=page_cache,
                        SECURE_SSL_REDIRECT=False,
                        ALLOWED_HOSTS=["testserver"],
                    ):
                        timings[name][kind].append(_per_request(Client(), path, requests))
        full = {kind: min(timings["(full stack)"][kind]) for kind in ("miss", "hit")}
        write = self.stdout.write
        write(f"Answer page {path[:60]}..., {requests} requests a run, best of 2, CPU time")
        write(f"Load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        write("| left out | miss ms/request | its cost | hit ms/request | its cost |")
        write("|---|---|---|---|---|")
        for name, _ in variants:
            miss, hit = min(timings[name]["miss"]), min(timings[name]["hit"])
            if name == "(full stack)":
                write(f"| nothing (full stack) | {miss:.3f} | | {hit:.3f} | |")
            else:
                write(
                    f"| {name} | {miss:.3f} | {full['miss'] - miss:+.3f} | {hit:.3f} | "
                    f"{full['hit'] - hit:+.3f} |"
                )


def _per_request(client, path, requests):
    """CPU milliseconds per request, after a few to warm up (and fill the page cache)."""
    for _ in range(20):
        response = client.get(path)
        if response.status_code != 200:
            raise CommandError(f"{path} answered {response.status_code}.")
    start = time.process_time()
    for _ in range(requests):
        client.get(path)
    return (time.process_time() - start) * 1000 / requests
