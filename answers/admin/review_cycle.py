"""The review cycle's admin pages beside the workflow: confirm still accurate, the schedule
(go-live and take-down), preview links for outside reviewers, and the clinician's comments
on sections. Each view calls a model method; the rules and refusals live on the models."""

from django.contrib import admin, messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from ..models import Action, Answer, PreviewLink, ReviewComment, WorkflowError
from .forms import CommentReplyForm, ConfirmAccurateForm, PreviewLinkForm, ScheduleForm
from .workflow import refusal, signature


def _local(moment):
    return date_format(timezone.localtime(moment), "j F Y H:i")


class ScheduleFilter(admin.SimpleListFilter):
    title = "schedule"
    parameter_name = "schedule"

    def lookups(self, request, model_admin):
        return [("scheduled", "Go-live or take-down to come")]

    def queryset(self, request, queryset):
        if self.value() == "scheduled":
            return queryset.filter(pk__in=Answer.objects.scheduled_changes().values("pk"))
        return queryset


class ReviewCyclePages:
    """Mixin for AnswerAdmin (after AnswerPages, whose helpers it uses)."""

    def cycle_context(self, request, answer):
        user = request.user
        comments = list(
            answer.review_comments.select_related("author__contributor", "resolved_by")
            .prefetch_related("replies__author__contributor")
            .all()
        )
        links = []
        if not answer.refusals(Action.SHARE_PREVIEW, user) or answer.preview_links.exists():
            links = list(answer.preview_links.prefetch_related("comments").all())
        return {
            "can_confirm": not answer.refusals(Action.CONFIRM_ACCURATE, user),
            "confirm_url": self._url("confirm_accurate", answer),
            "can_schedule": not answer.refusals(Action.SCHEDULE, user),
            "schedule_url": self._url("schedule", answer),
            "can_share_preview": not answer.refusals(Action.SHARE_PREVIEW, user),
            "preview_link_form": PreviewLinkForm(),
            "preview_link_url": self._url("preview_link_create", answer),
            "preview_links": links,
            "preview_comments": [c for link in links for c in link.comments.all()],
            "review_comments": comments,
            "unresolved_comments": [c for c in comments if c.resolved_at is None],
            "reply_form": CommentReplyForm(),
            "now": timezone.now(),
        }

    def confirm_accurate_view(self, request, object_id):
        def action(answer, data):
            self.signed(
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

        return self._workflow_form_view(
            request,
            object_id,
            action_name=Action.CONFIRM_ACCURATE,
            form_class=ConfirmAccurateForm,
            action=action,
            title="Confirm still accurate",
            intro="Nothing to change: you sign off the published content again as it stands. "
            "The public page names you and today's date as the last review. Your password is "
            "your signature.",
            signed_preview="published_preview",
        )

    def schedule_view(self, request, object_id):
        def action(answer, data):
            changes = answer.reschedule(
                by=request.user,
                go_live_at=data.get("go_live_at"),
                take_down_at=data["take_down_at"],
                take_down_reason=data["take_down_reason"],
            )
            if not changes:
                return "Nothing changed in the schedule."
            return "Schedule changed: " + "; ".join(changes) + "."

        return self._workflow_form_view(
            request,
            object_id,
            action_name=Action.SCHEDULE,
            form_class=ScheduleForm,
            action=action,
            title="Schedule",
            intro="Public pages, search, the feed, the sitemap and the API follow these times "
            "by themselves. Empty a field to cancel what it schedules.",
        )

    def preview_link_create_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        answer = self._answer(request, object_id)
        form = PreviewLinkForm(request.POST)
        if not form.is_valid():
            messages.error(request, "The name is too long: use at most 150 characters.")
            return redirect(self._url("review", answer))
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
                    _local(link.expires_at),
                    url,
                    url,
                ),
            )
        return redirect(self._url("review", answer))

    def preview_link_revoke_view(self, request, object_id, link_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        answer = self._answer(request, object_id)
        link = get_object_or_404(PreviewLink, pk=link_id, answer=answer)
        try:
            link.revoke(by=request.user)
        except WorkflowError as error:
            messages.error(request, refusal("Not revoked", error))
        else:
            messages.success(request, f"{link} revoked: it no longer opens.")
        return redirect(self._url("review", answer))

    def _comment(self, request, object_id, comment_id):
        if request.method != "POST":
            raise Http404
        answer = self._answer(request, object_id)
        return answer, get_object_or_404(ReviewComment, pk=comment_id, answer=answer)

    def comment_reply_view(self, request, object_id, comment_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        answer, comment = self._comment(request, object_id, comment_id)
        try:
            comment.reply(by=request.user, text=request.POST.get("text", ""))
        except WorkflowError as error:
            messages.error(request, refusal("No reply was added", error))
        else:
            messages.success(request, f"Reply added to the comment on {comment.part}.")
        return redirect(self._comment_page(request, answer) + f"#review-comment-{comment.pk}")

    def comment_resolve_view(self, request, object_id, comment_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        answer, comment = self._comment(request, object_id, comment_id)
        try:
            comment.resolve(by=request.user)
        except WorkflowError as error:
            messages.error(request, refusal("Not resolved", error))
        else:
            messages.success(request, f"Comment on {comment.part} marked resolved.")
        return redirect(self._comment_page(request, answer) + f"#review-comment-{comment.pk}")

    def _comment_page(self, request, answer):
        """Back where the comment was answered: the review page or the answer's page."""
        return self._url("review" if request.POST.get("back") == "review" else "change", answer)

    def cycle_urls(self, route):
        return [
            route(
                "<path:object_id>/confirm-accurate/", self.confirm_accurate_view, "confirm_accurate"
            ),
            route("<path:object_id>/schedule/", self.schedule_view, "schedule"),
            route(
                "<path:object_id>/preview-links/",
                self.preview_link_create_view,
                "preview_link_create",
            ),
            route(
                "<path:object_id>/preview-links/<int:link_id>/revoke/",
                self.preview_link_revoke_view,
                "preview_link_revoke",
            ),
            route(
                "<path:object_id>/comments/<int:comment_id>/reply/",
                self.comment_reply_view,
                "comment_reply",
            ),
            route(
                "<path:object_id>/comments/<int:comment_id>/resolve/",
                self.comment_resolve_view,
                "comment_resolve",
            ),
        ]
