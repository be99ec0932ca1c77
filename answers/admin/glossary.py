"""Glossary terms: writers draft definitions, clinicians sign them off (password, bound to the
wording shown), editors take them down. The buttons on the change page post to one view,
which calls the model's transitions; every save is a version (django-simple-history)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from ..models import GlossaryTerm, TermStatus
from .object_actions import action_url, carry_out
from .review_buttons import ReviewButtonsAdmin, SendBackForm, TakeDownForm
from .search import NulSafeSearch


class GlossarySignForm(forms.Form):
    password = forms.CharField(
        label="Your password, as your signature",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Typing your password signs this definition electronically, as shown above.",
    )
    shown_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)
    comment = forms.CharField(
        label="Comment (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(ReviewButtonsAdmin, NulSafeSearch, SimpleHistoryAdmin):
    list_display = ["term", "state", "updated_at"]
    list_filter = ["status"]
    search_fields = ["term", "other_names", "definition"]
    fields = ["term", "definition", "other_names"]
    history_list_display = ["status"]
    change_form_template = "admin/answers/glossaryterm/change_form.html"
    sign_form = GlossarySignForm

    @admin.display(description="state")
    def state(self, term):
        if term.status == TermStatus.IN_REVIEW:
            return "In medical review"
        if term.differs_from_publication:
            return "Published; changes not yet reviewed"
        return "Published" if term.is_public else "Draft"

    def save_model(self, request, obj, form, change):
        if change:
            problems = obj.refusals("edit", request.user)
            if problems:
                raise PermissionDenied(" ".join(problems))
        obj._change_reason = "Changed in the glossary" if change else "Written"
        super().save_model(request, obj, form, change)

    def get_urls(self):
        workflow = action_url(
            self, self.workflow_view, segment="workflow", name="answers_glossaryterm_workflow"
        )
        return [workflow, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        term = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if term is not None:
            extra["workflow"] = {"term": term, **self.review_buttons(term, request.user)}
        return super().change_view(request, object_id, form_url, extra)

    def workflow_view(self, request, object_id, action):
        term = get_object_or_404(GlossaryTerm, pk=unquote(object_id))
        by, post = request.user, request.POST

        def approve(data):
            term.approve(
                by=by,
                password=data["password"],
                shown_hash=data["shown_hash"],
                comment=data["comment"],
            )
            return "Signed off: readers now see this definition."

        def submit(data):
            term.submit(by=by)
            return "Sent for medical review."

        def request_changes(data):
            term.request_changes(by=by, comment=data["comment"])
            return "Sent back to the writer with your comment."

        def withdraw(data):
            term.withdraw(by=by, reason=data["reason"])
            return "Taken off the public site: answers no longer link it."

        actions = {
            "submit": (None, submit),
            "approve": (GlossarySignForm(post), approve),
            "request_changes": (SendBackForm(post), request_changes),
            "withdraw": (TakeDownForm(post), withdraw),
        }
        back = reverse("admin:answers_glossaryterm_change", args=[term.pk])
        return carry_out(request, actions, action, back=back)
