"""The page of one workflow form (request changes, approve, withdraw, confirm still accurate,
schedule): GET shows it, POST runs the model method. A signing form names the version its
page showed; a signature on a version no longer current is refused and sent back to read
the current one, saying what changed. The password is the signature, so a wrong one counts
toward the login lockout."""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.http import urlencode
from reversion.models import Revision

from ..models import Action, SignatureRefused, StaleSignature, WorkflowError
from .answer_page import AnswerPageView, answer_url
from .diff import content_from_answer, content_from_revision, diff_content
from .status_panel import status_panel
from .wording import refusal


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


def signed(request, sign):
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


def shown_preview_url(view_name, answer, form):
    """The preview of exactly the version a signing form carries: the preview refuses to
    draw any other, so the words on screen are the words signed."""
    shown = form["shown_hash"].value() or ""
    return answer_url(view_name, answer) + "?" + urlencode({"version": shown})


def stale_message(answer, error, data):
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
        answer_url("review", answer),
    )


class AnswerFormView(AnswerPageView):
    """GET shows the form page; POST validates it and runs `act(request, answer, data)`,
    which returns the success message or raises WorkflowError. A signing form's page shows
    what it signs (`signed_preview`: the URL name of the preview, drawn for the version the
    form carries)."""

    template_name = "admin/answers/answer/workflow_form.html"
    action = None  # the Action whose refusals the page shows
    form_class = None
    title = ""
    intro = ""
    signed_preview = None

    def act(self, request, answer, data):
        raise NotImplementedError

    def get(self, request, object_id):
        return self.show(request, self.get_answer(request, object_id), data=None)

    def post(self, request, object_id):
        # An empty POST shows the form unfilled, as a GET does.
        return self.show(request, self.get_answer(request, object_id), data=request.POST or None)

    def show(self, request, answer, *, data):
        takes_answer = getattr(self.form_class, "takes_answer", False)
        form = self.form_class(data, **({"answer": answer} if takes_answer else {}))
        if data is not None and form.is_valid():
            try:
                message = self.act(request, answer, form.cleaned_data)
            except StaleSignature as error:
                messages.error(request, stale_message(answer, error, form.cleaned_data))
                reread = self.action in (Action.APPROVE, Action.MARK_REVIEWED)
                return redirect(answer_url("review", answer) if reread else request.path)
            except WorkflowError as error:
                messages.error(request, refusal(f"{self.title}: not done", error))
            else:
                messages.success(request, message)
                return redirect(answer_url("change", answer))
        return self.render(
            request,
            self.template_name,
            answer,
            self.title,
            form=form,
            intro=self.intro,
            button=self.title,
            unavailable=" ".join(answer.refusals(self.action, request.user)),
            signed_preview_url=shown_preview_url(self.signed_preview, answer, form)
            if self.signed_preview
            else None,
            **status_panel(request, answer),
        )
