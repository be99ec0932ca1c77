"""Forms for an answer's content: the answer with its question, its sections and
citations, and a contributor's byline.

The answer form edits the question's wording, address and topic alongside the answer, so a
writer works on one page and every change lands in one versioned revision. `status` is not
a field of any form here: only the workflow methods on Answer change it.
"""

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.text import normalize_newlines

from citations.identifiers import normalize_orcid
from citations.models import Citation

from ...models import Answer, Contributor, Question, Section, Topic
from ...people import display_name
from ...roles import EDITORS, WRITERS

CHANGE_NOTE_LABEL = "What changed and why"

# Form field -> how the revision comment names it.
FIELD_NAMES = {
    "question_text": "question",
    "slug": "address",
    "topic": "topic",
    "lead": "short answer",
    "writers": "writers",
}


def unix_newlines(text: str) -> str:
    """Browsers send textarea lines ending in CRLF: store LF, as the importer does, so a save
    that changes nothing leaves the content (and its hash) as it was."""
    return normalize_newlines(text or "")


def writer_candidates(*, keep=()):
    """Who can be named as a writer: active staff in the Writers or Editors groups (and
    superusers), plus the users in `keep` (writers already named stay selectable)."""
    eligible = Q(is_active=True, is_staff=True) & (
        Q(groups__name__in=[WRITERS, EDITORS]) | Q(is_superuser=True)
    )
    ids = get_user_model().objects.filter(eligible | Q(pk__in=list(keep))).values("pk")
    return (
        get_user_model()
        .objects.filter(pk__in=ids)
        .select_related("contributor")
        .order_by("username")
    )


# User ids are big integers: anything else is refused before it reaches the database.
MAX_ID = 2**63 - 1


def valid_ids(values):
    return [v for v in values if str(v).isdigit() and 0 < int(str(v)) <= MAX_ID]


class WritersField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not valid_ids([pk]):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)

    def label_from_instance(self, user):
        name = display_name(user)
        return name if name == user.get_username() else f"{name} ({user.get_username()})"


class LoadedSelection:
    """An autocomplete widget rendering its selected options from objects the form already
    holds (`loaded`), rather than one query per widget: 60 citation rows, 60 queries
    otherwise. Anything selected that is not loaded is looked up as Django does."""

    loaded = ()

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if v not in self.choices.field.empty_values}
        known = [obj for obj in self.loaded if str(obj.pk) in selected]
        # A single select that may be empty also shows the empty choice: Django's own path.
        empty_choice = not self.is_required and not self.allow_multiple_selected
        if not selected or len(known) != len(selected) or empty_choice:
            return super().optgroups(name, value, attr)
        label = self.choices.field.label_from_instance
        options = [
            self.create_option(name, obj.pk, label(obj), selected, index)
            for index, obj in enumerate(known)
        ]
        return [(None, options, 0)]


def autocomplete_widget(field):
    widget = getattr(field, "widget", None)
    return getattr(widget, "widget", widget)  # inside the admin's related-widget wrapper


class WritersWidget(LoadedSelection, AutocompleteSelectMultiple):
    """The admin's autocomplete, fed by the answer admin's own writer search: the stock
    user search needs permission to view users, which writers do not have."""

    def get_url(self):
        return reverse(f"{self.admin_site.name}:answers_answer_writer_autocomplete")

    def optgroups(self, name, value, attr=None):
        # Redisplaying a refused form: only ids that can name a user are looked up.
        return super().optgroups(name, valid_ids(value), attr)


IN_REVIEW_READ_ONLY = (
    "This answer is in medical review, so nobody can edit it until the clinician approves "
    "it or sends it back."
)
NOT_SAVED = " Your changes were not saved."
SAVED_MEANWHILE = (
    "Someone else saved this answer after you opened it, so your changes were not saved. "
    "Copy what you changed, reload the page to see their version, and apply your changes again."
)


