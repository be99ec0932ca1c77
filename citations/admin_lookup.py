"""The reference library's "Add by identifier" page: paste DOIs, PMIDs or PMCIDs, see each
work as it will be cited (AMA), confirm to save the new ones."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.safestring import mark_safe

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
        }
        for lookup, cited in zip(lookups, cited_as, strict=True)
    ]


def refused_message(lookups) -> str:
    """Why each refused identifier was refused, in one message; empty when none was."""
    refused = [lookup for lookup in lookups if lookup.status == "refused"]
    if not refused:
        return ""
    return "Not added: " + " ".join(f"{lookup.text}: {lookup.message}" for lookup in refused)


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
            if refused := refused_message(lookups):
                messages.error(request, refused)
            else:
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
