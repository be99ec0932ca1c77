"""A clinician's sign-offs (a mixin of `Answer`): approve and publish, or confirm that the
published answer is still accurate, with the checks, dates and change note they need."""

import reversion
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from reversion.models import Version

from notifications.models import NotificationKind

from ..checklist import review_checklist
from ..people import display_name
from .choices import Action, Certainty
from .errors import StaleSignature, WorkflowError
from .publication import PublishedAnswer
from .routes import ReviewStepRecord, StepKind
from .signoffs import SignOff, check_shown, check_signature

FIRST_PUBLISHED = "First published"


def _version_note(revision, content_hash):
    """How the audit log names the version that was on the signer's screen."""
    version = f"revision {revision.pk}, " if revision is not None else ""
    return f" (signed from the page showing {version}content {content_hash[:12]})"


EARLIER_STEPS_SIGNED = (
    "The earlier steps of this topic's review route signed the certainty of evidence as the "
    "writer proposed it: keep it, or send the answer back so the writer changes it."
)
STEP_MOVED_ON = (
    "Nothing was recorded: the review moved on since your page was opened ({label} now). "
    "Open the review page again."
)
WOULD_PUBLISH = (
    "Nothing was signed: another signature this step needed came in after your page was "
    "opened, so yours would now publish the answer. Open the review page and approve it there."
)
NO_SHOWN_STEP = (
    "Nothing was recorded: the request did not say which step of the review you took. "
    "Take it from the review page, which shows the step."
)


CHANGE_SUMMARY_MAX = 200
BOTH_CHECKS = "Confirm both checks: you checked the sources, and the wording is safe for patients."


