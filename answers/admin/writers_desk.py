"""The writer's desk on the answer's change page: the live preview of unsaved edits, the
reference library search for citing, and the session check before a save. Nothing here
saves anything; the desk's modules (static/js/desk/) drive these endpoints from the page."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from citations.admin_lookup import IdentifiersForm, hand_entry_url
from citations.identifiers import normalize_pmid, strip_doi
from citations.lookup import look_up_all, save_new
from citations.models import Citation, Reference

from ..checklist import BLOCKS_SUBMISSION, review_checklist
from ..models import PublishedAnswer, Question, Section
from .answer_page import NO_SUCH_ANSWER, AdminSiteView, answer_url, framed
from .forms import unix_newlines
from .inlines import new_answer_structure

MAX_SEARCH_RESULTS = 20
NO_TOPIC = "Choose the question's topic to see the preview: the page names it."


def desk_context(request, answer):
    """What the change page's desk needs: endpoint addresses and the draft's key (`answer`
    is None on the add page)."""
    if answer is None:
        preview_url = reverse("admin:answers_answer_desk_preview_new")
    else:
        preview_url = answer_url("desk_preview", answer)
    return {
        "desk": True,
        "desk_preview_url": preview_url,
        "desk_frame_url": reverse("admin:answers_answer_desk_frame"),
        "desk_references_url": reverse("admin:answers_answer_desk_references"),
        "desk_lookup_url": reverse("admin:answers_answer_desk_lookup"),
        "desk_session_url": reverse("admin:answers_answer_desk_session"),
        "desk_structure_url": reverse("admin:answers_answer_desk_structure")
        if answer is None
        else "",
        "desk_login_url": reverse("admin:login"),
        "cite_by_identifier_url": answer_url("cite_by_identifier", answer) if answer else "",
        # One draft per answer and person: two writers on one computer keep theirs apart.
        "desk_draft_key": f"qa-desk:{answer.pk if answer else 'new'}:{request.user.pk}",
    }


class DeskView(AdminSiteView):
    """An endpoint of the desk, for those who may add or change answers."""

    def dispatch(self, request, *args, **kwargs):
        model_admin = self.model_admin
        may_write = model_admin.has_add_permission(request) or model_admin.has_change_permission(
            request
        )
        if not may_write:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class DeskPreviewView(AdminSiteView):
    """The unsaved form rendered as the public page and its checklist: built from the
    POSTed form with the admin's own form and inlines, never saved, no version made."""

    http_method_names = ["post"]

    def post(self, request, object_id=None):
        model_admin = self.model_admin
        if object_id is None:
            if not model_admin.has_add_permission(request):
                raise PermissionDenied
            answer = None
        else:
            answer = model_admin.get_object(request, unquote(object_id))
            if answer is None:
                raise Http404(NO_SUCH_ANSWER)
            if not model_admin.has_change_permission(request, answer):
                raise PermissionDenied
        draft, sections, citations, writers = self.draft_from_form(request, answer)
        context = {}
        if draft.question.topic_id is None:
            context["waiting"] = NO_TOPIC
            checklist = None
        else:
            context["publication"] = PublishedAnswer.build(
                draft,
                sections=sections,
                citations=citations,
                writers=writers,
                mark_long_sentences=True,
            )
            checklist = review_checklist(draft, sections=sections, citations=citations)
        context["checklist"] = checklist
        context["summary"] = _summary(checklist)
        return TemplateResponse(request, "admin/answers/answer/desk_preview.html", context)

    def draft_from_form(self, request, answer):
        """An unsaved answer, question, sections and citations from the POSTed form, taking
        each field the form accepts and leaving out what it refuses."""
        draft, form, formsets = self.model_admin.bound_forms(request, answer)
        form.checks_saved_meanwhile = False
        form.is_valid()
        for formset in formsets:
            formset.is_valid()
        cleaned = getattr(form, "cleaned_data", {})
        if "lead" not in cleaned:
            draft.lead = unix_newlines(request.POST.get("lead", ""))
        draft.question = Question(
            text=cleaned.get("question_text") or request.POST.get("question_text", "").strip(),
            slug=cleaned.get("slug") or "",
            topic=cleaned.get("topic"),
        )
        writers = cleaned.get("writers")
        writers = list(writers.select_related("contributor")) if writers is not None else []
        sections, citations = [], []
        for formset in formsets:
            rows = [f.instance for f in _kept_forms(formset)]
            if formset.model is Section:
                sections = rows
            elif formset.model is Citation:
                citations = [c for c in rows if c.label and c.reference_id]
        # Sections without a position go after the others, in the order written (as saved).
        order = {id(s): i for i, s in enumerate(sections)}
        sections.sort(key=lambda s: (s.position is None, s.position or 0, order[id(s)]))
        return draft, sections, citations, writers


