"""The answer's sections and cited references, edited on its change page: nobody edits
them while the answer is in medical review."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.db.models.functions import Length
from django.forms.models import BaseInlineFormSet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from citations.models import Citation

from ..models import (
    HOUSE_STRUCTURE,
    ReviewComment,
    ReviewStep,
    Section,
    Topic,
    TopicName,
    TopicSection,
    language_name,
    route_problems,
)
from .forms import CitationForm, CitedReferenceSelect, SectionForm


def new_answer_structure(request) -> list[tuple[str, str]]:
    """The (heading, kind) sections a new answer starts with: its topic's (the add page
    can be opened with ?topic=<id>), else the house structure."""
    topic_id = request.GET.get("topic", "")
    topic = Topic.objects.filter(pk=topic_id).first() if topic_id.isdigit() else None
    return topic.section_structure() if topic is not None else list(HOUSE_STRUCTURE)


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
    fields = ["position", "heading", "kind", "body", "clinician_comments"]
    readonly_fields = ["clinician_comments"]
    ordering = ["position", "pk"]

    def get_extra(self, request, obj=None, **kwargs):
        """A new answer starts with one empty section per part of its structure (the
        answer admin fills in their headings and kinds)."""
        return len(new_answer_structure(request)) if obj is None else 0

    def get_queryset(self, request):
        """Each section's open comments, with their authors and replies, in a fixed number of
        queries, not some per section."""
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "review_comments", queryset=open_comments(), to_attr="open_review_comments"
                )
            )
        )

    @admin.display(description="clinician's comments")
    def clinician_comments(self, section):
        """Open comments beside their section, to reply to and resolve in place."""
        open_ones = getattr(section, "open_review_comments", []) if section.pk else []
        if not open_ones:
            return "None open"
        return comments_in_place(open_ones)


def open_comments():
    return (
        ReviewComment.objects.filter(resolved_at__isnull=True)
        .select_related("author__contributor")
        .prefetch_related("replies__author__contributor")
    )


def comments_in_place(comments):
    """Comments drawn beside their field, inside the answer's form (review_comment.html)."""
    return mark_safe(
        "".join(
            render_to_string(
                "admin/answers/includes/review_comment_in_place.html", {"comment": comment}
            )
            for comment in comments
        )
    )


class CitationFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        """A table row's delete box: its column heading is not a <label>, so it is named."""
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            label = form.instance.label if form.instance.pk else ""
            form.fields["DELETE"].widget.attrs["aria-label"] = (
                f"Delete reference cited as [{label}]" if label else "Delete this row"
            )


class CitationInline(AnswerContentInline, admin.TabularInline):
    model = Citation
    form = CitationForm
    formset = CitationFormSet
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


class ReviewRouteFormSet(BaseInlineFormSet):
    """A topic's steps are checked as a route (`route_problems`): the last must be a
    clinicians' sign-off, the positions distinct. No steps: the default route."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        steps = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = route_problems(steps)
        if problems:
            raise ValidationError(problems)


class ReviewStepInline(admin.StackedInline):
    """On the topic's page: its review route, the steps an answer goes through before it is
    published (none: one medical reviewer signs it off, the default)."""

    model = ReviewStep
    formset = ReviewRouteFormSet
    fields = ["position", "group", "kind", "quorum"]
    extra = 0
    verbose_name = "review step"
    verbose_name_plural = (
        "review route (no steps: one medical reviewer signs it off; otherwise the steps in "
        "order, the last a sign-off by medical reviewers, which publishes)"
    )


class TopicSectionInline(admin.StackedInline):
    """On the topic's page: the sections new answers in the topic start with (stacked, so
    each field has its label: the route's steps beside it are, and axe checks the page)."""

    model = TopicSection
    fields = ["position", "heading", "kind"]
    extra = 0
    verbose_name_plural = (
        "sections new answers start with (none: the house structure, "
        + " then ".join(f"“{heading}”" for heading, _ in HOUSE_STRUCTURE)
        + ")"
    )


class TopicNameForm(forms.ModelForm):
    """Only the languages the site is translated into (settings.CONTENT_LANGUAGES), and the
    row's own (a language since dropped from the settings stays editable, or deletable)."""

    class Meta:
        model = TopicName
        fields = ["language", "name", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = list(settings.CONTENT_LANGUAGES)
        if self.instance.language and self.instance.language not in codes:
            codes.append(self.instance.language)
        self.fields["language"] = forms.ChoiceField(
            choices=[("", "---------")] + [(code, language_name(code)) for code in codes],
        )
        self.fields["name"].help_text = RENAME_IN_LANGUAGE


RENAME_IN_LANGUAGE = (
    "The topic's pages in this language show it at once. Each published translation keeps, "
    "in its disclaimer and breadcrumb, the name its clinician approved (or, if the topic had "
    "no name in the language then, the general disclaimer) until it is approved again."
)


class TopicNameInline(admin.StackedInline):
    """On the topic's page: its name (and description) in each language the site is
    translated into, which the topic's pages in that language show at once."""

    model = TopicName
    form = TopicNameForm
    extra = 0
    verbose_name = "name in another language"
    verbose_name_plural = "names in other languages"

    def get_max_num(self, request, obj=None, **kwargs):
        return len(settings.CONTENT_LANGUAGES)
