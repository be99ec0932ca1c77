"""Releases: answers an editor groups so they go live together (a guideline change touches
many at once). Each member is reviewed and signed off on its own, as any answer; a signed
member is held (status "approved", not public) until the release is published, at its set
time by the task worker or on command, all members in one transaction and one purge, or
none, with each member's reason. A published release can be taken back as a whole.

Held content is locked: the writer cannot change an answer approved for a release (the
sign-off would no longer be what goes live); an editor may take it out of the release,
which voids the held sign-off and makes it a draft again."""

import logging

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.tasks import task
from django.utils import timezone
from django.utils.dateformat import format as date_format

from audit.models import ChainedRecord
from ops.purge import one_purge
from ops.tasks import enqueue_on_commit

from ..checklist import review_checklist
from ..people import display_name
from .choices import AnswerStatus
from .errors import WorkflowError
from .publication import PublishedAnswer
from .translations import source_approved, source_restored, source_withdrawn


class ReleaseError(WorkflowError):
    """A release action was refused; for a failed publication, `failures` pairs each member
    that stopped it with why (nothing was published)."""

    def __init__(self, problems, *, failures=()):
        self.failures = list(failures)
        super().__init__(problems)


class ReleaseState(models.TextChoices):
    OPEN = "open", "Not yet released"
    PUBLISHED = "published", "Published"
    TAKEN_BACK = "taken_back", "Taken back"


def _when(moment) -> str:
    """My work's one format for a moment, its time zone named: "3 Dec 2026, 14:05 UTC"."""
    return date_format(timezone.localtime(moment), "j M Y, H:i T")


class ReleaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=ReleaseState.OPEN)

    def due(self, *, now=None):
        """Open releases whose set time has come: the task worker publishes them."""
        return self.open().filter(publish_at__lte=now or timezone.now())


