"""The answer list and the answer's change page: writers draft here. Every save is one
django-reversion revision (VersionAdmin) with a comment saying what changed."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from reversion import is_active as revision_is_active
from reversion import set_comment
from reversion.admin import VersionAdmin

from ..models import (
    Answer,
    ReviewComment,
    Section,
    step_labels,
)
from ..people import display_name
from .answer_page import answer_url
from .answer_urls import answer_page_urls
from .forms import (
    IN_REVIEW_READ_ONLY,
    NOT_SAVED,
    AnswerForm,
    WritersField,
    WritersWidget,
    writer_candidates,
)
from .inlines import (
    CitationInline,
    SectionInline,
    comments_in_place,
    new_answer_structure,
    open_comments,
)
from .list_filters import ReviewFilter, ScheduleFilter
from .loading import AnswerReadOnce
from .search import NulSafeSearch
from .status_panel import review_cycle_panel, status_panel
from .wording import PUBLIC_KEEPS_APPROVED
from .writers_desk import desk_context

Status = Answer.Status


@admin.register(Answer)
class AnswerAdmin(AnswerReadOnce, NulSafeSearch, VersionAdmin):
    """The answer list and the change form. The pages about one answer (workflow, review,
    history, schedule, citing by identifier, the desk's endpoints) are views of their own,
    registered in `get_urls`."""

    form = AnswerForm
    inlines = [SectionInline, CitationInline]
    change_form_template = "admin/answers/answer/change_form.html"
    change_list_template = "admin/answers/answer/change_list.html"
    readonly_fields = ["lead_comments"]
    list_display = [
        "question_text",
        "notice_flag",
        "state",
        "topic",
        "writer_names",
        "updated",
        "next_review",
    ]
    list_filter = [
        ReviewFilter,
        ScheduleFilter,
        "status",
        ("question__topic", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["question__topic"]
    search_fields = ["question__text"]
    ordering = ["-updated_at"]

    # --- list -------------------------------------------------------------

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_notice_flag()
            .prefetch_related("writers__contributor")
        )

    @admin.display(description="evidence", ordering="-has_unhandled_notice")
    def notice_flag(self, answer):
        """Flags an answer citing a study retracted, withdrawn or under an expression of
        concern that no clinician has handled yet."""
        if not getattr(answer, "has_unhandled_notice", False):
            return ""
        return format_html(
            '<strong class="qa-flag">{}</strong>', "Cited study retracted or under concern"
        )

    @admin.display(description="question", ordering="question__text")
    def question_text(self, answer):
        return answer.question.text

    @admin.display(description="topic", ordering="question__topic__name")
    def topic(self, answer):
        return answer.question.topic.name

    @admin.display(description="updated", ordering="updated_at")
    def updated(self, answer):
        return date_format(timezone.localtime(answer.updated_at), "j M Y")

    @admin.display(description="next review due", ordering="next_review_due")
    def next_review(self, answer):
        return date_format(answer.next_review_due, "j M Y") if answer.next_review_due else "–"

    @admin.display(description="writers")
    def writer_names(self, answer):
        return ", ".join(display_name(user) for user in answer.writers.all())

    def get_list_display(self, request):
        """Clinicians get a status column that links answers waiting for review to the
        review page."""
        columns = list(super().get_list_display(request))
        if request.user.has_perm("answers.review_answer"):
            columns[columns.index("state")] = "state_with_review_link"
        return columns

    def get_changelist_instance(self, request):
        """The page's answers in review on a topic's route say which step they are at
        ("Step 2 of 3: Lay readers"), read for the whole page at once."""
        changelist = super().get_changelist_instance(request)
        page = list(changelist.result_list)
        labels = step_labels(page)
        for answer in page:
            answer.step_label = labels.get(answer.pk, "")
        return changelist

    @staticmethod
    def _status(answer):
        label = getattr(answer, "step_label", "")
        return answer.get_status_display() + (f" ({label})" if label else "")

    @admin.display(description="status", ordering="status")
    def state(self, answer):
        return self._status(answer)

    @admin.display(description="status", ordering="status")
    def state_with_review_link(self, answer):
        if answer.status != Status.IN_REVIEW:
            return answer.get_status_display()
        url = reverse("admin:answers_answer_review", args=[answer.pk])
        return format_html('{}<br><a href="{}">Review</a>', self._status(answer), url)

    def changelist_view(self, request, extra_context=None):
        import_url = None
        if self.has_add_permission(request):
            import_url = reverse("import_articles")
        extra_context = {"import_articles_url": import_url, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    # --- the form ---------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        # The clinician's open comments on the short answer stand right below it.
        lead = ["lead", "lead_comments"] if self._lead_comments(obj) else ["lead"]
        if obj is not None and not self.has_change_permission(request, obj):
            return [
                ("Question", {"fields": ["question_wording", "address", "topic"]}),
                ("Answer", {"fields": [*lead, "writer_names"]}),
                ("How sure is this?", {"fields": ["certainty", "certainty_reason"]}),
            ]
        return [
            ("Question", {"fields": ["question_text", "slug", "topic"]}),
            ("Answer", {"fields": [*lead, "writers"]}),
            ("How sure is this?", {"fields": ["certainty", "certainty_reason"]}),
            ("This version", {"fields": ["change_note"]}),
        ]

    @staticmethod
    def _lead_comments(answer):
        """The open comments on the short answer, read once per page (kept on the answer)."""
        if answer is None or answer.pk is None:
            return []
        if not hasattr(answer, "_open_lead_comments"):
            comments = open_comments().filter(
                answer=answer, section__isnull=True, part=ReviewComment.LEAD
            )
            answer._open_lead_comments = list(comments)
        return answer._open_lead_comments

    @admin.display(description="clinician's comments on the short answer")
    def lead_comments(self, answer):
        return comments_in_place(self._lead_comments(answer))

    @admin.display(description="question")
    def question_wording(self, answer):
        return answer.question.text

    @admin.display(description="address")
    def address(self, answer):
        return f"/questions/{answer.question.slug}/"

    def get_prepopulated_fields(self, request, obj=None):
        return {"slug": ["question_text"]} if obj is None else {}

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if writer_candidates().filter(pk=request.user.pk).exists():
            initial.setdefault("writers", [request.user.pk])
        return initial

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, SectionInline) and obj.pk is None and request.method != "POST":
            kwargs["initial"] = [
                {"heading": heading, "kind": kind}
                for heading, kind in new_answer_structure(request)
            ]
        return kwargs

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "writers":
            return WritersField(
                queryset=writer_candidates(),
                required=False,
                label="Writers",
                help_text="Named in the public byline. Start typing a name to add a writer.",
                widget=WritersWidget(db_field, self.admin_site),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def view_on_site(self, answer):
        return reverse("question", args=[answer.publication.slug]) if answer.is_live else None

    def save_model(self, request, obj, form, change):
        form.save_question()
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Section:
            return super().save_formset(request, form, formset, change)
        sections = formset.save(commit=False)
        for section in formset.deleted_objects:
            section.delete()
        # Sections added without a position go after the others, in the order written.
        kept = Section.objects.filter(answer=form.instance).exclude(
            pk__in=[s.pk for s in formset.deleted_objects]
        )
        positions = [s.position for s in kept] + [s.position for s in sections if s.position]
        next_position = max(positions, default=0) + 1
        for section in sections:
            if section.position is None:
                section.position = next_position
                next_position += 1
            section.save()
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        answer = form.instance
        note = (form.cleaned_data.get("change_note") or "").strip()
        comment = note or self._describe_changes(form, formsets, change)
        request._answer_revision_comment = comment
        if revision_is_active():
            set_comment(comment)
        # The audit row of this save says what changed, as the version's comment does.
        record = Answer.history.filter(id=answer.pk).order_by("-history_date", "-history_id")
        record = record.first()
        if record is not None:
            record.history_change_reason = comment
            record.save(update_fields=["history_change_reason"])
        answer.note_edit(by=request.user)
        if answer.has_publication and answer.differs_from_publication:
            messages.warning(request, PUBLIC_KEEPS_APPROVED)

    @staticmethod
    def _describe_changes(form, formsets, change):
        """A revision comment like "Changed short answer, section “Risks”; added reference [3]"."""
        if not change:
            return "Created the answer"
        changed = form.describe_changes()
        added, removed = [], []
        for formset in formsets:
            name = (
                (lambda s: f"section “{s.heading}”")
                if formset.model is Section
                else (lambda c: f"reference [{c.label}]")
            )
            changed += [name(obj) for obj, _ in getattr(formset, "changed_objects", [])]
            added += [name(obj) for obj in getattr(formset, "new_objects", [])]
            removed += [name(obj) for obj in getattr(formset, "deleted_objects", [])]
        parts = []
        if changed:
            parts.append("changed " + ", ".join(changed))
        if added:
            parts.append("added " + ", ".join(added))
        if removed:
            parts.append("removed " + ", ".join(removed))
        text = "; ".join(parts) or "saved without changes"
        return text[0].upper() + text[1:]

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        comment = getattr(request, "_answer_revision_comment", None)
        if comment and revision_is_active():
            set_comment(comment)
        return entry

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        comment = getattr(request, "_answer_revision_comment", None)
        if comment and revision_is_active():
            set_comment(comment)
        return entry

    # --- the change page --------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        answer = self.get_object(request, unquote(object_id))
        if answer is not None and self.has_view_or_change_permission(request, answer):
            if request.method == "POST" and not answer.is_editable:
                messages.error(request, IN_REVIEW_READ_ONLY + NOT_SAVED)
                return redirect(answer_url("change", answer))
            desk = {}
            if answer.is_editable and self.has_change_permission(request, answer):
                desk = desk_context(request, answer)
            cycle = review_cycle_panel(request, answer)
            # The form reads the answer again only on a POST: on a GET it is this one, and
            # the short answer's comments beside it come from the panel's single read.
            answer._open_lead_comments = [c for c in cycle["unresolved_comments"] if c.is_on_lead]
            extra_context = {
                "answer": answer,
                **status_panel(request, answer),
                **desk,
                **cycle,
                **(extra_context or {}),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**desk_context(request, None), **(extra_context or {})}
        return super().add_view(request, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A submission landing between the check above and the save makes Django refuse
        the save with a bare 403: say what happened instead, as the form does when it wins."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PermissionDenied:
            answer = self.get_object(request, unquote(object_id)) if object_id else None
            if (
                request.method != "POST"
                or answer is None
                or answer.is_editable
                or not self.has_change_permission(request)
            ):
                raise
            messages.error(request, IN_REVIEW_READ_ONLY + NOT_SAVED)
            return redirect(answer_url("change", answer))

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        # django-reversion's revert and recover views would bypass the workflow; the
        # history page is ours (`history.HistoryView`).
        disabled = {
            f"{info[0]}_{info[1]}_{name}"
            for name in ("recoverlist", "recover", "revision", "history")
        }
        urls = [url for url in super().get_urls() if getattr(url, "name", None) not in disabled]
        wrap = self.admin_site.admin_view

        def route(pattern, view, name):
            return path(pattern, wrap(view), name=f"{info[0]}_{info[1]}_{name}")

        return [
            route("writers/autocomplete/", self.writer_autocomplete_view, "writer_autocomplete"),
            *answer_page_urls(route, self.admin_site),
            *urls,
        ]

    def bound_forms(self, request, answer):
        """The change form and its inline formsets bound to the POST as a save builds them
        (`answer` None for a new one), for the desk's live preview to draw unsaved."""
        change = answer is not None
        draft = answer if change else Answer()
        form_class = self.get_form(request, draft if change else None, change=change)
        form = form_class(request.POST, request.FILES, instance=draft)
        formsets, _ = self._create_formsets(request, draft, change=change)
        return draft, form, formsets

    # --- writers autocomplete ---------------------------------------------

    def writer_autocomplete_view(self, request):
        """The admin autocomplete's JSON for the writers field."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        term = request.GET.get("term", "").strip()
        users = writer_candidates()
        if "\x00" in term:
            users = users.none()
        elif term:
            users = users.filter(
                Q(username__icontains=term)
                | Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(contributor__display_name__icontains=term)
            )
        page = Paginator(users, 20).get_page(request.GET.get("page"))
        field = WritersField(queryset=users)
        return JsonResponse(
            {
                "results": [
                    {"id": str(user.pk), "text": field.label_from_instance(user)} for user in page
                ],
                "pagination": {"more": page.has_next()},
            }
        )
