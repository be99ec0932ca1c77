"""Who hears about what happens to an answer, and in which words. Runs in the worker
(`notifications.tasks.announce`, which calls `announce` below), after the change committed; each notification is then
emailed by its own task (`notifications.tasks`). Never to the person who acted, never a
kind the recipient turned off."""

from datetime import date

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from citations.models import ReferenceNotice
from notifications.models import (
    Notification,
    NotificationKind,
    NotificationOptOut,
    ReviewReminder,
)
from notifications.tasks import announce as announce_task
from notifications.tasks import send_notification_email
from ops.tasks import enqueue_on_commit

from .models import Answer, StepKind, Translation, medical_reviewers
from .people import display_name
from .roles import EDITORS

Kind = NotificationKind


def editors():
    return get_user_model().objects.filter(is_active=True, groups__name=EDITORS)


def last_reviewer(answer):
    signoff = answer.signoffs.select_related("reviewer").order_by("-created_at").first()
    return signoff.reviewer if signoff else None


def writers_of(answer):
    people = list(answer.writers.filter(is_active=True))
    if answer.submitted_by and answer.submitted_by.is_active:
        people.append(answer.submitted_by)
    return people


def step_takers(answer, progress):
    """Who may take the current step of a routed review: its group's active members, not
    the answer's writers, and nobody who took a step of this submission already."""
    state = progress.current
    if state is None or progress.problems:
        return []
    excluded = answer.contributors_since_publication() | progress.people
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups=state.step.group_id)
        .exclude(pk__in=excluded)
        .distinct()
    )


def recipients(kind, answer):
    if kind == Kind.SUBMITTED:
        progress = answer.route_progress()
        if progress is not None:
            return step_takers(answer, progress)
        if answer.assigned_reviewer:
            return [answer.assigned_reviewer]
        return list(answer.reviewer_candidates())
    if kind == Kind.CHANGES_REQUESTED:
        return writers_of(answer)
    if kind in (Kind.APPROVED, Kind.WITHDRAWN, Kind.RETRACTION):
        return [*writers_of(answer), last_reviewer(answer)]
    if kind in (Kind.REVIEW_DUE_30, Kind.REVIEW_DUE_7, Kind.REVIEW_OVERDUE):
        return [last_reviewer(answer), *editors()]
    if kind == Kind.PROBLEM_REPORTED:
        return list(editors())
    if kind == Kind.LINK_BROKEN:
        return writers_of(answer)
    if kind == Kind.RECALLED:
        return [answer.assigned_reviewer]
    raise ValueError(f"Unknown notification kind: {kind}")


def _day(value):
    return date_format(value, "j F Y")


def _part_comments(section_comments):
    """The clinician's comments on parts, as the changes-requested text lists them."""
    if not section_comments:
        return ""
    parts = "\n".join(f"- {part}: {text}" for part, text in section_comments)
    return f"\nComments on parts of the answer:\n{parts}\n"


