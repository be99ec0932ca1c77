"""The workflow's admin pages: the buttons post to small views that call the transition
methods on Answer (`submit`, `request_changes`, `approve`, `withdraw`); the review page
shows the clinician the whole draft with the comments beside each part, what changed since
they sent it back and since publication, and the checklist (`review_page.py`). Nothing
here assigns `status` or restates a rule: buttons and reasons come from `Answer.refusals`.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from reversion.models import Revision

from ..checklist import review_checklist
from ..models import (
    Action,
    Answer,
    PublishedAnswer,
    SignatureRefused,
    StaleSignature,
    WorkflowError,
)
from ..people import display_name
from .assignment import ANY, chosen_reviewer
from .diff import (
    content_from_answer,
    content_from_revision,
    diff_content,
)
from .forms import IN_REVIEW_READ_ONLY, ApproveForm, RequestChangesForm, WithdrawForm
from .review_page import comparisons, draft_parts, writer_notes
from .wording import refusal, when

Status = Answer.Status

SUBMITTED = "Sent for medical review. A clinician will check it; you can't edit it meanwhile."
PUBLIC_KEEPS_APPROVED = (
    "The public page still shows the approved version until a clinician approves this draft."
)


def signature(user, data):
    """What every sign-off takes from its signing form: who signs, their password, the
    version the page showed and the two checks."""
    return {
        "by": user,
        "password": data["password"],
        "shown_hash": data["shown_hash"],
        "sources_checked": data["sources_checked"],
        "wording_safe": data["wording_safe"],
    }


def form_certainty(data):
    """The approve form's certainty fields: None, None when the clinician kept the proposal."""
    level = data.get("certainty") or None
    reason = data.get("certainty_reason") or ""
    return (None, None) if level is None and not reason.strip() else (level, reason)


