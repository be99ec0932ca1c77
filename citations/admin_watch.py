"""The retraction watch in the admin: notices found on references (a clinician records
how each was handled) and the watch's runs, read-only, with their retries."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join

from .models import ReferenceNotice, RetractionCheck


class ReferenceNoticeForm(forms.ModelForm):
    class Meta:
        model = ReferenceNotice
        fields = ["handling_note"]

    def clean_handling_note(self):
        note = self.cleaned_data["handling_note"].strip()
        if not note:
            raise forms.ValidationError(
                "Say how the notice was handled, e.g. “Removed from the answer and replaced "
                "by [12]” or “Kept: the expression of concern does not touch the finding cited”."
            )
        return note


class UnhandledFilter(admin.SimpleListFilter):
    title = "handled"
    parameter_name = "handled"

    def lookups(self, request, model_admin):
        return [("no", "Not yet handled"), ("yes", "Handled")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.unhandled()
        if self.value() == "yes":
            return queryset.filter(acknowledged_at__isnull=False)
        return queryset


@admin.register(ReferenceNotice)
class ReferenceNoticeAdmin(admin.ModelAdmin):
    form = ReferenceNoticeForm
    list_display = ["reference", "kind", "date", "notice_link", "first_seen_at", "handled"]
    list_filter = [UnhandledFilter, "kind"]
    list_select_related = ["reference", "acknowledged_by"]
    search_fields = ["reference__title", "reference__doi", "reference__pmid", "notice_doi"]
    readonly_fields = [
        "reference",
        "kind",
        "date",
        "notice_link",
        "source",
        "first_seen_at",
        "acknowledged_by",
        "acknowledged_at",
    ]
    fields = readonly_fields + ["handling_note"]

    @admin.display(description="notice")
    def notice_link(self, notice):
        if not notice.link:
            return notice.notice_doi or "–"
        return format_html('<a href="{}">{}</a>', notice.link, notice.notice_doi or notice.link)

    @admin.display(description="handled", boolean=True)
    def handled(self, notice):
        return notice.acknowledged_at is not None

    def has_add_permission(self, request):
        return False  # notices come from the watch

    def has_delete_permission(self, request, obj=None):
        return False  # the history of notices is kept

    def has_change_permission(self, request, obj=None):
        # Only a clinician (change_referencenotice: roles.py) records how it was handled, once.
        if obj is not None and obj.acknowledged_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.acknowledge(by=request.user, note=form.cleaned_data["handling_note"])
        messages.success(
            request,
            f"Recorded how the {obj.get_kind_display().lower()} was handled: it no longer "
            "blocks approval of the answers citing this reference.",
        )


def notice_list(reference):
    """The reference's notices, each linked to its admin page (where it is marked handled)."""
    if reference.pk is None or not reference.notices.exists():
        return "None"
    return format_html(
        '<ul class="qa-plain-list">{}</ul>',
        format_html_join(
            "",
            '<li><a href="{}">{}</a>{}: {}</li>',
            (
                (
                    reverse("admin:citations_referencenotice_change", args=[notice.pk]),
                    notice.get_kind_display(),
                    f" ({notice.date_text})" if notice.date else "",
                    f"handled: {notice.handling_note}"
                    if notice.acknowledged_at
                    else "not yet handled",
                )
                for notice in reference.notices.all()
            ),
        ),
    )


def _local(moment):
    return date_format(timezone.localtime(moment), "j M Y H:i")


def _run_link(run):
    url = reverse("admin:citations_retractioncheck_change", args=[run.pk])
    return format_html('<a href="{}">{}</a>', url, f"the run of {_local(run.started_at)}")


@admin.register(RetractionCheck)
class RetractionCheckAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "attempt",
        "result",
        "checked",
        "notices_found",
        "failed",
        "outcome",
    ]
    list_select_related = ["retry"]
    readonly_fields = [
        "started_at",
        "finished_at",
        "result",
        "attempt",
        "retrying",
        "checked",
        "notices_found",
        "failure_list",
        "outcome",
    ]
    fields = readonly_fields

    @admin.display(description="what happened")
    def result(self, run):
        """In words, a run that could not check every reference marked as failed."""
        if run.has_failed:
            return format_html('<strong class="qa-bad">Failed: {}</strong>', run.summary)
        return run.summary

    @admin.display(description="failures")
    def failure_list(self, run):
        if not run.failures:
            return "None"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((f,) for f in run.failures))
        )

    @admin.display(description="retry of")
    def retrying(self, run):
        if run.retry_of_id is None:
            return "– (a full check)"
        return format_html("{}: only the references it could not check", _run_link(run.retry_of))

    @admin.display(description="outcome")
    def outcome(self, run):
        """Whether the references it could not check are tried again, when, or no more."""
        if run.finished_at is None:
            return "Running"
        if not run.failures:
            return "Complete"
        retry = getattr(run, "retry", None)
        if retry is not None:
            return format_html("{} not checked: retried in {}", run.failed, _run_link(retry))
        if run.retry_at is not None:
            return (
                f"{run.failed} not checked: retry {run.attempt + 1} of "
                f"{max(settings.RETRACTION_CHECK_ATTEMPTS, run.attempt + 1)} at "
                f"{_local(run.retry_at)}"
            )
        return (
            f"{run.failed} not checked after {run.attempt} "
            f"attempt{'s' if run.attempt != 1 else ''}: no more retries. The next daily "
            "check tries every reference again."
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
