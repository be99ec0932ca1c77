"""The review cycle's pages beside the workflow: confirm still accurate, the schedule
(go-live and take-down), preview links for outside reviewers, and replies to and resolving
the clinician's comments on sections. Each view calls a model method; the rules and
refusals live on the models."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from ..models import Action, PreviewLink, ReviewComment, WorkflowError
from .answer_page import NO_SUCH_ANSWER, AnswerPageView, answer_url
from .form_page import AnswerFormView, signature, signed
from .forms import ConfirmAccurateForm, PreviewLinkForm, ScheduleForm
from .wording import refusal


def local_time(moment):
    return date_format(timezone.localtime(moment), "j F Y H:i")


class ConfirmAccurateView(AnswerFormView):
    action = Action.CONFIRM_ACCURATE
    form_class = ConfirmAccurateForm
    title = "Confirm still accurate"
    intro = (
        "Nothing to change: you sign off the published content again as it stands. "
        "The public page names you and today's date as the last review. Your password is "
        "your signature."
    )
    signed_preview = "published_preview"

    def act(self, request, answer, data):
        signed(
            request,
            lambda: answer.confirm_accurate(
                **signature(request.user, data),
                next_review_due=data["next_review_due"],
                comment=data["comment"],
            ),
        )
        return (
            "Confirmed still accurate: you are now the named reviewer, and it is due for "
            f"review again on {date_format(answer.next_review_due, 'j F Y')}."
        )


class ScheduleView(AnswerFormView):
    action = Action.SCHEDULE
    form_class = ScheduleForm
    title = "Schedule"
    intro = (
        "Public pages, search, the feed, the sitemap and the API follow these times "
        "by themselves. Empty a field to cancel what it schedules."
    )

    def act(self, request, answer, data):
        changes = answer.reschedule(
            by=request.user,
            go_live_at=data.get("go_live_at"),
            take_down_at=data["take_down_at"],
            take_down_reason=data["take_down_reason"],
        )
        if not changes:
            return "Nothing changed in the schedule."
        return "Schedule changed: " + "; ".join(changes) + "."


class PreviewLinkCreateView(AnswerPageView):
    http_method_names = ["post"]

    def post(self, request, object_id):
        answer = self.get_answer(request, object_id)
        form = PreviewLinkForm(request.POST)
        if not form.is_valid():
            messages.error(request, "The name is too long: use at most 150 characters.")
            return redirect(answer_url("review", answer))
        try:
            link, token = answer.create_preview_link(
                by=request.user, reviewer_name=form.cleaned_data["reviewer_name"]
            )
        except WorkflowError as error:
            messages.error(request, refusal("No preview link was created", error))
        else:
            url = request.build_absolute_uri(f"/preview/{token}/")
            messages.success(
                request,
                format_html(
                    "Preview link created, valid until {}. Copy it now, it is shown only once: "
                    '<a class="qa-preview-link" href="{}">{}</a>',
                    local_time(link.expires_at),
                    url,
                    url,
                ),
            )
        return redirect(answer_url("review", answer))


class PreviewLinkRevokeView(AnswerPageView):
    http_method_names = ["post"]

    def post(self, request, object_id, link_id):
        answer = self.get_answer(request, object_id)
        link = get_object_or_404(PreviewLink, pk=link_id, answer=answer)
        try:
            link.revoke(by=request.user)
        except WorkflowError as error:
            messages.error(request, refusal("Not revoked", error))
        else:
            messages.success(request, f"{link} revoked: it no longer opens.")
        return redirect(answer_url("review", answer))


class CommentView(AnswerPageView):
    """A button on one comment; back where it was pressed (the review page or the answer's
    page), at the comment. Asked for JSON (`Accept: application/json`, as the change page's
    script does), the same view answers in place instead: what happened in words and the
    comment redrawn, or the refusal in words with its status, so the writer's unsaved
    edits on the page stay where they are."""

    http_method_names = ["post"]
    refused = ""

    def act(self, request, comment):
        """Call the comment's model method; the success message."""
        raise NotImplementedError

    def post(self, request, object_id, comment_id):
        if wants_json(request):
            return self.post_json(request, object_id, comment_id)
        answer = self.get_answer(request, object_id)
        comment = get_object_or_404(ReviewComment, pk=comment_id, answer=answer)
        try:
            message = self.act(request, comment)
        except WorkflowError as error:
            messages.error(request, refusal(self.refused, error))
        else:
            messages.success(request, message)
        back = "review" if request.POST.get("back") == "review" else "change"
        return redirect(answer_url(back, answer) + f"#review-comment-{comment.pk}")

    def post_json(self, request, object_id, comment_id):
        try:
            answer = self.get_answer(request, object_id)
        except Http404:
            return JsonResponse({"error": NO_SUCH_ANSWER}, status=404)
        except PermissionDenied:
            return JsonResponse({"error": NOT_YOURS}, status=403)
        comment = ReviewComment.objects.filter(pk=comment_id, answer=answer).first()
        if comment is None:
            return JsonResponse({"error": NO_SUCH_COMMENT}, status=404)
        try:
            message = self.act(request, comment)
        except WorkflowError as error:
            comment.refresh_from_db()
            status = 409 if comment.resolved_at is not None else 400
            if answer.refusals(Action.DISCUSS, request.user):
                status = 403
            return JsonResponse(
                {
                    "error": f"{self.refused}: " + " ".join(error.problems),
                    "resolved": comment.resolved_at is not None,
                    "html": self.comment_html(request, comment),
                },
                status=status,
            )
        return JsonResponse(
            {
                "message": message,
                "resolved": comment.resolved_at is not None,
                "unresolved": answer.review_comments.filter(resolved_at__isnull=True).count(),
                "html": self.comment_html(request, comment),
            }
        )

    @staticmethod
    def comment_html(request, comment):
        """The comment as the change page draws it in place (its forms stay on the page)."""
        comment = (
            ReviewComment.objects.select_related("author__contributor", "resolved_by__contributor")
            .prefetch_related("replies__author__contributor")
            .get(pk=comment.pk)
        )
        return render_to_string(
            "admin/answers/includes/review_comment.html",
            {"comment": comment, "in_place": True},
            request=request,
        )


class CommentReplyView(CommentView):
    refused = "No reply was added"

    def act(self, request, comment):
        comment.reply(by=request.user, text=request.POST.get("text", ""))
        return f"Reply added to the comment on {comment.part}."


class CommentResolveView(CommentView):
    refused = "Not resolved"

    def act(self, request, comment):
        comment.resolve(by=request.user)
        return f"Comment on {comment.part} marked resolved."


NOT_YOURS = "You may not take part in this answer's comments."
NO_SUCH_COMMENT = "This comment no longer exists: the page may be out of date."


def wants_json(request):
    """The change page's script asks for JSON; a plain form post (no script) does not."""
    return "application/json" in request.headers.get("Accept", "")
