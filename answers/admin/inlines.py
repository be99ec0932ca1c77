"""The answer's sections and cited references, edited on its change page: nobody edits
them while the answer is in medical review."""

from django.contrib import admin
from django.db.models.functions import Length
from django.urls import reverse
from django.utils.html import format_html

from citations.models import Citation

from ..models import Section
from .forms import CitationForm, CitedReferenceSelect, SectionForm


class AnswerContentInline:
    """Sections and citations follow their answer: nobody edits them while it is in review."""

    @staticmethod
    def _editable(obj):
        return obj is None or obj.is_editable

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0


class SectionInline(AnswerContentInline, admin.StackedInline):
    model = Section
    form = SectionForm
    fields = ["position", "heading", "kind", "body"]
    ordering = ["position", "pk"]


class CitationInline(AnswerContentInline, admin.TabularInline):
    model = Citation
    form = CitationForm
    fields = ["label", "reference", "reference_status"]
    readonly_fields = ["reference_status"]
    autocomplete_fields = ["reference"]
    verbose_name = "reference cited"
    verbose_name_plural = "references cited (the number used in the text, and the work it cites)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "reference":
            kwargs["widget"] = CitedReferenceSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("reference")
            .order_by(Length("label"), "label")
        )

    @admin.display(description="state")
    def reference_status(self, citation):
        if citation.pk is None:
            return "–"
        reference = citation.reference
        url = reverse("admin:citations_reference_change", args=[reference.pk])
        if reference.retracted:
            return format_html('<a href="{}" class="qa-bad">Retracted</a>', url)
        missing = reference.missing_fields()
        if missing:
            return format_html(
                '<a href="{}" class="qa-bad">Incomplete: {}</a>', url, ", ".join(missing)
            )
        return format_html('<a href="{}">Complete</a>', url)
