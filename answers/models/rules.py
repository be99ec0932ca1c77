"""Who may do what to an answer now, and if not, why: `Answer.refusals` (a mixin of
`Answer`). The transitions raise these, the admin shows them: the rules live here only."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from ..people import display_name
from ..roles import MEDICAL_REVIEWERS
from .choices import Action, AnswerStatus
from .routes import StepKind, progress_of

NOT_YOUR_SIGN_OFF = "You wrote or edited this answer, so another clinician must sign it off."
NOT_YOUR_STEP = (
    "You wrote or edited this answer, so you cannot sign it off or take a step of its review."
)


def medical_reviewers():
    """Active users in the Medical reviewers group (by name: roles.py defines it)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=MEDICAL_REVIEWERS)
        .select_related("contributor")
        .order_by("contributor__display_name", "username")
        .distinct()
    )


IN_REVIEW_NOT_EDITABLE = (
    "This answer is in medical review and cannot be changed until the clinician finishes."
)
HELD_NOT_EDITABLE = (
    "This answer is approved and waits for its release: the signed content cannot change. "
    "To change it, an editor takes it out of the release (the sign-off is then void)."
)


class AnswerRules:
    """`Answer`'s permission and eligibility rules."""

    def refusals(self, action, user) -> list[str]:
        """Why `user` may not take `action` on this answer now; empty when they may.
        The transitions raise these, the admin shows them: the rules live here only.
        What the content itself lacks is the checklist's job (`answers.checklist`)."""
        action = Action(action)
        status = self.get_status_display().lower()
        # The state first: routes cost a query, and the change page asks every action.
        if (
            action in (Action.APPROVE, Action.MARK_REVIEWED)
            and self.status == self.Status.IN_REVIEW
        ):
            progress = self.route_progress()
            if progress is not None:
                return self._step_refusals(progress, action, user)
        if action == Action.MARK_REVIEWED:
            if self.status != self.Status.IN_REVIEW:
                return [f"This answer is not in review: it is {status}."]
            return ["This answer's topic has no comment-only review step."]
        if action == Action.SUBMIT:
            if not user.has_perm("answers.submit_answer"):
                return ["You do not have permission to submit answers for medical review."]
            if not self.is_draft and not self.is_taken_down:
                return [f"Only a draft can be submitted; this answer is {status}."]
        elif action in (Action.REQUEST_CHANGES, Action.APPROVE):
            if not user.has_perm("answers.review_answer"):
                return ["Only medical reviewers approve answers or request changes."]
            if self.status != self.Status.IN_REVIEW:
                return [f"This answer is not waiting for medical review: it is {status}."]
            if action == Action.APPROVE:
                if user.pk in self.contributors_since_publication():
                    return [NOT_YOUR_SIGN_OFF]
                changed = self.references_changed_since_publication().get(user.pk)
                if changed:
                    cited = ", ".join(f"[{label}]" for label in changed)
                    return [
                        f"You changed reference {cited} cited by this answer since it was last "
                        "published, so another clinician must sign it off."
                    ]
        elif action == Action.WITHDRAW:
            if not user.has_perm("answers.withdraw_answer"):
                return ["Only editors withdraw answers."]
            if not self.has_publication:
                return [
                    "Only a published answer can be withdrawn: this one is not on the public site."
                ]
        elif action == Action.ASSIGN:
            if not user.has_perm("answers.assign_reviewer"):
                return ["Only editors and medical reviewers choose who reviews an answer."]
            if self.status != self.Status.IN_REVIEW:
                return [f"Only an answer in medical review can be assigned; this one is {status}."]
        elif action == Action.CONFIRM_ACCURATE:
            return self._confirm_accurate_refusals(user)
        elif action == Action.SCHEDULE:
            if not user.has_perm("answers.withdraw_answer"):
                return ["Only editors change or cancel what is scheduled."]
            if not self.has_publication:
                return ["Only a published answer has a schedule: this one is not published."]
        elif action == Action.SHARE_PREVIEW:
            if not (
                user.has_perm("answers.review_answer") or user.has_perm("answers.withdraw_answer")
            ):
                return ["Only clinicians and editors share a draft with an outside reviewer."]
            if self.status != self.Status.IN_REVIEW:
                return [f"Only an answer in medical review can be shared: this one is {status}."]
        elif action == Action.REVOKE_PREVIEW:
            if not (
                user.has_perm("answers.review_answer") or user.has_perm("answers.withdraw_answer")
            ):
                return ["Only clinicians and editors revoke preview links."]
        elif action == Action.DISCUSS:
            if not (
                user.has_perm("answers.change_answer") or user.has_perm("answers.review_answer")
            ):
                return [
                    "Only the answer's writers, editors and clinicians take part in its comments."
                ]
        elif action == Action.RECALL:
            # The state first: it costs no query (the change page asks every action).
            if self.status != self.Status.IN_REVIEW:
                return [
                    f"Only an answer in medical review can be taken back; this one is {status}."
                ]
            if not user.has_perm("answers.submit_answer") or not (
                user.pk == self.submitted_by_id or self.writers.filter(pk=user.pk).exists()
            ):
                return ["Only the answer's writers take back a submission."]
            if self.review_opened_at is not None:
                return [
                    "A clinician has already opened it for review, so it cannot be taken back: "
                    "ask them to send it back with a comment."
                ]
        elif action == Action.EDIT:
            if not user.has_perm("answers.change_answer"):
                return ["You do not have permission to change answers."]
            if not self.is_editable:
                return [self._not_editable_reason()]
        return []

    def route_progress(self, *, content_hash=None):
        """Where this answer's submission stands on its topic's review route; None for the
        default route (one medical reviewer's sign-off)."""
        return progress_of(self, content_hash=content_hash)

    def _step_refusals(self, progress, action, user) -> list[str]:
        """Who may take the current step of a routed review: a member of its group, not a
        writer of the answer, and nobody who took a step of this submission already."""
        if progress.problems:
            return [
                "This topic's review route cannot be followed: "
                + " ".join(progress.problems)
                + " Ask an editor to correct the route on the topic's page."
            ]
        state = progress.current
        if state is None:
            return ["Every step of this answer's review route is complete."]
        kind = StepKind.SIGN_OFF if action == Action.APPROVE else StepKind.COMMENT
        if state.step.kind != kind:
            if kind == StepKind.SIGN_OFF:
                return [f"{state.label} is a comment-only step: it is marked reviewed, not signed."]
            return [f"{state.label} is a sign-off step: it is signed with a password."]
        if not user.is_active or not user.groups.filter(pk=state.step.group_id).exists():
            return [f"{state.label}: only members of {state.step.group.name} take this step."]
        if user.pk in self.contributors_since_publication():
            return [NOT_YOUR_STEP]
        if kind == StepKind.SIGN_OFF and self.references_changed_since_publication().get(user.pk):
            return [
                "You changed a reference this answer cites since it was last published, so "
                "someone else must sign it off."
            ]
        if user.pk in progress.people:
            return [
                "You already took a step of this answer's review, so another person must "
                f"take this one ({state.label})."
            ]
        return []

    def _not_editable_reason(self) -> str:
        return HELD_NOT_EDITABLE if self.status == AnswerStatus.APPROVED else IN_REVIEW_NOT_EDITABLE

    def edit_refusals(self, by) -> list[str]:
        """Why `by` may not change the content now; `by` None is the shell or a command, for
        which only the answer's state counts (an answer in medical review is never changed)."""
        if by is not None:
            return self.refusals(Action.EDIT, by)
        return [] if self.is_editable else [self._not_editable_reason()]

    def _confirm_accurate_refusals(self, user) -> list[str]:
        if not user.has_perm("answers.review_answer"):
            return ["Only medical reviewers confirm that an answer is still accurate."]
        if self.status != self.Status.PUBLISHED or not self.is_live:
            return [
                "Only a published answer on the public site can be confirmed as still accurate."
            ]
        if self.differs_from_publication:
            return [
                "The draft differs from the published version: review the changes and approve "
                "them instead."
            ]
        if user.pk in self.contributors_since_publication():
            return [NOT_YOUR_SIGN_OFF]
        if self.references_changed_since_publication().get(user.pk):
            return [
                "You changed a reference this answer cites since it was last published, so "
                "another clinician must confirm it."
            ]
        return []

    def reviewer_candidates(self, *, also_excluding=()):
        """Medical reviewers who may sign this answer off: not its writers or editors."""
        excluded = self.contributors_since_publication() | {u.pk for u in also_excluding if u}
        return medical_reviewers().exclude(pk__in=excluded)

    def _reviewer_refusals(self, reviewer, *, submitter=None) -> list[str]:
        if not medical_reviewers().filter(pk=reviewer.pk).exists():
            return [f"{display_name(reviewer)} is not a medical reviewer: choose a clinician."]
        if not self.reviewer_candidates(also_excluding=[submitter]).filter(pk=reviewer.pk).exists():
            return [
                f"{display_name(reviewer)} wrote or edited this answer, so cannot sign it off: "
                "choose another clinician."
            ]
        return []

    def _round_robin_reviewer(self, *, submitter):
        """The eligible clinician with the fewest answers waiting for them (then the
        longest-standing account): spreads reviews without anyone choosing."""
        waiting = Count(
            "reviews_assigned", filter=Q(reviews_assigned__status=AnswerStatus.IN_REVIEW)
        )
        eligible = self.reviewer_candidates(also_excluding=[submitter]).values("pk")
        User = type(submitter)
        return (
            User.objects.filter(pk__in=eligible)
            .annotate(waiting=waiting)
            .order_by("waiting", "pk")
            .first()
        )