class DeskFrameView(DeskView):
    """The page the preview panel frames: the public stylesheet and page structure, into
    which the desk's script puts each rendered preview."""

    http_method_names = ["get", "head"]

    def get(self, request):
        return framed(TemplateResponse(request, "admin/answers/answer/desk_frame.html", {}))


class DeskReferencesView(DeskView):
    """Works in the reference library matching a title, an author, a DOI or a PMID."""

    http_method_names = ["get", "head"]

    def get(self, request):
        term = " ".join(request.GET.get("q", "").split())
        references = Reference.objects.none()
        if term and "\x00" not in term:
            match = (
                Q(title__icontains=term)
                | Q(authors__icontains=term)
                | Q(container_title__icontains=term)
            )
            doi = strip_doi(term)
            if doi.startswith("10."):
                match |= Q(doi__icontains=doi)
            pmid = normalize_pmid(term)
            if pmid.isdigit():
                match |= Q(pmid=pmid)
            references = Reference.objects.filter(match).order_by("-year", "title")
        return JsonResponse(
            {"results": [_work(reference) for reference in references[:MAX_SEARCH_RESULTS]]}
        )


def _work(reference) -> dict:
    """A library work as the desk's cite dialog offers it: its id goes into the citation
    row's hidden value, the writer reads its short citation."""
    return {
        "id": str(reference.pk),
        "text": str(reference),
        "short": reference.short_citation,
        "title": reference.title or reference.short_citation,
        "authors": _authors(reference.authors),
        "year": reference.year,
        "doi": reference.doi or "",
        "pmid": reference.pmid or "",
        "retracted": reference.retracted,
    }


class DeskLookupView(DeskView):
    """Look up a DOI or PubMed ID from the cite dialog, on a new answer too: nothing is
    saved until the writer chooses "Add to the library and cite" (`confirm`); then the new
    work is in the library and its id waits in the form's citation row, cited when the
    answer is saved, as a work chosen from the library search is."""

    http_method_names = ["post"]

    def post(self, request):
        form = IdentifiersForm(request.POST)
        if not form.is_valid():
            return JsonResponse({"error": " ".join(form.errors["identifiers"])}, status=400)
        lookups = look_up_all(form.cleaned_data["identifiers"])
        may_add = request.user.has_perm("citations.add_reference")
        for lookup in lookups:
            if lookup.status == "new" and not may_add:
                lookup.status, lookup.reference = "refused", None
                lookup.message = (
                    "Not in the library, and you may not add references: ask an editor."
                )
        if "confirm" in request.POST:
            save_new(lookups)
        return JsonResponse({"results": [_lookup(lookup) for lookup in lookups]})


def _lookup(lookup) -> dict:
    reference = lookup.reference
    saved = reference is not None and reference.pk is not None
    by_hand = lookup.status == "unanswered" or (
        lookup.status == "new" and bool(reference.missing_fields())
    )
    return {
        "identifier": lookup.text,
        "status": lookup.status,
        "message": lookup.message,
        "notes": lookup.notes,
        "short": reference.short_citation if reference is not None else "",
        "work": _work(reference) if saved else None,
        "handEntry": hand_entry_url(lookup) if by_hand else "",
    }


class DeskStructureView(DeskView):
    """The sections a new answer in the chosen topic starts with, for the add page to
    follow a change of topic while its sections are still empty."""

    http_method_names = ["get", "head"]

    def get(self, request):
        return JsonResponse(
            {
                "sections": [
                    {"heading": heading, "kind": kind}
                    for heading, kind in new_answer_structure(request)
                ]
            }
        )


class DeskSessionView(DeskView):
    """204 while the session lasts; the admin sends anyone else to the login page, which
    is how the desk's script learns, before a save, that the save would be refused."""

    def get(self, request):
        return HttpResponse(status=204)


def _kept_forms(formset):
    """The rows the save would keep: not marked for deletion, not untouched extra rows."""
    for form in formset.forms:
        if not hasattr(form, "cleaned_data"):
            continue
        if formset.can_delete and formset._should_delete_form(form):
            continue
        if form.instance.pk is None and not form.has_changed():
            continue
        yield form


def _authors(authors) -> str:
    names = [
        a.get("family") or a.get("literal") or "" for a in authors or [] if isinstance(a, dict)
    ]
    names = [n for n in names if n]
    if len(names) > 2:
        return f"{names[0]} et al."
    return " and ".join(names)


def _summary(checklist) -> str:
    if checklist is None:
        return "Preview waiting: " + NO_TOPIC
    blocking = sum(1 for item in checklist.items if item.level == BLOCKS_SUBMISSION)
    if not blocking:
        return "Preview updated. Checklist: nothing blocks submission."
    noun = "item blocks" if blocking == 1 else "items block"
    return f"Preview updated. Checklist: {blocking} {noun} submission."
