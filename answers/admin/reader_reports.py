"""Reader feedback for editors: the problem reports' queue (assign, note, pass to the
writers as a comment on the answer, close with an outcome) and the helpful / not helpful
votes with what readers said was missing. Versions are named by date and clinician, never
by hash."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_POST

from ..models import FeedbackOutcome, ProblemReport, ReaderFeedback, SignOff, WorkflowError
from ..people import display_name
from .search import NulSafeSearch


def version_name(signoff):
    if signoff is None:
        return "an earlier version"
    return f"the version approved on {date_format(signoff.created_at, 'j M Y')} by {signoff.signer_name}"


class AssignForm(forms.Form):
    to = forms.ModelChoiceField(
        label="Assign to",
        queryset=get_user_model().objects.filter(is_active=True, is_staff=True),
        required=False,
        empty_label="Nobody",
    )


class NoteForm(forms.Form):
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=FeedbackOutcome.choices)
    fixed_in = forms.ModelChoiceField(
        label="Fixed in", queryset=SignOff.objects.none(), required=False
    )
    duplicate_of = forms.ModelChoiceField(
        label="Duplicate of", queryset=ReaderFeedback.objects.none(), required=False
    )

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fixed_in"].queryset = SignOff.objects.filter(
            answer_id=report.answer_id, created_at__gte=report.created_at
        ).order_by("-created_at")
        self.fields["fixed_in"].label_from_instance = version_name
        self.fields["duplicate_of"].queryset = (
            ProblemReport.objects.filter(answer_id=report.answer_id)
            .exclude(pk=report.pk)
            .order_by("-created_at")
        )
        self.fields["duplicate_of"].label_from_instance = lambda other: (
            f"reported {date_format(other.created_at, 'j M Y')}: {other.message[:60]}"
        )


class OpenFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("mine", "Assigned to me"), ("closed", "Closed")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(resolved=False)
        if self.value() == "mine":
            return queryset.filter(resolved=False, assigned_to=request.user)
        if self.value() == "closed":
            return queryset.filter(resolved=True)
        return queryset


@admin.register(ProblemReport)
class ProblemReportAdmin(NulSafeSearch, admin.ModelAdmin):
    list_display = ["answer", "message_excerpt", "reported", "assigned", "state"]
    list_filter = [OpenFilter]
    list_select_related = ["answer__question", "assigned_to__contributor"]
    search_fields = ["message", "answer__question__text"]
    fields = ["answer", "message", "reported", "seen_version", "assigned", "state", "notes"]
    readonly_fields = fields
    change_form_template = "admin/answers/problemreport/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="message")
    def message_excerpt(self, report):
        text = report.message
        return text if len(text) <= 120 else text[:119] + "…"

    @admin.display(description="reported", ordering="created_at")
    def reported(self, report):
        return date_format(report.created_at, "j M Y, H:i T")

    @admin.display(description="version the reader saw")
    def seen_version(self, report):
        return version_name(report.signoff)

    @admin.display(description="assigned to")
    def assigned(self, report):
        return display_name(report.assigned_to) if report.assigned_to else "Nobody"

    @admin.display(description="state")
    def state(self, report):
        if not report.resolved:
            passed = " (passed to the writers)" if report.passed_to_writers_at else ""
            return f"Open{passed}"
        if report.outcome == FeedbackOutcome.FIXED:
            return f"Closed: fixed in {version_name(report.fixed_in)}"
        if report.outcome:
            return f"Closed: {report.get_outcome_display().lower()}"
        return "Closed"

    def get_urls(self):
        view = self.admin_site.admin_view(require_POST(self.queue_view))
        return [
            path(
                "<path:object_id>/queue/<slug:action>/",
                view,
                name="answers_problemreport_queue",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if report is not None and not report.resolved and self.has_change_permission(request):
            extra["queue"] = {
                "report": report,
                "assign_form": AssignForm(initial={"to": report.assigned_to}, auto_id="assign-%s"),
                "note_form": NoteForm(auto_id="note-%s"),
                "close_form": CloseForm(report=report, auto_id="close-%s"),
            }
        return super().change_view(request, object_id, form_url, extra)

    def queue_view(self, request, object_id, action):
        report = get_object_or_404(ProblemReport, pk=unquote(object_id))
        if not self.has_change_permission(request, report):
            raise PermissionDenied
        back = redirect(reverse("admin:answers_problemreport_change", args=[report.pk]))
        forms_by_action = {
            "assign": lambda: AssignForm(request.POST),
            "note": lambda: NoteForm(request.POST),
            "close": lambda: CloseForm(request.POST, report=report),
            "pass": lambda: None,
        }
        if action not in forms_by_action:
            raise PermissionDenied("No such action on a report.")
        form = forms_by_action[action]()
        if form is not None and not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return back
        data = form.cleaned_data if form is not None else {}
        try:
            if action == "assign":
                report.assign(by=request.user, to=data["to"])
                done = f"Assigned to {display_name(data['to'])}." if data["to"] else "Unassigned."
            elif action == "note":
                report.annotate(by=request.user, note=data["note"])
                done = "Note added."
            elif action == "pass":
                report.pass_to_writers(by=request.user)
                done = "Passed to the writers: the report is a comment on the answer now."
            else:
                report.close(
                    by=request.user,
                    outcome=data["outcome"],
                    fixed_in=data.get("fixed_in"),
                    duplicate_of=data.get("duplicate_of"),
                )
                done = "Report closed."
        except WorkflowError as error:
            for problem in error.problems:
                messages.error(request, problem)
            return back
        messages.success(request, done)
        return back


class VoteFilter(admin.SimpleListFilter):
    title = "vote"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [
            (ReaderFeedback.Kind.HELPFUL, "Helpful"),
            (ReaderFeedback.Kind.NOT_HELPFUL, "Not helpful"),
        ]

    def queryset(self, request, queryset):
        if self.value() in (ReaderFeedback.Kind.HELPFUL, ReaderFeedback.Kind.NOT_HELPFUL):
            return queryset.filter(kind=self.value())
        return queryset


@admin.register(ReaderFeedback)
class ReaderVoteAdmin(NulSafeSearch, admin.ModelAdmin):
    """The votes, with what readers said was missing; problem reports have their queue."""

    list_display = ["answer", "kind", "what_was_missing", "created_at"]
    list_filter = [VoteFilter]
    list_select_related = ["answer__question"]
    search_fields = ["message", "answer__question__text"]
    fields = ["answer", "kind", "message", "created_at", "seen_version"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(kind=ReaderFeedback.Kind.PROBLEM)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="what was missing")
    def what_was_missing(self, vote):
        return vote.message[:120]

    @admin.display(description="version the reader saw")
    def seen_version(self, vote):
        return version_name(vote.signoff)