class AnswerPages:
    """Mixin for AnswerAdmin: the pages about one answer beside its change form."""

    def _url(self, name, answer, *args):
        return reverse(f"admin:answers_answer_{name}", args=[quote(answer.pk), *args])

    def _workflow_context(self, request, answer):
        """Buttons and reasons, all from `Answer.refusals`: nothing here restates a rule."""
        user = request.user
        refusals = {action: answer.refusals(action, user) for action in Action}
        can_review = not refusals[Action.REQUEST_CHANGES]
        publication = getattr(answer, "publication", None)
        differs = answer.differs_from_publication
        changed_since_approval = answer.status == Status.PUBLISHED and differs
        return {
            "status_label": "Draft (changed since it was approved)"
            if changed_since_approval
            else answer.get_status_display(),
            "checklist": review_checklist(answer),
            "publication": publication,
            "public_state": publication.public_state() if publication is not None else None,
            "withdrawn_by": display_name(publication.withdrawn_by)
            if publication is not None and publication.withdrawn_by
            else "",
            "public_url": reverse("question", args=[publication.slug]) if answer.is_live else None,
            "draft_differs": differs,
            "in_review_notice": IN_REVIEW_READ_ONLY if not answer.is_editable else None,
            "can_submit": not refusals[Action.SUBMIT],
            "can_review": can_review,
            "review_refused": " ".join(refusals[Action.REQUEST_CHANGES]),
            "approve_blocked": " ".join(refusals[Action.APPROVE]) if can_review else None,
            "can_withdraw": not refusals[Action.WITHDRAW],
            "submit_url": self._url("submit", answer),
            "request_changes_url": self._url("request_changes", answer),
            "approve_url": self._url("approve", answer),
            "withdraw_url": self._url("withdraw", answer),
            "review_url": self._url("review", answer),
            "preview_url": self._url("preview", answer),
            "history_url": self._url("history", answer),
            **self._assignment_context(request, answer, can_submit=not refusals[Action.SUBMIT]),
        }

    def _answer(self, request, object_id):
        answer = self.get_object(request, unquote(object_id))
        if answer is None:
            raise Http404("There is no answer with this ID. It may have been deleted.")
        if not self.has_view_or_change_permission(request, answer):
            raise PermissionDenied
        return answer

    def _render(self, request, template, answer, title, **context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": answer,
            "answer": answer,
            "title": title,
            "subtitle": answer.question.text,
            **context,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, template, context)

    # --- workflow views ---------------------------------------------------

    def submit_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        answer = self._answer(request, object_id)
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
        return redirect(self._url("change", answer))

    def _workflow_form_view(
        self,
        request,
        object_id,
        *,
        action_name,
        form_class,
        action,
        title,
        intro,
        signed_preview=None,
    ):
        """GET shows the form page; POST validates it and runs `action(answer, data)`,
        which returns the success message or raises WorkflowError. A signing form's page
        shows what it signs (`signed_preview`: the name of the preview view, drawn for the
        version the form carries); a signature on a version no longer current goes back to
        that page, now showing the current version, saying what changed."""
        answer = self._answer(request, object_id)
        takes_answer = getattr(form_class, "takes_answer", False)
        form = form_class(request.POST or None, **({"answer": answer} if takes_answer else {}))
        if request.method == "POST" and form.is_valid():
            try:
                message = action(answer, form.cleaned_data)
            except StaleSignature as error:
                messages.error(request, self._stale_message(answer, error, form.cleaned_data))
                reread = action_name == Action.APPROVE
                return redirect(self._url("review", answer) if reread else request.path)
            except WorkflowError as error:
                messages.error(request, refusal(f"{title}: not done", error))
            else:
                messages.success(request, message)
                return redirect(self._url("change", answer))
        return self._render(
            request,
            "admin/answers/answer/workflow_form.html",
            answer,
            title,
            form=form,
            intro=intro,
            button=title,
            unavailable=" ".join(answer.refusals(action_name, request.user)),
            signed_preview_url=self._shown_url(signed_preview, answer, form)
            if signed_preview
            else None,
            **self._workflow_context(request, answer),
        )

    def _shown_url(self, view_name, answer, form):
        """The preview of exactly the version a signing form carries: the page refuses to
        draw any other, so the words on screen are the words signed."""
        shown = form["shown_hash"].value() or ""
        return self._url(view_name, answer) + "?" + urlencode({"version": shown})

    def _stale_message(self, answer, error, data):
        """The refusal of a signature on an older version, naming what changed since."""
        changed = []
        revision = Revision.objects.filter(pk=data.get("shown_revision") or 0).first()
        shown = content_from_revision(revision, answer.pk) if revision else None
        if shown is not None:
            changed = diff_content(shown, content_from_answer(answer)).changed_parts()
        detail = f" Changed since you opened it: {'; '.join(changed)}." if changed else ""
        return format_html(
            '{}{} <a href="{}">Read the current version</a>.',
            error.problems[0],
            detail,
            self._url("review", answer),
        )

    def request_changes_view(self, request, object_id):
        def action(answer, data):
            answer.request_changes(
                by=request.user,
                comment=data["comment"],
                section_comments=data.get("section_comments", ()),
            )
            return (
                "Sent back to the writers with your comment. They can edit it now and submit "
                "it again for medical review."
            )

        return self._workflow_form_view(
            request,
            object_id,
            action_name="request_changes",
            form_class=RequestChangesForm,
            action=action,
            title="Request changes",
            intro="The answer goes back to its writers as a draft, with your comment.",
        )

    def signed(self, request, sign):
        """Run `sign()`, a sign-off that checks the password as the signature. A wrong
        signature is a wrong password: it counts toward the login lockout, so an unattended
        session cannot be used to guess the password, and a locked account cannot sign (the
        lock ends the session, as django-axes then shows its page)."""
        credentials = {"username": request.user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            raise WorkflowError(
                "Too many wrong passwords were typed for this account, so it cannot sign "
                f"until the lock ends. Ask {settings.AXES_LOCKOUT_CONTACT} to unlock it."
            )
        try:
            return sign()
        except SignatureRefused:
            user_login_failed.send(__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                logout(request)
            raise

    def approve_view(self, request, object_id):
        def action(answer, data):
            certainty, certainty_reason = form_certainty(data)
            self.signed(
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
                ),
            )
            due = date_format(answer.next_review_due, "j F Y")
            if data.get("go_live_at"):
                return (
                    f"Approved. It goes live on {when(data['go_live_at'])}; until then the public "
                    f"page answers Not Found. It is due for review again on {due}."
                )
            return (
                "Approved and published. The public page now shows this version; it is due for "
                f"review again on {due}."
            )

        return self._workflow_form_view(
            request,
            object_id,
            action_name="approve",
            form_class=ApproveForm,
            action=action,
            title="Approve",
            intro="Approving publishes exactly the content you reviewed, with you named as the "
            "medical reviewer. Your password is your signature.",
            signed_preview="preview",
        )

    def withdraw_view(self, request, object_id):
        def action(answer, data):
            answer.withdraw(by=request.user, reason=data["reason"])
            return (
                "Withdrawn. The public page now tells readers the answer is no longer published. "
                "The content is kept as a draft: edit it and submit it for medical review to "
                "publish it again."
            )

        return self._workflow_form_view(
            request,
            object_id,
            action_name="withdraw",
            form_class=WithdrawForm,
            action=action,
            title="Withdraw",
            intro="The public page stops showing this answer straight away and tells readers it "
            "was withdrawn.",
        )

    # --- review and preview -------------------------------------------------

    def review_view(self, request, object_id):
        """The page a clinician signs from: the whole draft with the comments beside each
        part, the writer's notes for this round, what changed (since it was sent back, or
        since publication) and the decision forms."""
        answer = self._answer(request, object_id)
        cycle = self.cycle_context(request, answer)
        reviewer = request.user if request.user.has_perm("answers.review_answer") else None
        parts, comments_elsewhere, snapshot = draft_parts(
            answer, cycle["review_comments"], reviewer=reviewer
        )
        offered, compared, diff = comparisons(answer, request.user, request.GET.get("compare"))
        approve_form = ApproveForm(answer=answer)
        # The signature names the very content drawn on this page.
        approve_form.fields["shown_hash"].initial = snapshot.content_hash
        return self._render(
            request,
            "admin/answers/answer/review.html",
            answer,
            "Medical review",
            draft_parts=parts,
            comments_elsewhere=comments_elsewhere,
            snapshot=snapshot,
            writer_notes=writer_notes(answer),
            comparisons=offered,
            compared=compared,
            diff=diff,
            request_changes_form=RequestChangesForm(answer=answer),
            **cycle,
            approve_form=approve_form,
            shown_preview_url=self._shown_url("preview", answer, approve_form),
            **self._workflow_context(request, answer),
        )

    def preview_view(self, request, object_id):
        """The draft as the public will see it. With `?version=` (a content hash, as the
        signing pages frame it) only that version is drawn, else a notice that it changed."""
        answer = self._answer(request, object_id)
        if not self._is_shown_version(request, answer.content_hash):
            return self._version_gone(request, answer)
        reviewer = request.user if request.user.has_perm("answers.review_answer") else None
        return self._public_preview(
            request, answer, PublishedAnswer.build(answer, reviewer=reviewer)
        )

    def published_preview_view(self, request, object_id):
        """The public snapshot as approved, framed on the confirm-still-accurate page."""
        answer = self._answer(request, object_id)
        publication = getattr(answer, "publication", None)
        if publication is None:
            raise Http404("This answer has never been published.")
        if not self._is_shown_version(request, lambda: publication.content_hash):
            return self._version_gone(request, answer)
        return self._public_preview(request, answer, publication)

    @staticmethod
    def _is_shown_version(request, current_hash):
        wanted = request.GET.get("version")
        return wanted is None or wanted == current_hash()

    def _version_gone(self, request, answer):
        return self._framed(
            TemplateResponse(
                request,
                "admin/answers/answer/preview_changed.html",
                {"answer": answer, "review_url": self._url("review", answer)},
                status=409,
            )
        )

    def _public_preview(self, request, answer, publication):
        """An answer rendered with the public templates and stylesheet, shown in a frame on
        the signing pages."""
        return self._framed(
            TemplateResponse(
                request,
                "admin/answers/answer/preview.html",
                {"publication": publication, "answer": answer},
            )
        )

    @staticmethod
    def _framed(response):
        """Framing is allowed for the preview pages, from this site only."""
        response["X-Frame-Options"] = "SAMEORIGIN"
        response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]}
        return response

    def workflow_urls(self, route):
        return [
            route("<path:object_id>/submit/", self.submit_view, "submit"),
            route(
                "<path:object_id>/request-changes/", self.request_changes_view, "request_changes"
            ),
            route("<path:object_id>/approve/", self.approve_view, "approve"),
            route("<path:object_id>/withdraw/", self.withdraw_view, "withdraw"),
            route("<path:object_id>/assign/", self.assign_view, "assign"),
            route("<path:object_id>/review/", self.review_view, "review"),
            route("<path:object_id>/preview/", self.preview_view, "preview"),
            route(
                "<path:object_id>/published-preview/",
                self.published_preview_view,
                "published_preview",
            ),
        ]
