"""Link health for editors: the broken and redirected links of live answers and their
references, each with the answers using it (the check itself: `answers.link_health`)."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from ..models import LinkStatus, OutboundLink
from .desk_admins import ReadOnlyAdmin


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("attention", "Broken or redirected"), *LinkStatus.choices]

    def queryset(self, request, queryset):
        if self.value() == "attention":
            return queryset.needing_attention()
        if self.value() in LinkStatus.values:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(OutboundLink)
class OutboundLinkAdmin(ReadOnlyAdmin):
    list_display = ["url", "status", "what_happened", "used_in", "checked_at"]
    list_filter = [NeedsAttentionFilter]
    search_fields = ["url", "final_url"]
    ordering = ["-broken_since", "url"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("answers__question")

    @admin.display(description="what happened")
    def what_happened(self, link):
        parts = []
        if link.http_status:
            parts.append(f"HTTP {link.http_status}")
        if link.error:
            parts.append(link.error)
        if link.final_url:
            parts.append(f"now at {link.final_url}")
        if link.broken_since:
            parts.append(
                f"broken since {date_format(timezone.localtime(link.broken_since), 'j M Y')}"
            )
        return "; ".join(parts)

    @admin.display(description="used in")
    def used_in(self, link):
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a>',
            (
                (reverse("admin:answers_answer_change", args=[a.pk]), a.question.text)
                for a in link.answers.all()
            ),
        )
