"""The reference library's "Add by identifier" page: paste DOIs, PMIDs or PMCIDs, see each
work as it will be cited (AMA), confirm to save the new ones."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from .author_lines import name_line
from .formatting import format_reference
from .lookup import look_up_all, save_new, split_identifiers

MAX_IDENTIFIERS = 50


class IdentifiersForm(forms.Form):
    identifiers = forms.CharField(
        label="Identifiers",
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        help_text="One per line: a DOI (10.1056/NEJMoa1911303, https://doi.org/…), a PubMed ID "
        "(31535829, https://pubmed.ncbi.nlm.nih.gov/31535829/) or a PubMed Central ID "
        f"(PMC11446985). At most {MAX_IDENTIFIERS} at a time.",
    )

    def clean_identifiers(self):
        text = self.cleaned_data["identifiers"]
        count = len(split_identifiers(text))
        if count > MAX_IDENTIFIERS:
            raise forms.ValidationError(
                f"{count} identifiers pasted: add at most {MAX_IDENTIFIERS} at a time."
            )
        return text


def add_by_identifier_urls(model_admin):
    return [
        path(
            "add-by-identifier/",
            model_admin.admin_site.admin_view(
                lambda request: add_by_identifier_view(model_admin, request)
            ),
            name="citations_reference_add_by_identifier",
        )
    ]


HAND_FIELDS = {
    "type": "type",
    "title": "title",
    "container_title": "container_title",
    "container_title_short": "container_title_short",
    "year": "year",
    "month": "month",
    "day": "day",
    "volume": "volume",
    "issue": "issue",
    "page": "page",
    "doi": "doi",
    "pmid": "pmid",
    "pmcid": "pmcid",
    "url": "url",
    "publication_type": "publication_type",
}


def hand_entry_url(lookup) -> str:
    """The library's "Add reference" form, prefilled with whatever is known: the identifier
    typed, and what the source gave for a work it described only in part."""
    initial = {}
    if lookup.kind:
        initial[lookup.kind] = lookup.value
    reference = lookup.reference
    if reference is not None and reference.pk is None:
        for field, name in HAND_FIELDS.items():
            value = getattr(reference, field)
            if value not in (None, ""):
                initial[name] = value
        if reference.authors:
            initial["authors"] = "\n".join(
                name_line(name) for name in reference.authors if isinstance(name, dict)
            )
    return reverse("admin:citations_reference_add") + ("?" + urlencode(initial) if initial else "")


def lookup_rows(lookups, *, cited_as=()):
    """The results table's rows: each lookup with its work formatted as cited (AMA), and
    what it would be cited as in an answer (`cited_as`, one entry per lookup) if given."""
    cited_as = list(cited_as) or [None] * len(lookups)
    return [
        {
            "lookup": lookup,
            "formatted": mark_safe(  # citeproc's markup over escaped values (formatting.py)
                format_reference(lookup.reference.to_csl(), style=settings.CITATION_STYLE)
            )
            if lookup.reference is not None
            else "",
            "cited_as": cited,
            # By hand: when the source did not answer, or described the work only in part.
            "hand_entry": hand_entry_url(lookup)
            if lookup.status == "unanswered"
            or (lookup.status == "new" and lookup.reference.missing_fields())
            else "",
        }
        for lookup, cited in zip(lookups, cited_as, strict=True)
    ]


def refused_message(lookups) -> str:
    """Why each refused identifier was refused, in one message; empty when none was."""
    refused = [lookup for lookup in lookups if lookup.status == "refused"]
    if not refused:
        return ""
    return "Not added: " + " ".join(f"{lookup.text}: {lookup.message}" for lookup in refused)


def unanswered_message(lookups) -> str:
    """What the sources could not give, in neutral words; empty when they gave everything."""
    unanswered = [lookup for lookup in lookups if lookup.status == "unanswered"]
    if not unanswered:
        return ""
    return "Not added yet: " + " ".join(f"{lookup.text}: {lookup.message}" for lookup in unanswered)


def added_message(lookups) -> str:
    added = [lookup for lookup in lookups if lookup.status == "added"]
    if not added:
        return ""
    return (
        f"Added {len(added)} reference{'s' if len(added) != 1 else ''} to the library: "
        + "; ".join(lookup.reference.short_citation for lookup in added)
    )


def add_by_identifier_view(model_admin, request):
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = IdentifiersForm(request.POST or None)
    lookups = []
    if request.method == "POST" and form.is_valid():
        # Looked up again on confirm (answers are cached): nothing the browser sends back
        # is trusted as a record.
        lookups = look_up_all(form.cleaned_data["identifiers"])
        if "confirm" in request.POST:
            save_new(lookups)
            if added := added_message(lookups):
                messages.success(request, added)
            if unanswered := unanswered_message(lookups):
                messages.warning(request, unanswered)
            if refused := refused_message(lookups):
                messages.error(request, refused)
            elif not unanswered:
                return redirect("admin:citations_reference_changelist")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Add references by identifier",
        "form": form,
        "rows": lookup_rows(lookups),
        "can_confirm": any(lookup.status == "new" for lookup in lookups),
        "confirm_label": "Add the new references",
    }
    return TemplateResponse(request, "admin/citations/reference/add_by_identifier.html", context)
