"""The public snapshot of an approved answer, its queries and its search document."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import connections, models, router
from django.db.models import Count, F, Max, Q, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.urls import reverse
from django.utils import timezone

from ..publishing import change_log, render_article, snapshot_fields
from .search import SearchWord
from .topics import Topic


class PublishedAnswerQuerySet(models.QuerySet):
    """The public side's queries, built once for its pages, API, search, feeds and sitemaps."""

    LISTING_FIELDS = (
        "slug",
        "question",
        "first_published_at",
        "approved_at",
        "next_review_due",
        "topic__name",
        "topic__slug",
    )

    def live(self, *, now=None):
        """What the public sees at `now`: not withdrawn, gone live, not yet taken down. Time
        is a condition of the query, so nothing waits for a job to run."""
        return self.filter(self.live_condition(now=now))

    @staticmethod
    def live_condition(prefix="", *, now=None):
        now = now or timezone.now()
        return (
            Q(**{f"{prefix}withdrawn_at__isnull": True})
            & Q(**{f"{prefix}live_from__lte": now})
            & (
                Q(**{f"{prefix}take_down_at__isnull": True})
                | Q(**{f"{prefix}take_down_at__gt": now})
            )
        )

    def scheduled(self, *, now=None):
        """Publications with a go-live or take-down still to come."""
        now = now or timezone.now()
        return self.filter(withdrawn_at__isnull=True).filter(
            Q(live_from__gt=now) | Q(take_down_at__gt=now)
        )

    def next_scheduled_change(self, *, now=None):
        """The earliest future go-live or take-down among these publications, or None: a
        cache of a page listing them must not outlive it."""
        now = now or timezone.now()
        live_scheduled = self.filter(withdrawn_at__isnull=True)
        moments = [
            live_scheduled.filter(live_from__gt=now).aggregate(m=models.Min("live_from"))["m"],
            live_scheduled.filter(take_down_at__gt=now).aggregate(m=models.Min("take_down_at"))[
                "m"
            ],
        ]
        moments = [m for m in moments if m is not None]
        return min(moments, default=None)

    def next_overdue_notice(self, *, today=None):
        """The start of the next day on which a live page starts telling readers its review
        is overdue (OVERDUE_NOTICE_GRACE_DAYS after it was due), or None: a cached page must
        not outlive it."""
        grace = settings.OVERDUE_NOTICE_GRACE_DAYS
        if grace is None:
            return None
        today = today or timezone.localdate()
        due = self.filter(
            withdrawn_at__isnull=True, next_review_due__gte=today - timedelta(days=grace)
        ).aggregate(m=models.Min("next_review_due"))["m"]
        if due is None:
            return None
        first_day = due + timedelta(days=grace + 1)
        return timezone.make_aware(datetime.combine(first_day, time.min))

    def listing(self, *extra_fields):
        """Live publications with what a list of links shows: never the big HTML columns."""
        return (
            self.live()
            .select_related("topic")
            .only(*self.LISTING_FIELDS, *extra_fields)
            .annotate(
                lead_text=KeyTextTransform("lead_text", "data"),
                approved_topic_name=KeyTextTransform("name", KeyTransform("topic", "data")),
            )
        )

    def naming(self, user):
        """Publications whose approved byline names `user` (or an OuterRef) as a writer or
        as the signing clinician. The draft's writers count only once approved."""
        return self.filter(Q(writers=user) | Q(signoff__reviewer=user))

    def for_slug(self, slug):
        """The publication at this address, live or withdrawn, with its topic; else None."""
        return self.select_related("topic").filter(slug=slug).first()

    def live_topics(self):
        """Topics with at least one live answer, with how many and when last reviewed."""
        live = self.live_condition("publications__")
        return Topic.objects.annotate(
            answer_count=Count("publications", filter=live),
            last_reviewed=Max("publications__approved_at", filter=live),
        ).filter(answer_count__gt=0)


SEARCH_CONFIG = "english"


def search_document(question, lead, text):
    """The weighted full-text document of a snapshot: question above lead above sections."""
    return (
        SearchVector(question, weight="A", config=SEARCH_CONFIG)
        + SearchVector(lead, weight="B", config=SEARCH_CONFIG)
        + SearchVector(text, weight="C", config=SEARCH_CONFIG)
    )


