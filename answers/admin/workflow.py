"""The workflow's buttons: submit, request changes, approve, withdraw. Each is a view that
calls the transition method on Answer (`submit`, `request_changes`, `approve`, `withdraw`);
nothing here assigns `status` or restates a rule: refusals come from `Answer.refusals`."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.dateformat import format as date_format

from ..models import Action, Answer, ReviewStepRecord, WorkflowError
from .answer_page import AnswerPageView, answer_url
from .form_page import AnswerFormView, signature, signed
from .forms import (
    ApproveForm,
    MarkReviewedForm,
    RequestChangesForm,
    StepSignOffForm,
    WithdrawForm,
)
from .status_panel import ANY, chosen_reviewer
from .wording import refusal, when

SUBMITTED = "Sent for medical review. A clinician will check it; you can't edit it meanwhile."


def form_certainty(data):
    """The approve form's certainty fields: None, None when the clinician kept the proposal."""
    level = data.get("certainty") or None
    reason = data.get("certainty_reason") or ""
    return (None, None) if level is None and not reason.strip() else (level, reason)


class SubmitView(AnswerPageView):
    """The submit button (with the clinician chosen to review it, or any)."""

    http_method_names = ["post"]

    def post(self, request, object_id):
        answer = self.get_answer(request, object_id)
        try:
            answer.submit(
                by=request.user,
                reviewer=chosen_reviewer(request),
                any_reviewer=request.POST.get("reviewer") == ANY,
                confirm_unresolved=bool(request.POST.get("confirm_unresolved")),
            )
        except WorkflowError as error:
            messages.error(request, refusal("It was not sent for medical review", error))
        else:
            messages.success(request, SUBMITTED)
        return redirect(answer_url("change", answer))


class RecallView(AnswerPageView):
    """The writer's "take it back" button, before any clinician opened the review."""

    http_method_names = ["post"]

    def post(self, request, object_id):
        answer = self.get_answer(request, object_id)
        try:
            answer.recall(by=request.user)
        except WorkflowError as error:
            messages.error(request, refusal("It was not taken back", error))
        else:
            messages.success(
                request, "Taken back: it is a draft again. Change it, then submit it again."
            )
        return redirect(answer_url("change", answer))


class RequestChangesView(AnswerFormView):
    action = Action.REQUEST_CHANGES
    form_class = RequestChangesForm
    title = "Request changes"
    intro = "The answer goes back to its writers as a draft, with your comment."

    def act(self, request, answer, data):
        answer.request_changes(
            by=request.user,
            comment=data["comment"],
            section_comments=data.get("section_comments", ()),
        )
        return (
            "Sent back to the writers with your comment. They can edit it now and submit "
            "it again for medical review."
        )


class ApproveView(AnswerFormView):
    action = Action.APPROVE
    form_class = ApproveForm
    title = "Approve"
    intro = (
        "Approving publishes exactly the content you reviewed, with you named as the "
        "medical reviewer. Your password is your signature."
    )
    signed_preview = "preview"

    def act(self, request, answer, data):
        certainty, certainty_reason = form_certainty(data)
        result = signed(
            request,
            lambda: answer.approve(
                **signature(request.user, data),
                comment=data["comment"],
                next_review_due=data.get("next_review_due"),
                go_live_at=data.get("go_live_at"),
                change_summary=data["change_summary"],
                is_correction=data["is_correction"],
                certainty=certainty,
                certainty_reason=certainty_reason,
                open_comments_confirmed=data.get("open_comments_confirmed", False),
                step=data.get("step"),
            ),
        )
        if isinstance(result, ReviewStepRecord):
            return step_taken(answer)
        due = date_format(answer.next_review_due, "j F Y")
        if answer.status == Answer.Status.APPROVED:
            member = answer.pending_release_member()
            return (
                f"Approved. It waits for release “{member.release}” and goes live with the "
                f"release's other answers. It is due for review again on {due}."
            )
        if data.get("go_live_at"):
            return (
                f"Approved. It goes live on {when(data['go_live_at'])}; until then the public "
                f"page answers Not Found. It is due for review again on {due}."
            )
        return (
            "Approved and published. The public page now shows this version; it is due for "
            f"review again on {due}."
        )


def step_taken(answer):
    """What the person who took a step that does not publish is told."""
    answer.refresh_from_db()
    progress = answer.route_progress()
    now = progress.label if progress is not None and progress.current else ""
    return (
        "Your step is recorded. The answer stays in review"
        + (f" ({now})" if now else "")
        + ": the public site does not change until the last step is signed."
    )


class SignStepView(AnswerFormView):
    """A sign-off step of a topic's review route that does not publish (not the last)."""

    action = Action.APPROVE
    form_class = StepSignOffForm
    title = "Sign this step"
    intro = (
        "Signing records that you reviewed exactly this content for your step of the review. "
        "Your password is your signature. Nothing is published until the last step is signed."
    )
    signed_preview = "preview"

    def act(self, request, answer, data):
        signed(
            request,
            lambda: answer.approve(
                by=request.user,
                password=data["password"],
                shown_hash=data["shown_hash"],
                sources_checked=False,
                wording_safe=False,
                comment=data["comment"],
                step=data["step"],
                publishes=False,
            ),
        )
        return step_taken(answer)


class MarkReviewedView(AnswerFormView):
    """A comment-only step of a topic's review route: marked reviewed, no signature."""

    action = Action.MARK_REVIEWED
    form_class = MarkReviewedForm
    title = "Mark reviewed"
    intro = (
        "Marking it reviewed records that you read exactly this content for your step, with "
        "your comments if you have any. It is not a signature and publishes nothing."
    )
    signed_preview = "preview"

    def act(self, request, answer, data):
        answer.mark_reviewed(
            by=request.user,
            shown_hash=data["shown_hash"],
            step=data["step"],
            comment=data["comment"],
        )
        return step_taken(answer)


class WithdrawView(AnswerFormView):
    action = Action.WITHDRAW
    form_class = WithdrawForm
    title = "Withdraw"
    intro = (
        "The public page stops showing this answer straight away and tells readers it "
        "was withdrawn."
    )

    def act(self, request, answer, data):
        answer.withdraw(by=request.user, reason=data["reason"])
        return (
            "Withdrawn. The public page now tells readers the answer is no longer published. "
            "The content is kept as a draft: edit it and submit it for medical review to "
            "publish it again."
        )
