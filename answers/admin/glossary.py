"""Glossary terms: writers draft definitions, clinicians sign them off (password, bound to the
wording shown), editors take them down. The buttons on the change page post to one view,
which calls the model's transitions; every save is a version (django-simple-history)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from ..models import GlossaryTerm, TermStatus, WorkflowError
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


class GlossaryCommentForm(forms.Form):
    comment = forms.CharField(label="What should change?", widget=forms.Textarea(attrs={"rows": 3}))


class GlossaryWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why take it off the public site?", widget=forms.Textarea(attrs={"rows": 2})
    )


ACTIONS = {
    "submit": (None, "Sent for medical review."),
    "approve": (GlossarySignForm, "Signed off: readers now see this definition."),
    "request_changes": (GlossaryCommentForm, "Sent back to the writer with your comment."),
    "withdraw": (GlossaryWithdrawForm, "Taken off the public site: answers no longer link it."),
}


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(NulSafeSearch, SimpleHistoryAdmin):
    list_display = ["term", "state", "updated_at"]
    list_filter = ["status"]
    search_fields = ["term", "other_names", "definition"]
    fields = ["term", "definition", "other_names"]
    history_list_display = ["status"]
    change_form_template = "admin/answers/glossaryterm/change_form.html"

    @admin.display(description="state")
    def state(self, term):
        if term.status == TermStatus.IN_REVIEW:
            return "In medical review"
        if term.differs_from_publication:
            return "Published; changes not yet reviewed"
        return "Published" if term.is_public else "Draft"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.refusals("edit", request.user):
            return self.fields
        return []

    def save_model(self, request, obj, form, change):
        if change:
            problems = obj.refusals("edit", request.user)
            if problems:
                raise PermissionDenied(" ".join(problems))
        obj._change_reason = "Changed in the glossary" if change else "Written"
        super().save_model(request, obj, form, change)

    def get_urls(self):
        view = self.admin_site.admin_view(require_POST(self.workflow_view))
        return [
            path(
                "<path:object_id>/workflow/<slug:action>/",
                view,
                name="answers_glossaryterm_workflow",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        term = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if term is not None:
            user = request.user
            extra["workflow"] = {
                "term": term,
                "can_submit": not term.refusals("submit", user),
                "can_review": not term.refusals("review", user),
                "approve_refusals": term.refusals("approve", user),
                "can_withdraw": not term.refusals("withdraw", user),
                "sign_form": GlossarySignForm(
                    initial={"shown_hash": term.content_hash()}, auto_id="sign-%s"
                ),
                "comment_form": GlossaryCommentForm(auto_id="changes-%s"),
                "withdraw_form": GlossaryWithdrawForm(auto_id="withdraw-%s"),
            }
        return super().change_view(request, object_id, form_url, extra)

    def workflow_view(self, request, object_id, action):
        term = get_object_or_404(GlossaryTerm, pk=unquote(object_id))
        if action not in ACTIONS:
            raise PermissionDenied("No such action on a glossary term.")
        form_class, done = ACTIONS[action]
        back = redirect(reverse("admin:answers_glossaryterm_change", args=[term.pk]))
        form = form_class(request.POST) if form_class else None
        if form is not None and not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return back
        data = form.cleaned_data if form is not None else {}
        try:
            if action == "submit":
                term.submit(by=request.user)
            elif action == "approve":
                term.approve(
                    by=request.user,
                    password=data["password"],
                    shown_hash=data["shown_hash"],
                    comment=data["comment"],
                )
            elif action == "request_changes":
                term.request_changes(by=request.user, comment=data["comment"])
            else:
                term.withdraw(by=request.user, reason=data["reason"])
        except WorkflowError as error:
            for problem in error.problems:
                messages.error(request, problem)
            return back
        messages.success(request, done)
        return back