def message(
    kind,
    answer,
    *,
    actor,
    comment="",
    section_comments=(),
    reassigned=False,
    notice=None,
    due_date=None,
):
    """The subject, the text (with the comment itself) and the page to open."""
    question = answer.question.text
    who = display_name(actor) if actor else "Someone"
    change_url = reverse("admin:answers_answer_change", args=[answer.pk])
    quoted = f"\n\n{comment}\n" if comment else ""
    if kind == Kind.SUBMITTED:
        review_url = reverse("admin:answers_answer_review", args=[answer.pk])
        if reassigned:
            text = f"{who} asked you to review “{question}”."
        elif answer.assigned_reviewer and answer.assigned_reviewer_id == (
            answer.changes_requested_by_id
        ):
            text = (
                f"{who} made changes to “{question}” after you sent it back, and submitted it "
                "again for your review. The review page shows what changed since your round."
            )
        elif answer.assigned_reviewer:
            text = f"{who} submitted “{question}” for medical review and asked you to review it."
        else:
            text = (
                f"{who} submitted “{question}” for medical review. It is not assigned to anyone: "
                "any medical reviewer who did not write it may review it."
            )
        progress = answer.route_progress()
        if progress is not None and progress.current is not None:
            state = progress.current
            action = "sign it off" if state.step.kind == StepKind.SIGN_OFF else "mark it reviewed"
            text = (
                f"“{question}” is waiting for {state.label}: it is your group's turn. Read it "
                f"on the review page, then {action}."
            )
            return f"Waiting for your review ({state.label}): {question}", text, review_url
        text += " Check the content and its sources, then approve it or request changes."
        return f"Waiting for your review: {question}", text, review_url
    if kind == Kind.CHANGES_REQUESTED:
        text = (
            f"{who} asked for changes to “{question}”:{quoted}{_part_comments(section_comments)}\n"
            "Make the changes, then submit it for medical review again."
        )
        return f"Changes requested: {question}", text, change_url
    if kind == Kind.APPROVED:
        due = (
            f" It is due for review again on {_day(answer.next_review_due)}."
            if answer.next_review_due
            else ""
        )
        note = f" Their comment:{quoted}" if comment else ""
        text = f"{who} approved “{question}”: the public page shows this version.{due}{note}"
        return f"Approved and published: {question}", text.rstrip(), change_url
    if kind == Kind.WITHDRAWN:
        text = (
            f"{who} withdrew “{question}” from the public site. The reason:{quoted}\n"
            "The content is kept as a draft. To publish it again, a writer revises it and "
            "submits it for medical review."
        )
        return f"Withdrawn: {question}", text, change_url
    if kind in (Kind.REVIEW_DUE_30, Kind.REVIEW_DUE_7):
        text = (
            f"“{question}” is due for its medical review on {_day(due_date)}. A clinician "
            "should check it is still accurate, or a writer should update it."
        )
        return f"{Kind(kind).label}: {question}", text, change_url
    if kind == Kind.REVIEW_OVERDUE:
        text = (
            f"The medical review of “{question}” was due on {_day(due_date)} and is overdue. "
            "The public page still shows when it was last reviewed."
        )
        return f"Review overdue: {question}", text, change_url
    if kind == Kind.PROBLEM_REPORTED:
        said = quoted or "\n\n(The reader left no message.)\n"
        text = (
            f"A reader reported a problem with “{question}”:{said}\n"
            "Work on it in Reader problem reports: assign it, pass it to the writers if the "
            "answer needs changing, and close it with its outcome."
        )
        return f"A reader reported a problem: {question}", text, change_url
    if kind == Kind.RETRACTION:
        label = (
            answer.citations.filter(reference=notice.reference)
            .values_list("label", flat=True)
            .first()
        )
        where = f" (notice: {notice.link})" if notice.link else ""
        text = (
            f"The retraction watch found a {notice.get_kind_display().lower()} for reference "
            f"[{label}] ({notice.reference.short_citation}), cited by “{question}”{where}. Approval is blocked "
            "until a clinician records how it was handled, and readers of the public page see "
            "a notice beside that reference until a new version is approved."
        )
        return f"{notice.get_kind_display()}: a study cited by “{question}”", text, change_url
    if kind == Kind.RECALLED:
        text = (
            f"{who} took “{question}” back before review, to change it. It is a draft again: "
            "nothing waits for you until it is submitted again."
        )
        return f"Taken back before review: {question}", text, change_url
    if kind == Kind.LINK_BROKEN:
        text = (
            f"A link readers follow from “{question}” stopped working:{quoted}\n"
            "Change or remove it, then submit the answer for medical review. The list of "
            "broken links shows every answer using it."
        )
        return f"A link stopped working: {question}", text, change_url
    raise ValueError(f"Unknown notification kind: {kind}")


def announce(
    *,
    kind,
    answer_id,
    actor_id=None,
    comment="",
    section_comments=(),
    reassigned=False,
    notice_id=None,
    due_date=None,
    step=None,
    event="",
):
    """Create the notifications of one event (`event`: its key, on each of them) and
    enqueue their emails; returns them."""
    kind = Kind(kind)
    due_date = date.fromisoformat(due_date) if due_date else None
    answer = (
        Answer.objects.select_related("question", "assigned_reviewer", "submitted_by")
        .filter(pk=answer_id)
        .first()
    )
    if answer is None:
        return []
    if kind == Kind.SUBMITTED and answer.status != Answer.Status.IN_REVIEW:
        return []  # approved, sent back or withdrawn before the worker got to it
    if step is not None:
        progress = answer.route_progress()
        current = progress.current if progress is not None else None
        if current is None or current.number != step:
            return []  # the route moved on (or changed) before the worker got to it
    User = get_user_model()
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    notice = (
        ReferenceNotice.objects.select_related("reference").get(pk=notice_id) if notice_id else None
    )
    subject, text, link = message(
        kind,
        answer,
        actor=actor,
        comment=comment,
        section_comments=section_comments,
        reassigned=reassigned,
        notice=notice,
        due_date=due_date,
    )
    return _deliver(
        kind,
        answer,
        recipients(kind, answer),
        actor=actor,
        subject=subject,
        text=text,
        link=link,
        event=event,
    )


def _deliver(kind, answer, people, *, actor, subject, text, link, event):
    """One notification per active person concerned (never the actor, nor who opted out of
    this kind), each with its email enqueued; returns them."""
    people = {user.pk: user for user in people if user is not None and user.is_active}
    people.pop(actor.pk if actor else None, None)
    muted = set(
        NotificationOptOut.objects.filter(kind=kind, user__in=people).values_list("user", flat=True)
    )
    created = []
    with transaction.atomic():
        for user in people.values():
            if user.pk in muted:
                continue
            notification = Notification.objects.create(
                recipient=user,
                kind=kind,
                answer=answer,
                actor=actor,
                subject=subject[:300],
                text=text,
                link=link,
                event=event,
            )
            enqueue_on_commit(send_notification_email, notification.pk)
            created.append(notification)
    return created