def search_document_of_columns():
    """`search_document` from a row's own columns, for recomputing rows in bulk."""
    return search_document(F("question"), KeyTextTransform("lead_text", "data"), F("search_text"))


class PublishedAnswer(models.Model):
    """The public snapshot of an approved answer, rendered when a clinician signs it off.
    Public pages read only this, never the draft rows."""

    answer = models.OneToOneField(
        "answers.Answer", on_delete=models.CASCADE, related_name="publication"
    )
    signoff = models.ForeignKey("answers.SignOff", on_delete=models.PROTECT, related_name="+")
    slug = models.SlugField(max_length=120, unique=True)
    topic = models.ForeignKey(
        "answers.Topic", on_delete=models.PROTECT, related_name="publications"
    )
    question = models.CharField(max_length=300)
    lead_html = models.TextField()
    body_html = models.TextField()
    references_html = models.TextField()
    article_html = models.TextField(
        blank=True,
        editable=False,
        help_text="The approved content as the page shows it, rendered from this snapshot's "
        "own fields by save() (answers.publishing.render_article).",
    )
    search_text = models.TextField(help_text="Plain text of the lead and sections, for search.")
    data = models.JSONField(help_text="Structured content for the API and structured data.")
    content_hash = models.CharField(max_length=64)
    first_published_at = models.DateTimeField()
    approved_at = models.DateTimeField()
    next_review_due = models.DateField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)
    live_from = models.DateTimeField(
        "go live at",
        default=timezone.now,
        help_text="The public sees the answer from this moment (an embargo when in the future).",
    )
    take_down_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Time-limited guidance: from this moment the page answers 410 with the reason.",
    )
    take_down_reason = models.TextField(blank=True)
    take_down_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    writers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="bylines",
        blank=True,
        help_text="The writers the approved byline names (the draft's may differ).",
    )
    search_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text="On PostgreSQL, the search document kept by save() (GIN-indexed); "
        "empty elsewhere.",
    )

    objects = PublishedAnswerQuerySet.as_manager()

    class Meta:
        ordering = ["-approved_at"]
        indexes = [
            models.Index(fields=["topic", "-approved_at"]),
            # Home, feed and API list read the newest live snapshots: without this, each
            # request scans every row (the HTML columns make that 60 kB a row).
            models.Index(
                fields=["-approved_at", "id"],
                condition=Q(withdrawn_at__isnull=True),
                name="publishedanswer_live_recent",
            ),
            # Lists by question (a contributor's, a topic's) on SQLite: every column they
            # test is here, so the rows (a snapshot's HTML runs to 90 kB, and SQLite reads
            # past it to the later columns) are read only for the page shown.
            models.Index(
                fields=[
                    "withdrawn_at",
                    "question",
                    "id",
                    "live_from",
                    "take_down_at",
                    "signoff",
                    "topic",
                    # SQLite may choose it for the sitemap and search too: cover them.
                    "approved_at",
                    "slug",
                ],
                name="publishedanswer_by_question",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(take_down_at__isnull=True) | Q(take_down_at__gt=models.F("live_from")),
                name="publication_take_down_after_go_live",
            ),
        ]

    def __str__(self):
        return self.question

    # The fields article_html is rendered from: a save that writes one renders it again.
    ARTICLE_SOURCE_FIELDS = frozenset(
        {
            "question",
            "lead_html",
            "body_html",
            "references_html",
            "data",
            "approved_at",
            "next_review_due",
            "article_html",
        }
    )

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or self.ARTICLE_SOURCE_FIELDS.intersection(update_fields):
            self.article_html = render_article(self)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "article_html"}
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        if connections[using].vendor == "postgresql":
            self.search_vector = search_document(
                Value(self.question),
                Value((self.data or {}).get("lead_text", "")),
                Value(self.search_text),
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("question", args=[self.slug])

    def is_embargoed(self, now=None) -> bool:
        return self.live_from > (now or timezone.now())

    def is_taken_down(self, now=None) -> bool:
        return self.take_down_at is not None and self.take_down_at <= (now or timezone.now())

    def public_state(self, now=None) -> str:
        """What readers get at `now`, the one decision every page and the API follow (as
        `live_condition` is for queries): "withdrawn" or "taken_down" (410 Gone), "embargoed"
        (404 until it goes live), or "live"."""
        now = now or timezone.now()
        if self.withdrawn_at is not None:
            return "withdrawn"
        if self.is_taken_down(now):
            return "taken_down"
        if self.is_embargoed(now):
            return "embargoed"
        return "live"

    def is_live(self, now=None) -> bool:
        """The public sees it now: what `PublishedAnswer.objects.live()` selects."""
        return self.public_state(now) == "live"

    def gone_reason(self, now=None) -> str:
        """Why the page answers 410 Gone, in words for readers; "" when it is not gone."""
        state = self.public_state(now)
        if state == "withdrawn":
            return "This answer has been withdrawn and is no longer published."
        if state == "taken_down":
            return f"This answer was taken down: {self.take_down_reason}"
        return ""

    def next_scheduled_change(self, now=None):
        """This page's next go-live or take-down, or None: its cache must not outlive it."""
        now = now or timezone.now()
        if self.withdrawn_at is not None:
            return None
        moments = [m for m in (self.live_from, self.take_down_at) if m is not None and m > now]
        return min(moments, default=None)

    def is_overdue_for_readers(self, today=None) -> bool:
        """Whether readers are told the review is overdue (after the grace period setting)."""
        grace = settings.OVERDUE_NOTICE_GRACE_DAYS
        if grace is None:
            return False
        today = today or timezone.localdate()
        return today > self.next_review_due + timedelta(days=grace)

    @property
    def state(self) -> str:
        if self.withdrawn_at is not None:
            return "Withdrawn"
        if self.is_embargoed():
            return "Scheduled to go live"
        if self.is_taken_down():
            return "Taken down"
        if self.take_down_at is not None:
            return "Live, take-down scheduled"
        return "Live"

    @classmethod
    def build(cls, answer, *, reviewer=None, approved_at=None, next_review_due=None, **unsaved):
        """An unsaved snapshot of the answer's current content: the clinician's preview.
        `unsaved`: the writer's live preview's `sections`, `citations` and `writers`."""
        snapshot = cls(
            answer=answer,
            **snapshot_fields(
                answer,
                reviewer=reviewer,
                approved_at=approved_at,
                next_review_due=next_review_due,
                **unsaved,
            ),
        )
        snapshot.article_html = render_article(snapshot)
        return snapshot

    @classmethod
    def publish(cls, answer, *, signoff, live_from=None):
        """Replace the answer's public snapshot with its signed-off content, public from
        `live_from` (default: the sign-off). A take-down still to come is kept."""
        snapshot = cls.build(
            answer,
            reviewer=signoff.reviewer,
            approved_at=signoff.created_at,
            next_review_due=answer.next_review_due,
        )
        if snapshot.content_hash != signoff.content_hash:
            raise ValueError("The content to publish is not the content signed off.")
        snapshot.data["changes"] = change_log(
            answer.signoffs.select_related("reviewer__contributor").order_by("-created_at")
        )
        previous = cls.objects.filter(answer=answer).first()
        if previous is not None:
            snapshot.pk = previous.pk
            snapshot.first_published_at = previous.first_published_at
            # A re-approved answer keeps its public address, even if the draft's slug changed.
            snapshot.slug = previous.slug
            if (
                previous.take_down_at
                and not previous.is_taken_down()
                and not previous.withdrawn_at
                and previous.take_down_at > (live_from or signoff.created_at)
            ):
                snapshot.take_down_at = previous.take_down_at
                snapshot.take_down_reason = previous.take_down_reason
                snapshot.take_down_by = previous.take_down_by
        snapshot.live_from = live_from or signoff.created_at
        snapshot.signoff = signoff
        snapshot.save()
        snapshot.writers.set(answer.writers.all())
        SearchWord.add_from(snapshot.question, snapshot.search_text)
        return snapshot
