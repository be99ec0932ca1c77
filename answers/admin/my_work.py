"""The admin index's "My work": what waits for this person, per role, oldest first (what
is scheduled: soonest first), each list a QuerySet method on Answer (or the reader
feedback queue). A fixed number of
queries whatever the number of answers: a count and the first rows of each list."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from citations.models import RetractionCheck
from notifications.models import Notification

from ..models import Action, Answer, GlossaryTerm, ReaderFeedback, Release, step_labels
from ..roles import is_editor

SHOWN = 10  # rows per list; the count says how many there are in all


@dataclass
class WorkItem:
    title: str
    url: str
    detail: str = ""
    flagged: bool = False


@dataclass
class WorkList:
    key: str
    title: str
    count: int
    items: list = field(default_factory=list)
    more_url: str = ""


def _day(value):
    return date_format(value, "j M Y") if value else ""


def _answers(key, title, queryset, *, order, detail, more="", anchor=""):
    queryset = queryset.select_related("question").with_notice_flag().order_by(*order, "pk")
    shown = list(queryset[:SHOWN])
    # Answers in review on a topic's route say which step they are at.
    steps = step_labels(shown)
    items = [
        WorkItem(
            title=answer.question.text,
            url=reverse("admin:answers_answer_change", args=[answer.pk]) + anchor,
            detail=detail(answer) + (f"; {steps[answer.pk]}" if steps.get(answer.pk) else ""),
            flagged=answer.has_unhandled_notice,
        )
        for answer in shown
    ]
    count = len(items) if len(items) < SHOWN else queryset.count()
    changelist = reverse("admin:answers_answer_changelist")
    return WorkList(key, title, count, items, f"{changelist}?{more}" if more else "")


def _edited(answer):
    return f"last changed {_day(timezone.localtime(answer.updated_at))}"


def _submitted(answer):
    who = (
        f", assigned to {answer.assigned_reviewer.contributor.display_name}"
        if answer.assigned_reviewer_id and hasattr(answer.assigned_reviewer, "contributor")
        else ""
    )
    return f"submitted {_day(timezone.localtime(answer.submitted_at))}{who}"


def _due(answer):
    return f"review due {_day(answer.next_review_due)}"


def _moment(value):
    """One format for a moment everywhere on My work, its time zone named: "3 Dec 2026, 14:05 UTC"."""
    return date_format(timezone.localtime(value), "j M Y, H:i T")


def _scheduled(answer):
    now = timezone.now()
    changes = []
    if answer.scheduled_go_live > now:
        changes.append(f"will go live on {_moment(answer.scheduled_go_live)}")
    if answer.scheduled_take_down is not None:
        changes.append(f"will be taken down on {_moment(answer.scheduled_take_down)}")
    return ", ".join(changes)


def my_work(user, *, today=None) -> list[WorkList]:
    today = today or timezone.localdate()
    answers = Answer.objects.all()
    lists = []
    writes = user.has_perm("answers.submit_answer")
    reviews = user.has_perm("answers.review_answer")
    edits = is_editor(user)
    if writes:
        lists += [
            _answers(
                "changes_requested",
                "Changes requested of me",
                answers.changes_requested_of(user),
                order=["updated_at"],
                detail=_edited,
            ),
            _answers(
                "my_drafts",
                "My drafts",
                answers.drafts_of(user),
                order=["updated_at"],
                detail=_edited,
            ),
            _answers(
                "my_due",
                "My answers due for review within 30 days",
                answers.in_service()
                .written_by(user)
                .filter(next_review_due__lte=today + timedelta(days=30)),
                order=["next_review_due"],
                detail=_due,
            ),
        ]
    if reviews:
        lists.append(
            _answers(
                "waiting_for_me",
                "Waiting for my review",
                answers.awaiting_review_by(user).select_related("assigned_reviewer__contributor"),
                order=["submitted_at"],
                detail=_submitted,
                more="review=mine",
            )
        )
    if not reviews and user.groups.filter(review_steps__isnull=False).exists():
        lists.append(_my_steps(user))
    if edits:
        lists.append(
            _answers(
                "unassigned",
                "Unassigned reviews",
                answers.unassigned_reviews(),
                order=["submitted_at"],
                detail=_submitted,
                more="review=unassigned",
            )
        )
    if reviews or edits:
        lists += [
            _answers(
                "due_30",
                "Due for review within 30 days",
                answers.review_due_within(30, today=today),
                order=["next_review_due"],
                detail=_due,
            ),
            _answers(
                "overdue",
                "Review overdue",
                answers.review_overdue(today=today),
                order=["next_review_due"],
                detail=_due,
                more="review=overdue",
            ),
            _answers(
                "notices",
                "Citing a retracted study (not yet handled)",
                answers.citing_unhandled_notice(),
                order=["updated_at"],
                detail=_edited,
                more="review=notice",
            ),
        ]
    if edits:
        lists.append(
            _answers(
                "scheduled",
                "Scheduled changes (go-live or take-down)",
                answers.scheduled_changes(),
                order=["next_change_at"],
                detail=_scheduled,
                more="schedule=scheduled",
                anchor="#review-cycle",
            )
        )
    if edits:
        lists.append(_releases())
    if edits and user.has_perm("answers.view_readerfeedback"):
        lists.append(_feedback_queue())
    if user.has_perm("answers.review_glossaryterm"):
        lists.append(_glossary_reviews())
    return lists


def _my_steps(user):
    """For members of a route's group who are not clinicians (lay readers, legal): the
    answers whose current step is theirs to take."""
    candidates = (
        Answer.objects.awaiting_review()
        .filter(question__topic__review_steps__group__in=user.groups.all())
        .exclude(writers=user)
        .distinct()
        .select_related("question")
        .order_by("submitted_at", "pk")
    )
    mine = [
        answer
        for answer in candidates
        if not answer.refusals(Action.MARK_REVIEWED, user)
        or not answer.refusals(Action.APPROVE, user)
    ]
    steps = step_labels(mine)
    items = [
        WorkItem(
            title=answer.question.text,
            url=reverse("admin:answers_answer_review", args=[answer.pk]),
            detail=f"submitted {_day(timezone.localtime(answer.submitted_at))}; "
            f"{steps.get(answer.pk, '')}",
        )
        for answer in mine[:SHOWN]
    ]
    return WorkList("my_steps", "Waiting for my review step", len(mine), items, "")


def _releases():
    """Releases not yet published, the next to go live first, with how many of their
    answers are signed off and, after a failed attempt, that nothing went live."""
    waiting = (
        Release.objects.open()
        .annotate(
            answers=Count("members"),
            signed=Count("members", filter=Q(members__answer__status=Answer.Status.APPROVED)),
        )
        .order_by(F("publish_at").asc(nulls_last=True), "pk")
    )
    now = timezone.now()
    items = []
    for release in waiting[:SHOWN]:
        if release.publish_at is None:
            when = "goes live on command"
        elif release.publish_at > now:
            when = f"will go live on {_moment(release.publish_at)}"
        else:
            when = f"was due on {_moment(release.publish_at)}"
        detail = f"{when}; {release.signed} of {release.answers} answers signed off"
        if release.last_failure:
            detail += (
                f"; not published on {_moment(release.last_failure_at)}: "
                f"{len(release.last_failure)} problem{'s' if len(release.last_failure) != 1 else ''}"
            )
        items.append(
            WorkItem(
                title=release.name,
                url=reverse("admin:answers_release_change", args=[release.pk]),
                detail=detail,
            )
        )
    count = len(items) if len(items) < SHOWN else waiting.count()
    url = reverse("admin:answers_release_changelist")
    return WorkList("releases", "Releases not yet published", count, items, url)


def _glossary_reviews():
    """Definitions waiting for a clinician (their page says who may not sign one)."""
    waiting = GlossaryTerm.objects.waiting_for_review().order_by("updated_at", "pk")
    items = [
        WorkItem(
            title=term.term,
            url=reverse("admin:answers_glossaryterm_change", args=[term.pk]),
            detail=f"submitted {_day(timezone.localtime(term.updated_at))}",
        )
        for term in waiting[:SHOWN]
    ]
    count = len(items) if len(items) < SHOWN else waiting.count()
    url = reverse("admin:answers_glossaryterm_changelist") + "?status__exact=in_review"
    return WorkList("glossary", "Glossary definitions waiting for review", count, items, url)


def _feedback_queue():
    queue = (
        ReaderFeedback.objects.filter(kind=ReaderFeedback.Kind.PROBLEM, resolved=False)
        .select_related("answer__question")
        .order_by("created_at", "pk")
    )
    items = [
        WorkItem(
            title=feedback.answer.question.text,
            url=reverse("admin:answers_problemreport_change", args=[feedback.pk]),
            detail=f"reported {_day(timezone.localtime(feedback.created_at))}: "
            + (feedback.message[:100] or "no message"),
        )
        for feedback in queue[:SHOWN]
    ]
    count = len(items) if len(items) < SHOWN else queue.count()
    url = reverse("admin:answers_problemreport_changelist") + "?state=open"
    return WorkList("feedback", "Reader problem reports", count, items, url)


@dataclass
class Alert:
    text: str
    url: str
    link_text: str


def alerts(user, *, now=None) -> list[Alert]:
    """What is wrong with the machinery this person's work relies on: for editors and
    clinicians, a retraction watch that has not completed for RETRACTION_WATCH_STALE_DAYS."""
    if not (user.has_perm("answers.review_answer") or user.has_perm("answers.withdraw_answer")):
        return []
    found = [retraction_watch_alert(now=now)]
    if is_editor(user):
        found.append(overdue_releases_alert(now=now))
    return [alert for alert in found if alert]


def overdue_releases_alert(*, now=None) -> Alert | None:
    """A release whose set time has passed and that is still not live: it failed (its page
    says why) or the task worker is not running."""
    overdue = list(Release.objects.due(now=now).order_by("publish_at")[:3])
    if not overdue:
        return None
    names = ", ".join(f"“{r.name}” (due {_moment(r.publish_at)})" for r in overdue)
    return Alert(
        f"Not live although their time has come: {names}. Each release's page says what "
        "stopped it; if it says nothing, the task worker is not running.",
        reverse("admin:answers_release_changelist"),
        "Releases",
    )


def retraction_watch_alert(*, now=None) -> Alert | None:
    """None while the last check of every reference is recent enough; a run that could not
    check them all (Crossref down, say) does not count as completed. Nothing is said before
    the watch first ran: Scheduled runs shows a job that is late."""
    now = now or timezone.now()
    limit = timedelta(days=settings.RETRACTION_WATCH_STALE_DAYS)
    last = (
        RetractionCheck.objects.completed()
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
    ).first()
    url = reverse("admin:citations_retractioncheck_changelist")
    consequence = (
        "studies retracted or put under an expression of concern since then are not flagged. "
        "Tell whoever runs the site; each run says what went wrong under"
    )
    if last is not None:
        if now - last <= limit:
            return None
        days = (now - last).days
        return Alert(
            f"The retraction watch has not completed for {days} day{'s' if days != 1 else ''} "
            f"(last complete check {_moment(last)}): {consequence}",
            url,
            "Retraction checks",
        )
    first = RetractionCheck.objects.order_by("started_at").values_list("started_at", flat=True)
    first = first.first()
    if first is None or now - first <= limit:
        return None
    days = (now - first).days
    return Alert(
        f"The retraction watch has not completed since it first ran {days} day"
        f"{'s' if days != 1 else ''} ago: {consequence}",
        url,
        "Retraction checks",
    )


def unread_notifications(user) -> int:
    return Notification.objects.for_user(user).unread().count()