class Release(models.Model):
    State = ReleaseState

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(
        blank=True, help_text="Why these answers change together, e.g. the guideline behind it."
    )
    publish_at = models.DateTimeField(
        "go live at",
        null=True,
        blank=True,
        help_text="When every answer in it goes live together; empty: only on command.",
    )
    state = models.CharField(
        max_length=20, choices=ReleaseState, default=ReleaseState.OPEN, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text="Empty when the task worker published it at its set time.",
    )
    taken_back_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_failure = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Why the last attempt to publish it failed: [{answer, question, reason}].",
    )
    last_failure_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["state", "publish_at", "name"]
        permissions = [("publish_release", "Can publish and take back releases")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ReleaseState.values), name="release_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=ReleaseState.PUBLISHED) | Q(published_at__isnull=False),
                name="release_published_has_time",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_open(self) -> bool:
        return self.state == ReleaseState.OPEN

    def status_text(self) -> str:
        if self.state == ReleaseState.PUBLISHED:
            return f"Published {_when(self.published_at)}"
        if self.state == ReleaseState.TAKEN_BACK:
            return f"Taken back {_when(self.taken_back_at)}"
        if self.publish_at:
            if self.publish_at <= timezone.now():
                return f"Was due {_when(self.publish_at)}: not yet published"
            return f"Will go live {_when(self.publish_at)}"
        return "Not yet released: goes live on command"

    def _locked(self):
        return type(self).objects.select_for_update().get(pk=self.pk)

    def _log(self, kind, *, by, detail, answers=()):
        ReleaseEvent.objects.create(
            release=self,
            kind=kind,
            by=by,
            at=timezone.now(),
            detail=detail,
            answers=list(answers),
        )

    # --- membership ----------------------------------------------------------

    def add(self, answer, *, by):
        """Editor: put `answer` in this open release. An answer waits for one release at a time."""
        with transaction.atomic():
            release = self._locked()
            release._refuse_unless_open(by)
            other = ReleaseMember.objects.filter(answer=answer, pending=True).first()
            if other is not None:
                if other.release_id == release.pk:
                    return other
                raise ReleaseError(
                    f"“{answer}” is already in release “{other.release}”: take it out there first."
                )
            member = ReleaseMember.objects.create(release=release, answer=answer)
            release._log(
                ReleaseEvent.Kind.MEMBER_ADDED,
                by=by,
                detail=f"Added “{answer}”",
                answers=[_answer_entry(answer)],
            )
            answer.record_event(by=by, reason=f"Added to release “{release.name}”")
            return member

    def remove(self, answer, *, by):
        """Editor: take `answer` out of this open release. If it was approved and waiting, its
        held sign-off is void (it was given for a release) and it is a draft again."""
        Answer = _answer_model()

        with transaction.atomic():
            release = self._locked()
            release._refuse_unless_open(by)
            member = ReleaseMember.objects.filter(release=release, answer=answer).first()
            if member is None:
                raise ReleaseError(f"“{answer}” is not in release “{release.name}”.")
            locked = Answer.objects.select_for_update().get(pk=answer.pk)
            member.delete()
            detail = f"Took out “{locked}”"
            if locked.status == AnswerStatus.APPROVED:
                locked.status = AnswerStatus.DRAFT
                locked._record(
                    by=by,
                    reason=f"Taken out of release “{release.name}”: the sign-off held for it "
                    "is void; submit it again for medical review",
                )
                detail += " (its held sign-off is void: it is a draft again)"
            else:
                locked.record_event(by=by, reason=f"Taken out of release “{release.name}”")
            release._log(
                ReleaseEvent.Kind.MEMBER_REMOVED,
                by=by,
                detail=detail,
                answers=[_answer_entry(locked)],
            )
        answer.refresh_from_db()

    def schedule(self, publish_at, *, by):
        """Editor: set or clear the time it goes live (the task worker publishes it then)."""
        with transaction.atomic():
            release = self._locked()
            release._refuse_unless_open(by)
            if publish_at is not None and publish_at <= timezone.now():
                raise ReleaseError(
                    "Go live at must be in the future: leave it empty to publish on command."
                )
            if publish_at == release.publish_at:
                return
            release.publish_at = publish_at
            release.save(update_fields=["publish_at"])
            release._log(
                ReleaseEvent.Kind.SCHEDULED,
                by=by,
                detail=f"Set to go live {_when(publish_at)}" if publish_at else "Set time cleared",
            )
            if publish_at is not None:
                release._enqueue_publication()
        self.refresh_from_db()

    def _enqueue_publication(self):
        enqueue_on_commit(publish_due_releases.using(run_after=self.publish_at))

    def _refuse_unless_open(self, by):
        if by is not None and not _may_manage(by):
            raise ReleaseError("Only editors manage releases.")
        if not self.is_open:
            raise ReleaseError(
                f"Release “{self.name}” is {self.get_state_display().lower()}: its answers "
                "cannot change. Make a new release."
            )

    # --- publishing ----------------------------------------------------------

    def member_problems(self, member) -> list[str]:
        """Why this member cannot go live now; empty when it can."""
        answer = member.answer
        if answer.status == AnswerStatus.IN_REVIEW:
            return ["not yet signed off: it is in medical review"]
        if answer.status != AnswerStatus.APPROVED or member.signoff_id is None:
            return ["not yet signed off: it is a draft, not submitted for medical review"]
        problems = []
        if answer.content_hash() != member.signoff.content_hash:
            problems.append(
                "its content changed since the clinician signed it off (a cited reference "
                "changed): it must be reviewed again"
            )
        problems += [
            f"blocked by its checklist: {problem}"
            for problem in review_checklist(answer).blocking_approval()
        ]
        return problems

    def publish(self, *, by=None, now=None):
        """Publish every member together, or none. `by` None is the task worker at the set
        time (or the command). Returns the publications; raises ReleaseError naming each
        member that stopped it, after recording the failure (audit log, the release page)."""
        Answer = _answer_model()

        now = now or timezone.now()
        try:
            with transaction.atomic():
                release = self._locked()
                if by is not None and not _may_manage(by):
                    raise ReleaseError("Only editors publish releases.")
                if not release.is_open:
                    raise ReleaseError(
                        f"Release “{release.name}” is already {release.get_state_display().lower()}"
                        + (f" ({_when(release.published_at)})" if release.published_at else "")
                        + ": nothing was published again."
                    )
                members = list(release.members.select_related("signoff").order_by("answer_id"))
                if not members:
                    raise ReleaseError("This release has no answers: add some first.")
                answers = Answer.objects.select_for_update().in_bulk([m.answer_id for m in members])
                failures = []
                for member in members:
                    member.answer = answers[member.answer_id]
                    failures += [
                        (member.answer, reason) for reason in release.member_problems(member)
                    ]
                if failures:
                    raise _failed(release, failures)
                publications = []
                with one_purge():
                    for member in members:
                        try:
                            with transaction.atomic():
                                publications.append(
                                    member.answer._publish_held(
                                        member, release=release, by=by, now=now
                                    )
                                )
                        except (IntegrityError, ValueError) as error:
                            raise _failed(
                                release, [(member.answer, f"it could not be published: {error}")]
                            ) from error
                    release.state = ReleaseState.PUBLISHED
                    release.published_at, release.published_by = now, by
                    release.last_failure, release.last_failure_at = [], None
                    release.save()
                    ReleaseMember.objects.filter(release=release).update(pending=False)
                    release._log(
                        ReleaseEvent.Kind.PUBLISHED,
                        by=by,
                        detail=f"Published {len(members)} answers together"
                        + ("" if by else " at the set time"),
                        answers=[_answer_entry(m.answer) for m in members],
                    )
        except ReleaseError as error:
            if error.failures:
                self._record_failure(error, by=by)
            raise
        self.refresh_from_db()
        return publications

    def _record_failure(self, error, *, by):
        """After the rollback: the release says why it did not go live, and the audit log too."""
        with transaction.atomic():
            release = self._locked()
            release.last_failure = [
                {"answer": answer.pk, "question": str(answer), "reason": reason}
                for answer, reason in error.failures
            ]
            release.last_failure_at = timezone.now()
            release.save(update_fields=["last_failure", "last_failure_at"])
            release._log(
                ReleaseEvent.Kind.PUBLISH_FAILED,
                by=by,
                detail=f"Nothing was published; {len(error.failures)} "
                f"problem{'s' if len(error.failures) != 1 else ''}",
                answers=release.last_failure,
            )
        self.refresh_from_db()

    def take_back(self, *, by, reason):
        """Editor: undo a published release as a whole: each member shows its previous public
        version again, or is withdrawn if it had none; the answers become drafts."""
        Answer = _answer_model()

        reason = " ".join((reason or "").split())
        with transaction.atomic():
            release = self._locked()
            if not _may_manage(by):
                raise ReleaseError("Only editors take back releases.")
            if release.state != ReleaseState.PUBLISHED:
                raise ReleaseError(
                    f"Only a published release can be taken back: “{release.name}” is "
                    f"{release.get_state_display().lower()}."
                )
            if not reason:
                raise ReleaseError("Say why it is taken back: the reason is required.")
            members = list(release.members.order_by("answer_id"))
            answers = Answer.objects.select_for_update().in_bulk([m.answer_id for m in members])
            entries = []
            with one_purge():
                for member in members:
                    answer = answers[member.answer_id]
                    outcome = answer._take_back_release(
                        member, release=release, by=by, reason=reason
                    )
                    entries.append({**_answer_entry(answer), "outcome": outcome})
                release.state = ReleaseState.TAKEN_BACK
                release.taken_back_at = timezone.now()
                release.save()
                release._log(
                    ReleaseEvent.Kind.TAKEN_BACK,
                    by=by,
                    detail=f"Taken back: {reason}",
                    answers=entries,
                )
        self.refresh_from_db()
        return entries