def announce_translation(*, kind, translation_id, actor_id=None, comment="", event=""):
    """A translation's events: submitted (the clinicians who declared its language and did
    not write it), sent back or approved (its translators)."""
    kind = Kind(kind)
    translation = (
        Translation.objects.select_related("answer__question").filter(pk=translation_id).first()
    )
    if translation is None:
        return []
    if kind == Kind.SUBMITTED and translation.status != Translation.Status.IN_REVIEW:
        return []  # approved or sent back before the worker got to it
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    by = display_name(actor) if actor else "Someone"
    language = translation.language_name
    question = translation.answer.question.text
    if kind == Kind.SUBMITTED:
        wrote = set(translation.contributors_since_publication())
        people = [
            user
            for user in medical_reviewers()
            if user.pk not in wrote
            and getattr(user, "contributor", None) is not None
            and user.contributor.works_in(translation.language)
        ]
        subject = f"{language} translation waiting for your review: {question}"
        text = (
            f"{by} submitted the {language} translation of “{question}” for medical review. "
            f"You declared {language} on your contributor profile, so you may sign it off."
        )
    elif kind == Kind.CHANGES_REQUESTED:
        people = list(translation.writers.all())
        subject = f"Changes requested to the {language} translation: {question}"
        text = f"{by} asked for changes to the {language} translation of “{question}”." + (
            f"\n\n{comment}" if comment else ""
        )
    elif kind == Kind.APPROVED:
        people = list(translation.writers.all())
        subject = f"{language} translation approved and published: {question}"
        text = f"{by} signed off the {language} translation of “{question}”; readers see it now."
    else:
        raise ValueError(f"No translation notification of kind {kind}")
    return _deliver(
        kind,
        translation.answer,
        people,
        actor=actor,
        subject=subject,
        text=text,
        link=translation.review_link(),
        event=event,
    )


REMINDER_WINDOWS = [(Kind.REVIEW_DUE_30, 30), (Kind.REVIEW_DUE_7, 7)]


def review_reminders_due(*, today=None):
    """(answer, kind, due date) for every reminder that should have gone out by `today`:
    the nearest window only, so an answer found 5 days before its date is not also told
    it has 30 days."""
    today = today or timezone.localdate()
    due = []
    for answer in Answer.objects.review_overdue(today=today).order_by("next_review_due"):
        due.append((answer, Kind.REVIEW_OVERDUE, answer.next_review_due))
    seen = set()
    for kind, days in sorted(REMINDER_WINDOWS, key=lambda w: w[1]):
        for answer in Answer.objects.review_due_within(days, today=today).order_by(
            "next_review_due"
        ):
            if answer.pk not in seen:
                seen.add(answer.pk)
                due.append((answer, kind, answer.next_review_due))
    return due


def send_review_reminders(*, today=None):
    """Record and announce each reminder not sent before (once per answer, kind and due
    date, however often this runs); returns the reminders sent."""
    sent = []
    for answer, kind, due_date in review_reminders_due(today=today):
        try:
            with transaction.atomic():
                reminder = ReviewReminder.objects.create(
                    answer=answer, kind=kind, due_date=due_date
                )
                enqueue_on_commit(
                    announce_task,
                    about="answer",
                    kind=kind.value,
                    answer_id=answer.pk,
                    due_date=due_date.isoformat(),
                )
        except IntegrityError:  # sent before
            continue
        sent.append(reminder)
    return sent


def announce_notices(*, notices):
    """Tell the writers and last reviewer of every answer citing a newly recorded
    retraction, withdrawal or expression of concern."""
    count = 0
    for notice in notices:
        if notice.kind not in notice.BLOCKING_KINDS:
            continue
        answer_ids = Answer.objects.filter(citations__reference=notice.reference_id).values_list(
            "pk", flat=True
        )
        for answer_id in answer_ids.distinct():
            enqueue_on_commit(
                announce_task,
                about="answer",
                kind=Kind.RETRACTION.value,
                answer_id=answer_id,
                notice_id=notice.pk,
                # One announcement per notice and answer, however often the watch reruns.
                event_key=f"retraction:{notice.pk}:{answer_id}",
            )
            count += 1
    return count


def announce_broken_links(links):
    """Tell the writers of each live answer using a link that has just broken (once per
    link, answer and breakage, however often the check runs)."""
    count = 0
    for link in links:
        what = f"{link.url} ({link.error or f'HTTP {link.http_status}'})"
        for answer_id in link.answers.values_list("pk", flat=True):
            enqueue_on_commit(
                announce_task,
                about="answer",
                kind=Kind.LINK_BROKEN.value,
                answer_id=answer_id,
                comment=what,
                event_key=f"link:{link.pk}:{answer_id}:{link.broken_since:%Y%m%d%H%M%S}",
            )
            count += 1
    return count