class AnswerForm(forms.ModelForm):
    question_text = forms.CharField(
        label="Question",
        max_length=Question._meta.get_field("text").max_length,
        validators=Question._meta.get_field("text").validators,
        help_text="The patient's own wording, as the page heading shows it.",
        widget=forms.TextInput(attrs={"class": "vLargeTextField"}),
    )
    slug = forms.SlugField(
        label="Address",
        max_length=Question._meta.get_field("slug").max_length,
        required=False,
        help_text="The end of the public address: /questions/this-address/. "
        "Leave it empty to make one from the question.",
    )
    topic = forms.ModelChoiceField(queryset=Topic.objects.all())
    change_note = forms.CharField(
        label=CHANGE_NOTE_LABEL,
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Optional. Kept with this version in the history, for the clinician and "
        "other writers. Without it the history lists which parts changed.",
    )

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)
    # Off for the live preview, which saves nothing and must not lock the answer's row.
    checks_saved_meanwhile = True

    class Meta:
        model = Answer
        fields = ["lead", "writers", "certainty", "certainty_reason"]
        widgets = {"lead": forms.Textarea(attrs={"rows": 6, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "writers" in self.fields and self.instance.pk:
            # Writers already named stay valid even if they have left the Writers group.
            # (The answer admin prefetches them with their contributor profiles.)
            current = sorted(self.instance.writers.all(), key=lambda user: user.get_username())
            self.fields["writers"].queryset = writer_candidates(keep=[u.pk for u in current])
            widget = autocomplete_widget(self.fields["writers"])
            if isinstance(widget, WritersWidget):
                widget.loaded = current
        if self.instance.pk:
            self.initial["loaded_version"] = self.instance.updated_at.isoformat()
        question = self.instance.question if self.instance.question_id else None
        if question is not None:
            self.initial.setdefault("question_text", question.text)
            self.initial.setdefault("slug", question.slug)
            self.initial.setdefault("topic", question.topic_id)
            if getattr(self.instance, "publication", None) is not None:
                self.fields["slug"].disabled = True
                self.fields["slug"].help_text = (
                    "The public address stays the same once an answer has been published, "
                    "so links to it keep working."
                )

    def _check_not_saved_meanwhile(self, loaded):
        """Two people editing at once: the second save is refused rather than silently
        overwriting the first (or a submission made meanwhile). The row stays locked until
        this save commits. A POST without the version it was loaded at is refused too, so
        the check cannot be skipped by leaving the field out."""
        if not self.instance.pk:
            return
        saved = (
            Answer.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("updated_at", "status")
            .first()
        )
        if saved is None:
            return
        updated_at, status = saved
        if status == Answer.Status.IN_REVIEW:
            self.add_error(None, IN_REVIEW_READ_ONLY + NOT_SAVED)
        elif not loaded or updated_at.isoformat() != loaded:
            self.add_error(None, SAVED_MEANWHILE)

    def clean_question_text(self):
        return self.cleaned_data["question_text"].strip()

    def clean_lead(self):
        return unix_newlines(self.cleaned_data["lead"])

    def clean_change_note(self):
        return " ".join(self.cleaned_data["change_note"].split())

    def clean(self):
        cleaned = super().clean()
        if self.checks_saved_meanwhile:
            self._check_not_saved_meanwhile(cleaned.get("loaded_version"))
        slug, text = cleaned.get("slug"), cleaned.get("question_text")
        question = self.instance.question if self.instance.question_id else None
        if slug:
            taken = Question.objects.filter(slug=slug)
            if question is not None:
                taken = taken.exclude(pk=question.pk)
            other = taken.first()
            if other is not None:
                self.add_error(
                    "slug",
                    f"The question “{other.text}” already uses this address: choose another, "
                    "or leave it empty to make one from the question.",
                )
        elif text:
            cleaned["slug"] = Question.unique_slug_for(
                text, exclude_pk=question.pk if question else None
            )
        return cleaned

    def save_question(self) -> Question:
        """Create or update the answer's question from the form (before the answer is saved)."""
        question = self.instance.question if self.instance.question_id else Question()
        question.text = self.cleaned_data["question_text"]
        question.slug = self.cleaned_data["slug"]
        question.topic = self.cleaned_data["topic"]
        question.save()
        self.instance.question = question
        return question

    def describe_changes(self) -> list[str]:
        """The answer's own fields that changed, as the revision comment names them."""
        return [FIELD_NAMES[name] for name in self.changed_data if name in FIELD_NAMES]


class SectionForm(forms.ModelForm):
    position = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=32767,
        help_text="Sections appear in this order. Leave empty to add at the end.",
        widget=forms.NumberInput(attrs={"class": "vSmallIntegerField"}),
    )

    class Meta:
        model = Section
        fields = ["position", "heading", "kind", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8, "cols": 80})}

    def clean_body(self):
        return unix_newlines(self.cleaned_data["body"])


class CitedReferenceSelect(LoadedSelection, AutocompleteSelect):
    """The reference autocomplete of one citation row, rendering its selected reference from
    the citation already loaded (the inline selects both in one query)."""


class CitationForm(forms.ModelForm):
    label = forms.RegexField(
        regex=r"^[0-9]{1,6}$",
        max_length=6,
        help_text="The number the text uses: 9 for [9].",
        error_messages={"invalid": "Use the number the text cites, e.g. 9 for [9]."},
        # A table row's field: its column heading is not a <label>, so it is named here.
        widget=forms.TextInput(attrs={"size": 6, "aria-label": "Number in the text"}),
    )

    class Meta:
        model = Citation
        fields = ["label", "reference"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = autocomplete_widget(self.fields.get("reference"))
        if isinstance(widget, CitedReferenceSelect) and Citation.reference.is_cached(self.instance):
            widget.loaded = [self.instance.reference]


class ContributorForm(forms.ModelForm):
    # Room for the iD as a link (https://orcid.org/...); the model checks the tidied iD.
    orcid = forms.CharField(
        label="ORCID iD",
        required=False,
        max_length=60,
        help_text="0000-0000-0000-0000, or the link from the person's ORCID record.",
    )

    class Meta:
        model = Contributor
        fields = [
            "user",
            "display_name",
            "slug",
            "credentials",
            "role_title",
            "bio",
            "orcid",
            "conflicts_of_interest",
            "languages",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Ticked from the site's translation languages (settings.CONTENT_LANGUAGES), kept
        # as codes; a code no longer configured stays listed, so saving does not drop it.
        offered = dict(settings.LANGUAGES[1:])
        for code in self.instance.language_codes if self.instance else []:
            offered.setdefault(code, f"{code} (no longer a site language)")
        self.fields["languages"] = forms.MultipleChoiceField(
            label="Languages they work in",
            choices=list(offered.items()),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=Contributor._meta.get_field("languages").help_text
            if offered
            else "The site is published in English only (settings: CONTENT_LANGUAGES).",
        )
        self.initial["languages"] = self.instance.language_codes if self.instance else []

    def clean_languages(self):
        return ",".join(self.cleaned_data["languages"])

    def clean_orcid(self):
        """Accept the iD as copied from an ORCID record page (with https://orcid.org/)."""
        orcid = self.cleaned_data["orcid"].strip()
        return normalize_orcid(orcid) if orcid else ""
