"""Time the public pages against a large published answer, in the current database.

The answer (clearly fake test text and references) is published through the real workflow
inside a transaction that is rolled back at the end, so nothing is left behind.
"""

import secrets
import statistics
import time
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from answers.models import Contributor, Topic
from answers.roles import MEDICAL_REVIEWERS, WRITERS
from benchmarks.scenario import publish_large_answer

SEARCH_WORD = "benchmark"


class Rollback(Exception):
    """Raised to undo everything the benchmark created."""


class Command(BaseCommand):
    help = (
        "Request the public answer page, home, search and API many times against a large "
        "published answer (fake test text, rolled back afterwards) and print median and "
        "95th-percentile times and query counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=50, help="Requests per page.")
        parser.add_argument("--sections", type=int, default=30)
        parser.add_argument("--citations", type=int, default=60)

    def handle(self, *, requests, sections, citations, **options):
        if requests < 1 or sections < 2 or citations < 1:
            raise CommandError("Use at least 1 request, 2 sections and 1 citation.")
        rows = []
        try:
            with transaction.atomic():
                answer = self._publish_large_answer(sections=sections, citations=citations)
                rows = self._measure(answer, requests=requests)
                raise Rollback
        except Rollback:
            pass
        self._report(rows, requests=requests, sections=sections, citations=citations)

    # ---------------------------------------------------------------- set-up

    def _publish_large_answer(self, *, sections, citations):
        tag = uuid.uuid4().hex[:8]
        User = get_user_model()
        writer = User.objects.create_user(username=f"benchmark-writer-{tag}", is_staff=True)
        writer.groups.add(Group.objects.get(name=WRITERS))
        Contributor.objects.create(user=writer, display_name="Benchmark Writer (test)")
        # A one-off password: the clinician signs the approval with it, as every approval is signed.
        signature = secrets.token_urlsafe(16)
        clinician = User.objects.create_user(
            username=f"benchmark-clinician-{tag}", password=signature, is_staff=True
        )
        clinician.groups.add(Group.objects.get(name=MEDICAL_REVIEWERS))
        Contributor.objects.create(
            user=clinician, display_name="Benchmark Clinician (test)", credentials="MD"
        )
        topic = Topic.objects.create(
            name=f"Benchmark topic {tag} (test data)", slug=f"benchmark-topic-{tag}"
        )
        return publish_large_answer(
            writer=writer,
            clinician=clinician,
            password=signature,
            topic=topic,
            question=f"Is the {SEARCH_WORD} test answer {tag} fast?",
            tag=tag,
            sections=sections,
            citations=citations,
        )

    # ---------------------------------------------------------------- measuring

    def _measure(self, answer, *, requests):
        slug = answer.question.slug
        pages = [
            ("answer page", answer.get_absolute_url()),
            ("home", reverse("home")),
            ("search", f"{reverse('search')}?q={SEARCH_WORD}"),
            ("API detail", reverse("api_answer_detail", args=[slug])),
            ("API list", reverse("api_answer_list")),
        ]
        client = Client()
        rows = []
        # PAGE_CACHE off: this measures the views themselves, not the in-app page cache.
        with override_settings(
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], PAGE_CACHE=False
        ):
            for name, url in pages:
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)  # warm-up, and the query count
                query_count = len(queries.captured_queries)  # before the next request resets it
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}.")
                timings = []
                for _ in range(requests):
                    start = time.perf_counter()
                    client.get(url)
                    timings.append((time.perf_counter() - start) * 1000)
                rows.append(
                    {
                        "name": name,
                        "url": url,
                        "median": statistics.median(timings),
                        "p95": _percentile(timings, 95),
                        "queries": query_count,
                        "kb": len(response.content) / 1024,
                    }
                )
        return rows

    def _report(self, rows, *, requests, sections, citations):
        self.stdout.write(
            f"Public pages, {requests} requests each after one warm-up, against an answer "
            f"with {sections} sections and {citations} citations "
            f"({connection.vendor}; test data rolled back):"
        )
        self.stdout.write(f"{'page':<12} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'KB':>7}")
        for row in rows:
            self.stdout.write(
                f"{row['name']:<12} {row['median']:>10.1f} {row['p95']:>8.1f} "
                f"{row['queries']:>8} {row['kb']:>7.1f}"
            )


def _percentile(values, percent):
    """Nearest-rank percentile: the value below which `percent` % of the timings fall."""
    ordered = sorted(values)
    rank = max(1, round(percent / 100 * len(ordered)))
    return ordered[rank - 1]
