"""The reference library in the admin: find a work (the answer form's citation autocomplete
searches here), see whether it is complete enough to cite, and fix it in a form that speaks
in names and identifiers rather than CSL-JSON."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import normalize_newlines

from .admin_lookup import add_by_identifier_urls
from .admin_watch import notice_list
from .author_lines import name_line, parse_name_line
from .formatting import format_reference
from .identifiers import normalize_pmid, strip_doi, validate_pmid
from .models import Reference


class AuthorsField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 6, "cols": 60})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Authors")
        kwargs.setdefault(
            "help_text",
            "One author per line, family name first: “Smith, Jane A”. A line without a comma "
            "is kept as written, for an organisation: “World Health Organization”.",
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(name_line(name) for name in value if isinstance(name, dict))
        return value


class ReferenceForm(forms.ModelForm):
    authors = AuthorsField()
    # Longer than a PMID so "PMID: 31535829" can be pasted; the model checks the digits.
    pmid = forms.CharField(label="PubMed ID", required=False, max_length=30)

    class Meta:
        model = Reference
        fields = [
            "type",
            "title",
            "authors",
            "container_title",
            "container_title_short",
            "year",
            "month",
            "day",
            "volume",
            "issue",
            "page",
            "doi",
            "pmid",
            "pmcid",
            "url",
            "publication_type",
            "note",
            "is_placeholder",
            "retracted",
            "retraction_doi",
        ]
        labels = {"retracted": "Mark retracted"}
        widgets = {
            "title": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "container_title": forms.TextInput(attrs={"class": "vLargeTextField"}),
        }
        help_texts = {
            "retracted": "A retracted reference blocks approval of every answer citing it. "
            "Give the retraction notice's DOI below.",
            "doi": "As the journal prints it, e.g. 10.1056/NEJMoa1911303 "
            "(a doi.org link works too).",
            "pmid": "1 to 8 digits, e.g. 31535829.",
            "pmcid": "PMC followed by digits, e.g. PMC11446985.",
        }

    def clean_authors(self):
        """Lines back to CSL-JSON names; a line that is unchanged keeps its original name,
        with any particles or suffix the import recorded."""
        original = {name_line(name): name for name in (self.instance.authors or [])}
        names = []
        for line in self.cleaned_data["authors"].splitlines():
            line = " ".join(line.split())
            if not line:
                continue
            if line.strip(",").strip() == "":
                raise forms.ValidationError("A line holds only a comma: write the name.")
            names.append(original.get(line) or parse_name_line(line))
        return names

    def clean_note(self):
        return normalize_newlines(self.cleaned_data["note"])

    def _unique_identifier(self, field, value, label):
        if not value:
            return None
        others = Reference.objects.exclude(pk=self.instance.pk)
        lookup = Q(doi__iexact=value) if field == "doi" else Q(pmid=value)
        holder = others.filter(lookup).first()
        if holder is not None:
            raise forms.ValidationError(
                f"The reference “{holder.short_citation}” already has this {label}. "
                "Each work is in the library once: cite that reference instead, or correct "
                "the identifier.",
                code="duplicate",
            )
        return value

    def clean_doi(self):
        doi = strip_doi(self.cleaned_data.get("doi")) or None
        return self._unique_identifier("doi", doi, "DOI")

    def clean_pmid(self):
        pmid = normalize_pmid(self.cleaned_data.get("pmid")) or None
        if pmid:
            # Checked here so a too-long number gets this one message, not a length error too.
            validate_pmid(pmid)
        return self._unique_identifier("pmid", pmid, "PubMed ID")

    def clean(self):
        cleaned = super().clean()
        notice = (cleaned.get("retraction_doi") or "").strip()
        if cleaned.get("retracted") and not notice and "retraction_doi" not in self.errors:
            self.add_error(
                "retraction_doi",
                "Give the DOI of the retraction notice to mark this reference retracted.",
            )
        return cleaned


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    form = ReferenceForm
    change_list_template = "admin/citations/reference/change_list.html"
    view_on_site = False  # its "absolute URL" is this admin page

    class Media:
        css = {"all": ["css/admin.css"]}

    search_fields = ["title", "doi", "pmid", "container_title"]
    list_display = [
        "title_or_placeholder",
        "year",
        "container_title",
        "doi",
        "pmid",
        "completeness",
        "evidence_level",
        "retracted",
    ]
    list_filter = ["retracted", "is_placeholder", "evidence_level", "type"]
    readonly_fields = ["formatted", "completeness", "evidence_level", "cited_by", "notices"]
    fieldsets = [
        (None, {"fields": ["formatted", "completeness", "cited_by"]}),
        (
            "The work",
            {
                "fields": [
                    "type",
                    "title",
                    "authors",
                    "container_title",
                    "container_title_short",
                    ("year", "month", "day"),
                    ("volume", "issue", "page"),
                ]
            },
        ),
        ("Identifiers", {"fields": ["doi", "pmid", "pmcid", "url"]}),
        ("Evidence", {"fields": ["publication_type", "evidence_level"]}),
        ("Retraction", {"fields": ["notices", "retracted", "retraction_doi"]}),
        ("Notes", {"fields": ["note", "is_placeholder"]}),
    ]

    @admin.display(description="work", ordering="title")
    def title_or_placeholder(self, reference):
        return str(reference)

    @admin.display(description="completeness")
    def completeness(self, reference):
        missing = reference.missing_fields()
        if not missing:
            return "Complete"
        return format_html('<span class="qa-bad">Missing: {}</span>', ", ".join(missing))

    @admin.display(description="formatted citation")
    def formatted(self, reference):
        if reference.pk is None:
            return "Shown once the reference is saved."
        # format_reference escapes the record's text; the markup is citeproc's and ours.
        html = format_reference(reference.to_csl(), style=settings.CITATION_STYLE)
        return format_html('<div class="qa-formatted">{}</div>', mark_safe(html))

    @admin.display(description="cited by")
    def cited_by(self, reference):
        if reference.pk is None:
            return "–"
        citations = reference.citations.select_related("answer__question")
        if not citations:
            return "No answer cites it yet."
        return format_html(
            '<ul class="qa-plain-list">{}</ul>',
            format_html_join(
                "",
                '<li><a href="{}">{}</a> as [{}] ({})</li>',
                (
                    (
                        reverse("admin:answers_answer_change", args=[c.answer_id]),
                        c.answer.question.text,
                        c.label,
                        c.answer.get_status_display().lower(),
                    )
                    for c in citations
                ),
            ),
        )

    @admin.display(description="notices found by the retraction watch")
    def notices(self, reference):
        return notice_list(reference)

    def get_urls(self):
        return add_by_identifier_urls(self) + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        url = reverse("import_references") if self.has_add_permission(request) else None
        return super().changelist_view(
            request, {"import_references_url": url, **(extra_context or {})}
        )
