"""The answer's "Add by DOI or PubMed ID": paste identifiers, see each work as it will be
cited and under which number, confirm to add the new works to the library and cite them
all in this answer. The lookup, its page and its messages are the reference library's
(citations.admin_lookup); the citing is answers.cite_in_answer, as for `add_references --answer`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from citations.admin_lookup import (
    IdentifiersForm,
    added_message,
    lookup_rows,
    refused_message,
    unanswered_message,
)
from citations.lookup import look_up_all, save_new

from ..cite_in_answer import cite_references, labels_for
from ..models import WorkflowError
from .answer_page import AnswerPageView, answer_url
from .forms import IN_REVIEW_READ_ONLY
from .wording import refusal

CITED_ROWS = "#citations-group"


class CiteByIdentifierView(AnswerPageView):
    """The page beside the citation rows, for those who may edit the answer now."""

    http_method_names = ["get", "post", "head"]

    def get(self, request, object_id):
        """The empty form (`post` with nothing posted draws it)."""
        return self.post(request, object_id)

    def post(self, request, object_id):
        answer = self.get_answer(request, object_id)
        if not answer.is_editable:
            messages.error(request, IN_REVIEW_READ_ONLY + " Nothing was cited.")
            return redirect(answer_url("change", answer))
        if not self.model_admin.has_change_permission(request, answer):
            raise PermissionDenied
        may_add = request.user.has_perm("citations.add_reference")
        form = IdentifiersForm(request.POST or None)
        lookups = []
        if request.method == "POST" and form.is_valid():
            # Looked up again on confirm (lookups are cached): nothing the browser sends
            # back is trusted as a record.
            lookups = look_up_all(form.cleaned_data["identifiers"])
            if not may_add:
                for lookup in lookups:
                    if lookup.status == "new":
                        lookup.status, lookup.reference = "refused", None
                        lookup.message = "Not in the library, and you may not add references."
            if "confirm" in request.POST:
                done = self.cite(request, answer, lookups)
                if done is not None:
                    return done
        citable = [lookup for lookup in lookups if lookup.reference is not None]
        planned = iter(labels_for(answer, [lookup.reference for lookup in citable]))
        cited_as = [next(planned) if lookup.reference is not None else None for lookup in lookups]
        for lookup, cited in zip(lookups, cited_as, strict=True):
            if lookup.status == "matched" and cited is not None and not cited.new:
                lookup.message = (
                    f"Already in the library as {lookup.reference.named(label=cited.label)}: "
                    "nothing to add."
                )
        return self.render(
            request,
            "admin/answers/answer/cite_by_identifier.html",
            answer,
            "Add citations by DOI or PubMed ID",
            form=form,
            rows=lookup_rows(lookups, cited_as=cited_as),
            show_cited_as=True,
            can_confirm=any(cited is not None and cited.new for cited in cited_as),
            confirm_label="Cite them in this answer",
        )

    def cite(self, request, answer, lookups):
        """Save the new works, cite every found work; the redirect, or None to show the
        page again with what was refused."""
        save_new(lookups)
        if added := added_message(lookups):
            messages.success(request, added)
        references = [lookup.reference for lookup in lookups if lookup.reference is not None]
        try:
            cited = cite_references(answer, references, by=request.user)
        except WorkflowError as error:
            messages.error(request, refusal("Nothing was cited in this answer", error))
            return redirect(answer_url("change", answer))
        new = [c for c in cited if c.new]
        if new:
            messages.success(
                request,
                f"Cited {len(new)} reference{'s' if len(new) != 1 else ''} in this answer: "
                + "; ".join(c.reference.named(label=c.label) for c in new)
                + ". Put the numbers in the text where each supports it.",
            )
        if kept := [c for c in cited if not c.new]:
            messages.info(
                request,
                "Already cited: " + "; ".join(c.reference.named(label=c.label) for c in kept) + ".",
            )
        unanswered = unanswered_message(lookups)
        if unanswered:
            messages.warning(request, unanswered)
        if refused := refused_message(lookups):
            messages.error(request, refused)
            return None
        if unanswered:
            return None
        return redirect(answer_url("change", answer) + CITED_ROWS)
