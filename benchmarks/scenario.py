"""The build and in-process measures of `benchmark_scale`, run only in its throwaway database.

Build: one answer with 60 citations goes through the real workflow (submit, approve,
publish); the other answers are bulk copies of its snapshot row (PublishedAnswer, SignOff,
Answer, Question), each with its own question, address, topic and dates. The copies share
the template's reversion revision and have no draft sections or citations of their own.
"""

import secrets
import statistics
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from reversion.models import Revision, Version

from answers.models import (
    Answer,
    Contributor,
    PublishedAnswer,
    Question,
    Section,
    SignOff,
    Topic,
    search_document_of_columns,
)
from answers.publishing import render_article
from answers.roles import EDITORS, MEDICAL_REVIEWERS, WRITERS
from citations.models import Citation, Reference

BATCH = 1000
VERSIONS = 1000


def _user(username, group, name, password=None):
    user = get_user_model().objects.create_user(username=username, password=password, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    Contributor.objects.create(user=user, display_name=name)
    return user


def build(*, answers, articles):
    writer = _user("benchmark-writer", WRITERS, "Benchmark Writer (test)")
    # A one-off password: the clinician signs the approval with it, as every approval is signed.
    signature = secrets.token_urlsafe(16)
    clinician = _user(
        "benchmark-clinician", MEDICAL_REVIEWERS, "Benchmark Clinician (test)", signature
    )
    _user("benchmark-editor", EDITORS, "Benchmark Editor (test)")
    topics = [
        Topic.objects.create(name=f"Benchmark topic {n} (test data)", slug=f"benchmark-topic-{n}")
        for n in range(1, 51)
    ]
    template = publish_large_answer(
        writer=writer,
        clinician=clinician,
        password=signature,
        topic=topics[0],
        question="Benchmark question 0: is this fake test answer fast? (test data)",
        tag="scale",
        sections=30,
        citations=60,
    )
    _copy(template, answers - 1, topics, writer)
    _versions(template, clinician)
    return {
        "answer_id": template.pk,
        "answer_url": template.get_absolute_url(),
        "how": "1 through submit/approve/publish, the rest bulk copies of its snapshot",
        "workers": _workers(),
    }


def _workers():
    import os

    return int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))


def publish_large_answer(*, writer, clinician, password, topic, question, tag, sections, citations):
    """One fake answer with `sections` sections and `citations` cited fake references, taken
    through the real submit and approve (signed with `password`). Never medical content."""
    question = Question.objects.create(
        text=question, slug=Question.unique_slug_for(question), topic=topic
    )
    answer = Answer.objects.create(
        question=question,
        lead="This is fake benchmark text for timing the pages, not medical advice [1].",
        certainty=Answer.Certainty.NOT_GRADED,
        certainty_reason="Fake benchmark text: no evidence was assessed.",
    )
    answer.writers.add(writer)
    prose = sections - 1
    bodies = [[] for _ in range(prose)]
    for label in range(1, citations + 1):
        bodies[(label - 1) % prose].append(
            f"Fake benchmark sentence {label} stands in for real text [{label}]."
        )
    for position, sentences in enumerate(bodies, start=1):
        Section.objects.create(
            answer=answer,
            position=position,
            heading=f"Benchmark heading {position}",
            body=" ".join(sentences) or "Fake benchmark text without citations.",
        )
    Section.objects.create(
        answer=answer,
        position=sections,
        heading="What to ask your doctor",
        kind=Section.Kind.QUESTIONS,
        body="- Is this fake benchmark question one?\n- Is this fake benchmark question two?",
    )
    for label in range(1, citations + 1):
        reference = Reference.objects.create(
            title=f"Benchmark test reference {label} (not a real work)",
            authors=[{"family": "Tester", "given": "Ann"}],
            container_title="Journal of Tests",
            container_title_short="J Tests",
            year=2024,
            volume="1",
            page=f"{label}-{label + 5}",
            doi=f"10.5555/benchmark.{tag}.{label}",
        )
        Citation.objects.create(answer=answer, reference=reference, label=str(label))
    answer.submit(by=writer)
    answer.approve(
        by=clinician,
        shown_hash=answer.content_hash(),
        password=password,
        sources_checked=True,
        wording_safe=True,
    )
    answer.refresh_from_db()
    return answer