def _failed(release, failures):
    names = "; ".join(f"“{answer}”: {reason}" for answer, reason in failures)
    return ReleaseError(
        f"Nothing in release “{release.name}” was published, because {names}.",
        failures=failures,
    )


def _answer_entry(answer) -> dict:
    return {"answer": answer.pk, "question": str(answer)}


def _answer_model():
    return ReleaseMember._meta.get_field("answer").related_model


def _may_manage(user) -> bool:
    from ..roles import is_editor

    return is_editor(user)


class ReleaseMember(models.Model):
    """An answer in a release; `signoff` is the clinician's sign-off held for it, and
    `previous` the public snapshot it replaced when the release went live (for taking back)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="members")
    answer = models.ForeignKey(
        "answers.Answer", on_delete=models.CASCADE, related_name="release_memberships"
    )
    pending = models.BooleanField(
        default=True, help_text="The release has not gone live yet: the answer waits for it."
    )
    signoff = models.ForeignKey(
        "answers.SignOff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    previous = models.JSONField(
        null=True,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text="The public snapshot the release replaced, restored if it is taken back; "
        "empty when the answer was not public before.",
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["release", "answer_id"]
        constraints = [
            models.UniqueConstraint(fields=["release", "answer"], name="release_member_once"),
            # An answer waits for one release at a time.
            models.UniqueConstraint(
                fields=["answer"], condition=Q(pending=True), name="release_member_one_pending"
            ),
        ]

    def __str__(self):
        return f"{self.answer} in {self.release}"


SNAPSHOT_SKIPPED = {"id", "answer", "search_vector", "article_html"}


def snapshot_state(publication) -> dict:
    """A public snapshot's stored values, to put back when a release is taken back."""
    fields = [f for f in publication._meta.concrete_fields if f.name not in SNAPSHOT_SKIPPED]
    state = {f.attname: f.value_from_object(publication) for f in fields}
    state["writers"] = list(publication.writers.values_list("pk", flat=True))
    return state


