"""Search in readers' words, as editors run it: synonym sets, answers promoted for a query,
and the search report (what readers searched for, and what found nothing)."""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Sum
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from ..models import SearchCount, SearchPromotion, SynonymSet
from .desk_admins import ReadOnlyAdmin
from .search import NulSafeSearch

REPORT_PERIODS = {"1": "Today", "7": "Last 7 days", "30": "Last 30 days", "365": "Last year"}
REPORT_ROWS = 50


@admin.register(SynonymSet)
class SynonymSetAdmin(NulSafeSearch):
    list_display = ["terms", "source", "updated_at"]
    list_filter = ["source"]
    search_fields = ["terms"]
    fields = ["terms", "source", "source_note"]
    readonly_fields = ["source_note"]

    def get_readonly_fields(self, request, obj=None):
        # What came from a glossary term is changed there, not here.
        if obj is not None and obj.source == SynonymSet.Source.GLOSSARY:
            return ["terms", "source", "source_note"]
        return self.readonly_fields


@admin.register(SearchPromotion)
class SearchPromotionAdmin(NulSafeSearch):
    list_display = ["query", "publication", "position", "live", "created_by"]
    list_select_related = ["publication", "created_by"]
    search_fields = ["query", "publication__question"]
    autocomplete_fields = ["publication"]
    fields = ["query", "publication", "position"]

    @admin.display(boolean=True, description="live now")
    def live(self, promotion):
        return promotion.publication.is_live()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SearchCount)
class SearchReportAdmin(ReadOnlyAdmin):
    """Not a list of rows: one page summing the daily counts over a period."""

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)
        period = request.GET.get("days", "7")
        if period not in REPORT_PERIODS:
            period = "7"
        start = timezone.localdate() - timedelta(days=int(period) - 1)
        counts = SearchCount.objects.filter(day__gte=start)
        by_query = counts.values("query").annotate(
            total=Sum("searches"), nothing=Sum("found_nothing")
        )
        can_write = request.user.has_perm("answers.add_answer")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Search report",
            "periods": REPORT_PERIODS,
            "period": period,
            "start": start,
            "frequent": self._with_links(
                by_query.order_by("-total", "query")[:REPORT_ROWS], can_write
            ),
            "found_nothing": self._with_links(
                by_query.filter(nothing__gt=0).order_by("-nothing", "query")[:REPORT_ROWS],
                can_write,
            ),
            "days": counts.values("day")
            .annotate(total=Sum("searches"), nothing=Sum("found_nothing"))
            .order_by("-day"),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/answers/search_report.html", context)

    @staticmethod
    def _with_links(rows, can_write):
        """Each query with the add-answer form, its question prefilled, for "write an answer
        to this" (for those who may write one)."""
        add = reverse("admin:answers_answer_add")
        rows = list(rows)
        for row in rows:
            question = row["query"][:1].upper() + row["query"][1:]
            row["write_url"] = (
                f"{add}?{urlencode({'question_text': question})}" if can_write else ""
            )
        return rows