def _copy(template, count, topics, writer):
    snapshot = PublishedAnswer.objects.get(answer=template)
    signoff = snapshot.signoff
    now = timezone.now()
    WriterLink = Answer.writers.through
    BylineLink = PublishedAnswer.writers.through
    for start in range(1, count + 1, BATCH):
        numbers = range(start, min(start + BATCH, count + 1))
        with transaction.atomic():
            questions = Question.objects.bulk_create(
                Question(
                    text=f"Benchmark question {n}: is fake answer {n} fast? (test data)",
                    slug=f"benchmark-answer-{n}",
                    topic=topics[n % len(topics)],
                )
                for n in numbers
            )
            drafts = Answer.objects.bulk_create(
                Answer(
                    question=q,
                    lead=template.lead,
                    status=Answer.Status.PUBLISHED,
                    last_reviewed_at=template.last_reviewed_at,
                    next_review_due=template.next_review_due,
                )
                for q in questions
            )
            WriterLink.objects.bulk_create(
                WriterLink(answer_id=a.pk, user_id=writer.pk) for a in drafts
            )
            signoffs = SignOff.objects.bulk_create(
                SignOff(
                    answer=a,
                    reviewer_id=signoff.reviewer_id,
                    signer_name=signoff.signer_name,
                    meaning=signoff.meaning,
                    change_summary=signoff.change_summary,
                    revision_id=signoff.revision_id,
                    content_hash=signoff.content_hash,
                    sources_checked=True,
                    wording_safe=True,
                    created_at=now - timedelta(minutes=n),
                )
                for n, a in zip(numbers, drafts, strict=True)
            )
            copies = [
                PublishedAnswer(
                    answer=a,
                    signoff=s,
                    slug=q.slug,
                    topic_id=q.topic_id,
                    question=q.text,
                    lead_html=snapshot.lead_html,
                    body_html=snapshot.body_html,
                    references_html=snapshot.references_html,
                    search_text=f"{snapshot.search_text} Benchmark number {n}.",
                    data={**snapshot.data, "question": q.text},
                    content_hash=snapshot.content_hash,
                    first_published_at=s.created_at,
                    approved_at=s.created_at,
                    next_review_due=snapshot.next_review_due,
                )
                for n, q, a, s in zip(numbers, questions, drafts, signoffs, strict=True)
            ]
            # bulk_create skips save(), which renders each copy's stored article.
            for copy in copies:
                copy.article_html = render_article(copy)
            copies = PublishedAnswer.objects.bulk_create(copies)
            # The approved byline, as publishing sets it.
            BylineLink.objects.bulk_create(
                BylineLink(publishedanswer_id=c.pk, user_id=writer.pk) for c in copies
            )
    if connection.vendor == "postgresql":
        PublishedAnswer.objects.update(search_vector=search_document_of_columns())


def _versions(template, user):
    """Clone the template's latest version until it has VERSIONS, as saves would."""
    latest = Version.objects.get_for_object(template).first()
    have = Version.objects.get_for_object(template).count()
    now = timezone.now()
    revisions = Revision.objects.bulk_create(
        Revision(
            date_created=now - timedelta(hours=n),
            user=user,
            comment=f"Benchmark version {n} (test data)",
        )
        for n in range(VERSIONS - have)
    )
    Version.objects.bulk_create(
        Version(
            revision=r,
            object_id=latest.object_id,
            content_type_id=latest.content_type_id,
            db=latest.db,
            format=latest.format,
            serialized_data=latest.serialized_data,
            object_repr=latest.object_repr,
        )
        for r in revisions
    )


def _counted(client, url, data=None):
    """A GET and the queries it made, counted as they run (Django empties its query log when
    a request starts, so CaptureQueriesContext miscounts after the first request)."""
    queries = []
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        response = client.get(url, data)
    return response, len(queries)


def _time(client, url, requests):
    """Query count of one request, then p95 and median of `requests` more."""
    response, queries = _counted(client, url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    ordered = sorted(timings)
    p95 = ordered[max(1, round(0.95 * len(ordered))) - 1]
    return {"queries": queries, "p95": p95, "median": statistics.median(timings)}


def measure(*, requests, answer_id):
    """In process, on the built database: the public pages (in-app cache off) and the admin's
    pages about the template answer (`answer_id`, the one with 60 citations)."""
    template = Answer.objects.get(pk=answer_id)
    topic = template.question.topic
    pages = [
        ("answer page", template.get_absolute_url()),
        ("home", reverse("home")),
        ("topic", topic.get_absolute_url()),
        ("search, every answer matching", f"{reverse('search')}?q=benchmark+fast"),
        ("search, one answer matching", f"{reverse('search')}?q=benchmark+number+9999"),
        ("sitemap index", reverse("sitemap")),
        ("sitemap page 1", reverse("sitemap_section", args=["answers"])),
        ("feed", reverse("feed")),
        ("API list", reverse("api_answer_list")),
    ]
    # Named on every answer: the writer's byline and the clinician's sign-off.
    for username, named, listed in (
        ("benchmark-writer", "writer", "written"),
        ("benchmark-clinician", "clinician", "reviewed"),
    ):
        contributor = Contributor.objects.get(user__username=username)
        pages.append((f"contributor page, {named} of every answer", contributor.get_absolute_url()))
        pages.append(
            (
                f"contributor page, {named}, page 100",
                f"{contributor.get_absolute_url()}?{listed}=100",
            )
        )
    result = {"public": []}
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        # Uncached: with the in-app page cache on, every request after the first is a hit.
        with override_settings(PAGE_CACHE=False):
            anonymous = Client()
            for name, url in pages:
                result["public"].append({"name": name, **_time(anonymous, url, requests)})
        editor = Client()
        editor.force_login(get_user_model().objects.get(username="benchmark-editor"))
        writer = Client()
        writer.force_login(get_user_model().objects.get(username="benchmark-writer"))
        editor.get(reverse("admin:index"))
        result["admin_list"] = _time(editor, reverse("admin:answers_answer_changelist"), requests)
        change = reverse("admin:answers_answer_change", args=[template.pk])
        result["change_page"] = _time(writer, change, max(5, requests // 4))
        history = reverse("admin:answers_answer_history", args=[template.pk])
        first = _time(writer, history, max(5, requests // 4))
        versions = Version.objects.get_for_object(template).count()
        _, queries_last = _counted(writer, history, {"page": 10_000})
        result["history"] = {**first, "versions": versions, "queries_last": queries_last}
    return result