class AnswerApproval:
    """`Answer`'s sign-off transitions: `approve` and `confirm_accurate`."""

    def approve(
        self,
        *,
        by,
        password,
        shown_hash,
        sources_checked,
        wording_safe,
        comment="",
        next_review_due=None,
        go_live_at=None,
        change_summary="",
        is_correction=False,
        certainty=None,
        certainty_reason=None,
        open_comments_confirmed=False,
        step=None,
        publishes=None,
    ):
        """Clinician: sign off the exact content submitted and publish it, now or at
        `go_live_at` (an embargo), or hold it for the answer's release (`_publish_signed`), due
        for review on `next_review_due` (default: the interval).
        The clinician's password is their electronic signature, checked here so that no path
        signs without it. `shown_hash` is the content hash of the version the signer read (the
        review page carries it): a signature on anything else is refused (`StaleSignature`).
        `change_summary` (what changed, for the public change log) is
        required when it is republished; `certainty`/`certainty_reason`, when given, confirm
        or change the writer's proposal. Clinician's comments still unresolved must be
        confirmed (`open_comments_confirmed`), as the writer confirms them at submission.
        On a topic's review route (`routes.py`), `step` is the step number the page showed:
        a signature that does not complete the route records the step and leaves the answer
        in review (returning the `ReviewStepRecord`); the one that does publishes.
        `publishes=False` (the "sign this step" form) refuses a signature that would
        publish after all, because another signer completed the step meanwhile."""
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.APPROVE, by)
            check_shown(shown_hash, answer.content_hash())
            check_signature(by, password)
            progress = answer.route_progress()
            if progress is not None:
                state = answer._check_step(progress, step)
                if publishes is False and progress.publishes_next:
                    raise StaleSignature(WOULD_PUBLISH)
                if not progress.publishes_next:
                    record = answer._take_step(state, by=by, comment=comment)
                    self.refresh_from_db()
                    return record
            problems = answer._schedule_problems(
                next_review_due=next_review_due, go_live_at=go_live_at
            )
            if not (sources_checked and wording_safe):
                problems.append(BOTH_CHECKS)
            if answer.content_hash() != answer.submitted_hash:
                problems.append(
                    "The content changed after it was submitted. Send it back so the writer can resubmit it."
                )
            problems += review_checklist(answer).blocking_approval()
            problems += answer._open_comment_problems(confirmed=open_comments_confirmed)
            change_summary, change_problems = answer._change_note(change_summary, is_correction)
            problems += change_problems + answer._certainty_problems(certainty, certainty_reason)
            if progress is not None and answer._changes_certainty(certainty, certainty_reason):
                problems.append(EARLIER_STEPS_SIGNED)
            if problems:
                raise WorkflowError(problems)
            if progress is not None:
                answer._take_step(state, by=by, comment=comment, last=True)
            revision, content_hash = answer._confirm_certainty(certainty, certainty_reason, by=by)
            now = timezone.now()
            signoff = SignOff.record(
                answer=answer,
                by=by,
                at=now,
                revision=revision,
                content_hash=content_hash,
                comment=comment,
                change_summary=change_summary,
                is_correction=bool(is_correction),
            )
            answer.last_reviewed_at = now
            answer.next_review_due = next_review_due or (now + settings.REVIEW_INTERVAL).date()
            answer.review_comment = ""
            answer.changes_requested_by = answer.changes_requested_revision = None
            note = ""
            open_comments = answer.review_comments.filter(resolved_at__isnull=True).count()
            if open_comments:
                note += (
                    f" with {open_comments} comment{'s' if open_comments != 1 else ''} unresolved"
                )
            note += _version_note(answer.submitted_revision, shown_hash)
            note += f": {comment}" if comment else ""
            answer._publish_signed(signoff, go_live_at, by=by, note=note)
            answer._close_review_requests(f"Approved by {display_name(by)}")
            answer._announce(NotificationKind.APPROVED, by=by, comment=comment.strip())
            self.refresh_from_db()
            return signoff

    def mark_reviewed(self, *, by, shown_hash, step, comment=""):
        """A member of a comment-only step's group: record that they read the submitted
        content (`shown_hash`, as their page showed it), with optional comments; no signature.
        The answer stays in review for the next step."""
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.MARK_REVIEWED, by)
            check_shown(shown_hash, answer.content_hash())
            state = answer._check_step(answer.route_progress(), step)
            record = answer._take_step(state, by=by, comment=comment)
            self.refresh_from_db()
            return record

    def _check_step(self, progress, step):
        """The step being taken is the one the page showed, on content as submitted."""
        state = progress.current
        try:
            step = int(step)
        except (TypeError, ValueError):
            raise StaleSignature(NO_SHOWN_STEP) from None
        if step != state.number:
            raise StaleSignature(STEP_MOVED_ON.format(label=state.label))
        if self.content_hash() != self.submitted_hash:
            raise WorkflowError(
                "The content changed after it was submitted, so the steps taken so far no "
                "longer count. Send it back so the writer can resubmit it."
            )
        problems = review_checklist(self).blocking_approval()
        if problems:
            raise WorkflowError(problems)
        return state

    def _take_step(self, state, *, by, comment="", last=False):
        """Record `by` taking `state`'s step on the submission, in the audit log too; when it
        completes a step that is not the last, the next step's group is told it is their turn."""
        record = ReviewStepRecord.record(answer=self, state=state, by=by, comment=comment)
        if last:
            return record
        done = state.missing == 1
        verb = "Signed off" if record.kind == StepKind.SIGN_OFF else "Marked reviewed"
        outcome = (
            f"step complete, {state.total - state.number} to go"
            if done
            else f"{state.missing - 1} more person needed"
        )
        self._record(
            by=by,
            reason=f"{verb}: {state.label} ({outcome})"
            + _version_note(self.submitted_revision, self.submitted_hash)
            + (f": {comment.strip()}" if comment and comment.strip() else ""),
        )
        if done:
            self._close_review_requests(f"{state.label} completed by {display_name(by)}")
            self._announce(NotificationKind.SUBMITTED, by=by, step=state.number + 1)
        return record

    def _open_comment_problems(self, *, confirmed) -> list[str]:
        """Comments on parts nobody marked resolved: approving over them must be meant."""
        count = self.review_comments.filter(resolved_at__isnull=True).count()
        if not count or confirmed:
            return []
        return [
            f"{count} comment{'s' if count != 1 else ''} on parts of the answer "
            f"{'is' if count == 1 else 'are'} not resolved. Read the replies beside each "
            f"section, then tick “Approve with {count} comment{'s' if count != 1 else ''} "
            "unresolved” if you approve it as it is."
        ]

    def _schedule_problems(self, *, next_review_due=None, go_live_at=None) -> list[str]:
        """What is wrong with a review date or go-live time chosen at sign-off."""
        problems = []
        today = timezone.localdate()
        if next_review_due is not None:
            latest = today + settings.REVIEW_INTERVAL
            if not today < next_review_due <= latest:
                problems.append(
                    f"The next review must be after today and no later than {latest:%d %b %Y} "
                    f"({settings.REVIEW_INTERVAL.days} days)."
                )
        if go_live_at is not None:
            publication = getattr(self, "publication", None)
            member = self.pending_release_member()
            if member is not None:
                problems.append(
                    f"This answer goes live with release “{member.release}”: leave Go live at "
                    "empty (the release sets the time)."
                )
            elif go_live_at <= timezone.now():
                problems.append("Go live at must be in the future: leave it empty to publish now.")
            elif publication is not None and publication.is_live():
                problems.append(
                    "This answer is on the public site now: a new version replaces it when "
                    "approved, so it cannot wait for a go-live time."
                )
        return problems

    def confirm_accurate(
        self,
        *,
        by,
        password,
        shown_hash,
        sources_checked,
        wording_safe,
        next_review_due=None,
        comment="",
    ):
        """Clinician: re-sign the published content unchanged (no writer round trip): a new
        sign-off bound to the same content hash and a new revision, new review dates and a
        public snapshot rebuilt with the new reviewer and date. `shown_hash` is the content
        hash of the published version the signer read: it must still be the published one."""
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.CONFIRM_ACCURATE, by)
            check_shown(shown_hash, answer.publication.content_hash)
            check_signature(by, password)
            problems = answer._schedule_problems(next_review_due=next_review_due)
            if not (sources_checked and wording_safe):
                problems.append(BOTH_CHECKS)
            problems += review_checklist(answer).blocking_approval()
            if problems:
                raise WorkflowError(problems)
            with reversion.create_revision():
                reversion.set_user(by)
                reversion.set_comment("Confirmed still accurate")
                reversion.add_to_revision(answer)
            revision = Version.objects.get_for_object(answer).first().revision
            now = timezone.now()
            signoff = SignOff.record(
                answer=answer,
                by=by,
                at=now,
                revision=revision,
                content_hash=answer.publication.content_hash,
                comment=comment,
            )
            answer.last_reviewed_at = now
            answer.next_review_due = next_review_due or (now + settings.REVIEW_INTERVAL).date()
            answer._record(
                by=by,
                reason="Confirmed still accurate"
                + _version_note(answer.publication.signoff.revision, shown_hash)
                + (f": {comment.strip()}" if comment else ""),
            )
            PublishedAnswer.publish(answer, signoff=signoff, live_from=answer.publication.live_from)
            self.refresh_from_db()
            return signoff

    def _change_note(self, summary, is_correction):
        """The public change log's line for this approval, and what is wrong with it."""
        summary = " ".join((summary or "").split())
        if not PublishedAnswer.objects.filter(answer=self).exists():
            if is_correction:
                return summary, ["A first publication has nothing to correct: untick “Correction”."]
            return FIRST_PUBLISHED, []
        if not summary:
            return summary, [
                "Say in one line what changed since the last published version: readers see it "
                "in the answer's change log."
            ]
        if len(summary) > CHANGE_SUMMARY_MAX:
            return summary, [f"Keep the summary of changes to {CHANGE_SUMMARY_MAX} characters."]
        return summary, []

    def _certainty_problems(self, level, reason):
        if level is None and reason is None:
            return []
        if level not in Certainty.values:
            return [
                "Choose the certainty of the evidence: high, moderate, low or very low, or "
                "“Not yet graded”."
            ]
        if not (reason or "").strip():
            return ["Say in one plain sentence why the evidence has this certainty."]
        return []

    def _changes_certainty(self, level, reason) -> bool:
        reason = " ".join((reason or "").split())
        return level is not None and (level, reason) != (self.certainty, self.certainty_reason)

    def _confirm_certainty(self, level, reason, *, by):
        """The revision and hash the sign-off binds: the submitted ones, or, when the clinician
        changed the certainty statement, a new revision recording their change."""
        reason = " ".join((reason or "").split())
        if level is None or (level, reason) == (self.certainty, self.certainty_reason):
            return self.submitted_revision, self.submitted_hash
        self.certainty, self.certainty_reason = level, reason
        with reversion.create_revision():
            reversion.set_user(by)
            reversion.set_comment("Certainty of evidence changed by the clinician at approval")
            self._record(by=by, reason="Certainty of evidence changed at approval")
        return Version.objects.get_for_object(self).first().revision, self.content_hash()
