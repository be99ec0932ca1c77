"""The workflow transitions of an answer (a mixin of `Answer`): submit, assign a reviewer,
request changes, reschedule, share a preview, withdraw, note an edit, revert. Each locks the
row, checks `refusals` and raises `WorkflowError` otherwise. Approval is in `approval.py`."""

import secrets
from contextlib import contextmanager
from datetime import timedelta

import reversion
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from reversion.errors import RevertError
from reversion.models import Version

from notifications.models import Notification, NotificationKind
from notifications.tasks import announce
from ops.tasks import enqueue_on_commit

from ..checklist import review_checklist
from ..people import display_name
from .choices import Action
from .errors import WorkflowError
from .feedback import ReviewComment
from .preview import PreviewLink
from .publication import PublishedAnswer
from .translations import source_withdrawn


class AnswerTransitions:
    """`Answer`'s transitions other than the sign-offs."""

    # --- transitions ---------------------------------------------------------

    def _announce(self, kind, *, by, **details):
        """Notify the people concerned once this transaction commits (`answers.notify`)."""
        enqueue_on_commit(
            announce,
            about="answer",
            kind=kind.value,
            answer_id=self.pk,
            actor_id=by.pk if by else None,
            **details,
        )

    def _close_review_requests(self, why):
        """The "Waiting for your review" notifications of this answer are done: it was
        approved, sent back, withdrawn or given to another clinician."""
        Notification.objects.filter(answer=self, kind=NotificationKind.SUBMITTED).exclude(
            link__startswith=reverse("admin:answers_translation_changelist")
        ).mark_done(why=why)

    @contextmanager
    def editing(self, *, by, comment):
        """The one way code changes an answer's content (citing, imports, commands, the demo):
        refused with the reason unless `by` may edit it now (`by` None is the shell or a
        command: only the answer's state is checked); the block's changes are one version
        with `comment`, and a published answer whose content now differs from what was
        approved becomes a draft again. Yields the answer, locked for the block.

            with answer.editing(by=user, comment="Cited [5] Smith 2024") as locked:
                Citation.objects.create(answer=locked, ...)

        The admin's change form saves through Django's own transaction and revision, then
        calls `note_edit` (the same "after"); `is_draft` holds whatever path changed rows."""
        comment = " ".join((comment or "").split())[:2000]
        with transaction.atomic():
            answer = self._locked()
            problems = answer.edit_refusals(by)
            if problems:
                raise WorkflowError(problems)
            with reversion.create_revision():
                yield answer
                # Saved, so an editor open in another tab is told it changed meanwhile, and
                # the audit trail says what changed.
                answer._record(by=by, reason=comment)
                reversion.set_user(by)
                reversion.set_comment(comment)
                reversion.add_to_revision(answer)
            answer.note_edit(by=by)
        self.refresh_from_db()

    def record_event(self, *, by, reason):
        """An audit log entry for something that changed no column of the answer (a preview
        link opened, a schedule changed): `updated_at` stays, so no open editor is refused."""
        self._record(by=by, reason=reason, update_fields=["status"])

    def submit(self, *, by, reviewer=None, any_reviewer=False, confirm_unresolved=False):
        """Writer: send a draft to medical review, bound to its content as it stands now,
        for `reviewer` (a clinician who did not write it) or, by default, the clinician who
        sent it back if they still may review it, else any medical reviewer (also when
        `any_reviewer`). Clinician's comments still unresolved must be confirmed
        (`confirm_unresolved`)."""
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.SUBMIT, by)
            problems = review_checklist(answer).blocking_submission()
            if reviewer is not None:
                problems += answer._reviewer_refusals(reviewer, submitter=by)
            unresolved = list(answer.review_comments.filter(resolved_at__isnull=True))
            if unresolved and not confirm_unresolved:
                problems.append(
                    f"{len(unresolved)} of the clinician's comments "
                    f"{'is' if len(unresolved) == 1 else 'are'} not resolved: "
                    + "; ".join(f"{c.part}: “{c.excerpt}”" for c in unresolved)
                    + ". Resolve them, or confirm that you submit it with them unresolved."
                )
            if problems:
                raise WorkflowError(problems)
            if reviewer is None and not any_reviewer:
                reviewer = answer.returning_reviewer(submitter=by)
            if reviewer is None and settings.REVIEW_ROUND_ROBIN:
                reviewer = answer._round_robin_reviewer(submitter=by)
            answer.assigned_reviewer = reviewer
            with reversion.create_revision():
                reversion.set_user(by)
                reversion.set_comment("Submitted for medical review")
                reversion.add_to_revision(answer)
            answer.status = self.Status.IN_REVIEW
            answer.submitted_at = timezone.now()
            answer.submitted_by = by
            answer.submitted_hash = answer.content_hash()
            answer.submitted_revision = Version.objects.get_for_object(answer).first().revision
            answer.review_opened_at = answer.review_opened_by = None
            answer.review_comment = ""
            to = f" (assigned to {display_name(reviewer)})" if reviewer else ""
            answer._record(by=by, reason=f"Submitted for medical review{to}")
            answer._announce(NotificationKind.SUBMITTED, by=by)
            self.refresh_from_db()

    def returning_reviewer(self, *, submitter):
        """The clinician who sent this answer back, if they may still review it: a
        resubmission goes back to them unless the writer names someone else."""
        clinician = self.changes_requested_by
        if clinician is None or not clinician.is_active:
            return None
        if self._reviewer_refusals(clinician, submitter=submitter):
            return None
        return clinician

    def assign_reviewer(self, *, by, reviewer):
        """Editor or clinician: give an answer in review to `reviewer`, or back to every
        medical reviewer (None)."""
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.ASSIGN, by)
            if reviewer is not None:
                problems = answer._reviewer_refusals(reviewer)
                if problems:
                    raise WorkflowError(problems)
            if reviewer == answer.assigned_reviewer:
                return
            answer.assigned_reviewer = reviewer
            if reviewer is None:
                reason = "Review unassigned: any medical reviewer may review it"
            else:
                reason = f"Review assigned to {display_name(reviewer)}"
            answer._record(by=by, reason=reason)
            answer._close_review_requests(f"{reason} by {display_name(by)}")
            if reviewer is not None:
                answer._announce(NotificationKind.SUBMITTED, by=by, reassigned=True)
            self.refresh_from_db()

    def note_review_opened(self, *, by):
        """A clinician who may decide opened the submitted version's review page: from now on
        the writer cannot take it back. Only the first opening counts."""
        if self.review_opened_at is not None or self.refusals(Action.REQUEST_CHANGES, by):
            return False  # already opened (no write on every later look), or not theirs
        opened = (
            type(self)
            .objects.filter(pk=self.pk, status=self.Status.IN_REVIEW, review_opened_at=None)
            .update(review_opened_at=timezone.now(), review_opened_by=by)
        )
        if opened:
            self.refresh_from_db(fields=["review_opened_at", "review_opened_by"])
        return bool(opened)

    def recall(self, *, by):
        """Writer: take back a submission no clinician has opened yet (a typo seen too late),
        as a draft again; the clinician asked to review it is told."""
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.RECALL, by)
            answer.status = self.Status.DRAFT
            answer._record(by=by, reason="Taken back by its writer before medical review")
            answer._close_review_requests(f"Taken back by {display_name(by)} before review")
            if answer.assigned_reviewer_id:
                answer._announce(NotificationKind.RECALLED, by=by)
            self.refresh_from_db()

    def request_changes(self, *, by, comment, section_comments=()):
        """Clinician: send the answer back to its writers with a comment they must address,
        and optionally comments on parts: `section_comments` pairs a Section (None: the
        short answer) with a text; each is kept with the revision it was made on."""
        comment = (comment or "").strip()
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.REQUEST_CHANGES, by)
            if not comment:
                raise WorkflowError("Say what needs to change: the comment is required.")
            for section, text in section_comments:
                if not (text or "").strip():
                    continue
                if section is not None and section.answer_id != answer.pk:
                    raise WorkflowError("That section belongs to another answer.")
                ReviewComment.objects.create(
                    answer=answer,
                    section=section,
                    part=section.heading if section is not None else ReviewComment.LEAD,
                    revision=answer.submitted_revision,
                    author=by,
                    text=text.strip(),
                )
            answer.status = self.Status.DRAFT
            answer.review_comment = comment
            answer.changes_requested_by = by
            answer.changes_requested_revision = answer.submitted_revision
            answer._record(by=by, reason=f"Changes requested: {comment}")
            answer._close_review_requests(f"Sent back to the writers by {display_name(by)}")
            answer._announce(
                NotificationKind.CHANGES_REQUESTED,
                by=by,
                comment=comment,
                section_comments=[
                    [section.heading if section is not None else ReviewComment.LEAD, text.strip()]
                    for section, text in section_comments
                    if (text or "").strip()
                ],
            )
            self.refresh_from_db()

    def reschedule(self, *, by, go_live_at=None, take_down_at=None, take_down_reason=""):
        """Editor: set, move or cancel the go-live (only before it) and the take-down (only
        before it). None cancels: a cancelled embargo goes live now. The reason is shown to
        readers after the take-down."""
        take_down_reason = (take_down_reason or "").strip()
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.SCHEDULE, by)
            publication = PublishedAnswer.objects.select_for_update().get(answer=answer)
            now = timezone.now()
            problems = []
            changes = []
            if publication.live_from > now:
                if go_live_at is not None and go_live_at <= now:
                    problems.append(
                        "Go live at must be in the future: leave it empty to publish now."
                    )
                new_live_from = go_live_at or now
                if new_live_from != publication.live_from:
                    changes.append(
                        f"go live {timezone.localtime(new_live_from):%d %b %Y %H:%M}"
                        if go_live_at
                        else "embargo cancelled, live now"
                    )
                    publication.live_from = new_live_from
            elif go_live_at is not None and go_live_at != publication.live_from:
                problems.append("This answer is already live: its go-live time cannot change.")
            if publication.is_taken_down(now):
                if take_down_at != publication.take_down_at:
                    problems.append(
                        "This answer was already taken down: submit it for medical review to "
                        "publish it again."
                    )
            elif take_down_at is not None:
                if take_down_at <= now or take_down_at <= publication.live_from:
                    problems.append("Take down at must be in the future, after it goes live.")
                if not take_down_reason:
                    problems.append("Say why it is taken down: readers see the reason.")
                if (take_down_at, take_down_reason) != (
                    publication.take_down_at,
                    publication.take_down_reason,
                ):
                    changes.append(
                        f"take down {timezone.localtime(take_down_at):%d %b %Y %H:%M}: "
                        f"{take_down_reason}"
                    )
                publication.take_down_at = take_down_at
                publication.take_down_reason = take_down_reason
                publication.take_down_by = by
            elif publication.take_down_at is not None:
                changes.append("take-down cancelled")
                publication.take_down_at = None
                publication.take_down_reason = ""
                publication.take_down_by = None
            if publication.take_down_at and publication.take_down_at <= publication.live_from:
                problems.append("Take down at must be after the answer goes live.")
            if problems:
                raise WorkflowError(problems)
            if not changes:
                return []
            publication.save()
            answer.record_event(by=by, reason="Schedule changed: " + "; ".join(changes))
            self.refresh_from_db()
            return changes

    def create_preview_link(self, *, by, reviewer_name=""):
        """A read-only link to the submitted draft for an outside reviewer. Returns the link
        and its token: only a hash is stored, so the address is shown once."""
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.SHARE_PREVIEW, by)
            token = secrets.token_urlsafe(32)
            link = PreviewLink.objects.create(
                answer=answer,
                revision=answer.submitted_revision,
                content_hash=answer.submitted_hash,
                token_hash=PreviewLink.hash_token(token),
                reviewer_name=(reviewer_name or "").strip(),
                created_by=by,
                expires_at=timezone.now() + timedelta(days=settings.PREVIEW_LINK_DAYS),
            )
            for_whom = f" for {link.reviewer_name}" if link.reviewer_name else ""
            answer.record_event(by=by, reason=f"Preview link {link.pk} created{for_whom}")
            return link, token

    def withdraw(self, *, by, reason):
        """Editor: take the public page down (it answers 410 Gone); the content stays as a draft.
        A draft in medical review goes back to draft too: the withdrawal stands until a writer
        resubmits and a clinician, shown the reason, approves again."""
        reason = (reason or "").strip()
        with transaction.atomic():
            answer = self._locked()
            publication = PublishedAnswer.objects.select_for_update().filter(answer=answer).first()
            answer._refuse_unless_allowed(Action.WITHDRAW, by)
            if not reason:
                raise WorkflowError("Say why it is withdrawn: the reason is required.")
            publication.withdrawn_at = timezone.now()
            publication.withdrawn_by = by
            publication.withdrawn_reason = reason
            publication.save()
            answer.status = self.Status.DRAFT
            answer._record(by=by, reason=f"Withdrawn: {reason}")
            source_withdrawn(answer, by=by, reason=reason)
            answer._close_review_requests(f"Withdrawn by {display_name(by)}")
            answer._announce(NotificationKind.WITHDRAWN, by=by, comment=reason)
            self.refresh_from_db()

    def note_edit(self, *, by):
        """After a save: a published answer whose content no longer matches what was
        approved becomes a draft again (the public keeps the approved snapshot)."""
        with transaction.atomic():
            answer = self._locked()
            if answer.status != self.Status.PUBLISHED or not answer.differs_from_publication:
                return
            answer.status = self.Status.DRAFT
            answer._record(by=by, reason="Edited after publication: new draft")
            self.refresh_from_db()

    def revert_to(self, version, *, by):
        """Restore the content of an earlier version as a new draft revision.
        The public page keeps showing the approved snapshot until a clinician approves again."""
        if version.object_id != str(self.pk) or version.content_type.model_class() is not type(
            self
        ):
            raise WorkflowError("That version belongs to another answer.")
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.EDIT, by)
            when = timezone.localtime(version.revision.date_created).strftime("%d %b %Y %H:%M")
            with reversion.create_revision():
                try:
                    version.revision.revert(delete=True)
                except RevertError as error:
                    raise WorkflowError(f"That version cannot be restored: {error}") from error
                answer = type(self).objects.get(pk=answer.pk)
                reversion.set_user(by)
                reversion.set_comment(f"Reverted to the version of {when}")
                reversion.add_to_revision(answer)
            if answer.status == self.Status.PUBLISHED and answer.differs_from_publication:
                answer.status = self.Status.DRAFT
            # django-reversion saves raw, which django-simple-history skips: record it here.
            answer._record(by=by, reason=f"Reverted to the version of {when}")
            self.refresh_from_db()
