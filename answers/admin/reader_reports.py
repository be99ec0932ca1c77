"""Reader feedback for editors: the problem reports' queue (assign, note, pass to the
writers as a comment on the answer, close with an outcome) and the helpful / not helpful
votes with what readers said was missing. Versions are named by date and clinician, never
by hash."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.dateformat import format as date_format

from ..models import FeedbackOutcome, ProblemReport, ReaderFeedback, SignOff
from ..people import display_name
from .object_actions import action_url, carry_out
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
        queue = action_url(
            self, self.queue_view, segment="queue", name="answers_problemreport_queue"
        )
        return [queue, *super().get_urls()]

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
        by, post = request.user, request.POST

        def assign(data):
            report.assign(by=by, to=data["to"])
            return f"Assigned to {display_name(data['to'])}." if data["to"] else "Unassigned."

        def note(data):
            report.annotate(by=by, note=data["note"])
            return "Note added."

        def pass_on(data):
            report.pass_to_writers(by=by)
            return "Passed to the writers: the report is a comment on the answer now."

        def close(data):
            report.close(
                by=by,
                outcome=data["outcome"],
                fixed_in=data.get("fixed_in"),
                duplicate_of=data.get("duplicate_of"),
            )
            return "Report closed."

        actions = {
            "assign": (AssignForm(post), assign),
            "note": (NoteForm(post), note),
            "pass": (None, pass_on),
            "close": (CloseForm(post, report=report), close),
        }
        back = reverse("admin:answers_problemreport_change", args=[report.pk])
        return carry_out(request, actions, action, back=back)


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
