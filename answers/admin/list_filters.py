"""The answer list's own filters: waiting for my review, unassigned, overdue, citing a
retracted study; and what is scheduled to go live or come down."""

from django.contrib import admin

from ..models import Answer


class ReviewFilter(admin.SimpleListFilter):
    title = "medical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("mine", "Waiting for my review"),
            ("unassigned", "Unassigned reviews"),
            ("overdue", "Review overdue"),
            ("notice", "Citing a retracted study"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset & Answer.objects.awaiting_review_by(request.user)
        if self.value() == "unassigned":
            return queryset & Answer.objects.unassigned_reviews()
        if self.value() == "notice":
            return queryset & Answer.objects.citing_unhandled_notice()
        if self.value() == "overdue":
            return queryset & Answer.objects.review_overdue()
        return queryset


class ScheduleFilter(admin.SimpleListFilter):
    title = "schedule"
    parameter_name = "schedule"

    def lookups(self, request, model_admin):
        return [("scheduled", "Go-live or take-down to come")]

    def queryset(self, request, queryset):
        if self.value() == "scheduled":
            return queryset.filter(pk__in=Answer.objects.scheduled_changes().values("pk"))
        return queryset
