"""What every page about one answer beside its change form shares: reading the answer with
the admin's own permission check, its admin addresses, and drawing the page inside the admin.
The pages are plain views given the admin site, as Django's own autocomplete view is, and
`AnswerAdmin.get_urls()` registers them; none reaches into another's helpers."""

from django.conf import settings
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.csp import CSP
from django.views import View

from ..models import Answer

NO_SUCH_ANSWER = "There is no answer with this ID. It may have been deleted."


def answer_url(name, answer, *args):
    """The address of one of the answer's admin pages, by its URL name without the
    `answers_answer_` prefix ("change", "review", "history_restore", ...)."""
    return reverse(f"admin:answers_answer_{name}", args=[quote(answer.pk), *args])


def framed(response):
    """Framing is allowed (the previews on the signing pages, the desk's preview panel),
    from this site only."""
    response["X-Frame-Options"] = "SAMEORIGIN"
    response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]}
    return response


class AdminSiteView(View):
    """A view given the admin site (`as_view(admin_site=...)`); the answer's ModelAdmin
    there says who may do what, so these pages and the change form agree."""

    admin_site = None

    @property
    def model_admin(self):
        return self.admin_site.get_model_admin(Answer)


class AnswerPageView(AdminSiteView):
    """A page about one answer: `get_answer` reads it (404 if gone, 403 to anyone who may
    not see it) and `render` draws a template inside the admin with the answer named."""

    def get_answer(self, request, object_id):
        answer = self.model_admin.get_object(request, unquote(object_id))
        if answer is None:
            raise Http404(NO_SUCH_ANSWER)
        if not self.model_admin.has_view_or_change_permission(request, answer):
            raise PermissionDenied
        return answer

    def render(self, request, template, answer, title, **context):
        opts = Answer._meta
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "app_label": opts.app_label,
            "original": answer,
            "answer": answer,
            "title": title,
            "subtitle": answer.question.text,
            **context,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, template, context)