def restore_snapshot(publication, state) -> PublishedAnswer:
    for field in publication._meta.concrete_fields:
        if field.attname in state:
            setattr(publication, field.attname, field.to_python(state[field.attname]))
    publication.save()
    publication.writers.set(state.get("writers", []))
    return publication


class ReleaseEvent(ChainedRecord):
    """The release's audit log: what happened, by whom, and to which answers (with each
    one's reason or outcome), chained like the answers' own audit log."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        MEMBER_ADDED = "member_added", "Answer added"
        MEMBER_REMOVED = "member_removed", "Answer taken out"
        SCHEDULED = "scheduled", "Time set"
        PUBLISHED = "published", "Published"
        PUBLISH_FAILED = "publish_failed", "Not published"
        TAKEN_BACK = "taken_back", "Taken back"

    audit_when, audit_who, audit_subject = "at", "by_id", "release_id"

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: the task worker at the set time, or a command.",
    )
    at = models.DateTimeField()
    detail = models.TextField()
    answers = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "created",
                        "member_added",
                        "member_removed",
                        "scheduled",
                        "published",
                        "publish_failed",
                        "taken_back",
                    ]
                ),
                name="release_event_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.release}: {self.get_kind_display()}"

    @property
    def actor(self) -> str:
        return display_name(self.by) if self.by else "the scheduled task"


class AnswerReleases:
    """`Answer`'s part in releases (a mixin): held sign-offs, publishing with the release,
    taking it back."""

    def pending_release_member(self):
        """The membership of the release this answer waits for, or None."""
        return (
            ReleaseMember.objects.filter(answer=self, pending=True)
            .select_related("release")
            .first()
        )

    def _publish_signed(self, signoff, go_live_at, *, by, note=""):
        """The one decision after a sign-off: publish it now (or at `go_live_at`), or, for an
        answer in a release not yet published, hold it (signed, not public) for the release."""
        member = self.pending_release_member()
        if member is not None:
            member.signoff = signoff
            member.save(update_fields=["signoff"])
            self.status = AnswerStatus.APPROVED
            self._record(by=by, reason=f"Approved, waiting for release “{member.release}”{note}")
            return None
        self.status = AnswerStatus.PUBLISHED
        when = f" (goes live {timezone.localtime(go_live_at):%d %b %Y %H:%M})" if go_live_at else ""
        self._record(by=by, reason=f"Approved and published{when}{note}")
        publication = PublishedAnswer.publish(self, signoff=signoff, live_from=go_live_at)
        source_approved(self, signoff=signoff)
        return publication

    def _publish_held(self, member, *, release, by, now):
        """Publish the sign-off held for `release`, keeping the snapshot it replaces."""
        previous = PublishedAnswer.objects.filter(answer=self).first()
        member.previous = snapshot_state(previous) if previous is not None else None
        member.save(update_fields=["previous"])
        publication = PublishedAnswer.publish(self, signoff=member.signoff, live_from=now)
        source_approved(self, signoff=member.signoff)
        self.status = AnswerStatus.PUBLISHED
        self._record(by=by, reason=f"Published with release “{release.name}”")
        return publication

    def _take_back_release(self, member, *, release, by, reason) -> str:
        """Show the snapshot the release replaced again, or withdraw the page if there was
        none; the answer, whose content is the release's, becomes a draft. Returns what
        happened, in words."""
        publication = PublishedAnswer.objects.select_for_update().get(answer=self)
        if publication.signoff_id != member.signoff_id:
            raise ReleaseError(
                f"“{self}” was approved again after the release went live: taking the release "
                "back would hide that later version. Withdraw or change that answer on its own."
            )
        if member.previous is not None:
            restore_snapshot(publication, member.previous)
            source_restored(
                self,
                signoff=publication.signoff,
                by=by,
                why=f"release “{release.name}” was taken back",
            )
            outcome = "its previous public version is shown again"
        else:
            publication.withdrawn_at = timezone.now()
            publication.withdrawn_by = by
            publication.withdrawn_reason = f"Release “{release.name}” taken back: {reason}"
            publication.save()
            source_withdrawn(self, by=by, reason=publication.withdrawn_reason)
            outcome = "withdrawn: it had no earlier public version"
        if self.status == AnswerStatus.PUBLISHED and (
            publication.withdrawn_at or publication.content_hash != self.content_hash()
        ):
            self.status = AnswerStatus.DRAFT
        self._record(by=by, reason=f"Release “{release.name}” taken back ({reason}): {outcome}")
        return outcome


logger = logging.getLogger(__name__)


@task
def publish_due_releases():
    """Publish each release whose set time has come (enqueued to run at that time when the
    time is set). A release that cannot go live records why and stays unpublished; running
    again retries it, and a release already published is never published twice."""
    published, failed = [], []
    for release in Release.objects.due():
        try:
            release.publish(by=None)
        except ReleaseError as error:
            logger.warning("Release %s was not published: %s", release.pk, error)
            failed.append(f"“{release.name}”: {error}")
        else:
            published.append(f"“{release.name}”")
    summary = f"Published {', '.join(published)}." if published else "No release was published."
    if failed:
        summary += " Not published: " + " ".join(failed)
    return {"published": len(published), "failed": len(failed), "summary": summary}


def send_renamed_topic_for_review(topic, *, old_name, by):
    """After a topic is renamed: its published answers still show the old name (it is part
    of the signed content) until approved again. Put them in one new release and submit
    those whose only change is the name; say what happened to each. Returns (release, notes)."""
    Answer = _answer_model()
    published = PublishedAnswer.objects.filter(
        answer=OuterRef("pk"), topic=topic, withdrawn_at__isnull=True
    )
    answers = list(
        Answer.objects.filter(Exists(published)).select_related("question").order_by("pk")
    )
    base = f"Topic renamed: {old_name} → {topic.name}"[:180]
    name, n = base, 1
    while Release.objects.filter(name=name).exists():
        n += 1
        name = f"{base} ({n})"
    with transaction.atomic():
        release = Release.objects.create(
            name=name,
            created_by=by,
            description=f"The topic “{old_name}” is now “{topic.name}”: these answers show the "
            "new name once approved again.",
        )
        release._log(
            ReleaseEvent.Kind.CREATED, by=by, detail=f"Created for the rename of “{old_name}”"
        )
        notes = []
        for answer in answers:
            try:
                release.add(answer, by=by)
            except ReleaseError as error:
                notes.append(f"“{answer}” was left out: {' '.join(error.problems)}")
                continue
            if answer.status == AnswerStatus.PUBLISHED:
                try:
                    answer.submit(by=by)
                except WorkflowError as error:
                    notes.append(
                        f"“{answer}” is in the release but was not sent for review: "
                        + " ".join(error.problems)
                    )
                    continue
                notes.append(f"“{answer}” was sent for medical review")
            elif answer.status == AnswerStatus.DRAFT:
                notes.append(f"“{answer}” has other changes in draft: its writer submits it")
            else:
                notes.append(f"“{answer}” is {answer.get_status_display().lower()}")
    return release, notes
