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
from .errors import WorkflowError
from .publication import PublishedAnswer
from .signoffs import SignOff, check_shown, check_signature
from .translations import source_approved

FIRST_PUBLISHED = "First published"


def _version_note(revision, content_hash):
    """How the audit log names the version that was on the signer's screen."""
    version = f"revision {revision.pk}, " if revision is not None else ""
    return f" (signed from the page showing {version}content {content_hash[:12]})"


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
    ):
        """Clinician: sign off the exact content submitted and publish it, now or at
        `go_live_at` (an embargo), due for review on `next_review_due` (default: the interval).
        The clinician's password is their electronic signature, checked here so that no path
        signs without it. `shown_hash` is the content hash of the version the signer read (the
        review page carries it): a signature on anything else is refused (`StaleSignature`).
        `change_summary` (what changed, for the public change log) is
        required when it is republished; `certainty`/`certainty_reason`, when given, confirm
        or change the writer's proposal. Clinician's comments still unresolved must be
        confirmed (`open_comments_confirmed`), as the writer confirms them at submission."""
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.APPROVE, by)
            check_shown(shown_hash, answer.content_hash())
            check_signature(by, password)
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
            if problems:
                raise WorkflowError(problems)
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
            answer.status = self.Status.PUBLISHED
            answer.last_reviewed_at = now
            answer.next_review_due = next_review_due or (now + settings.REVIEW_INTERVAL).date()
            answer.review_comment = ""
            answer.changes_requested_by = answer.changes_requested_revision = None
            when = (
                f" (goes live {timezone.localtime(go_live_at):%d %b %Y %H:%M})"
                if go_live_at
                else ""
            )
            open_comments = answer.review_comments.filter(resolved_at__isnull=True).count()
            if open_comments:
                when += (
                    f" with {open_comments} comment{'s' if open_comments != 1 else ''} unresolved"
                )
            answer._record(
                by=by,
                reason=f"Approved and published{when}"
                + _version_note(answer.submitted_revision, shown_hash)
                + (f": {comment}" if comment else ""),
            )
            PublishedAnswer.publish(answer, signoff=signoff, live_from=go_live_at)
            source_approved(answer, signoff=signoff)
            answer._close_review_requests(f"Approved by {display_name(by)}")
            answer._announce(NotificationKind.APPROVED, by=by, comment=comment.strip())
            self.refresh_from_db()
            return signoff

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
            if go_live_at <= timezone.now():
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
