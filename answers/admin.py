"""The editors' product: writers draft answers here, clinicians review them, editors run
the desk.

Workflow buttons post to small admin views that call the transition methods on Answer
(`submit`, `request_changes`, `approve`, `withdraw`, `revert_to`); nothing here assigns
`status`. Every save of an answer is one django-reversion revision (VersionAdmin), and
django-reversion's own revert and recover views are replaced by a history that goes
through the workflow.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import Length
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from reversion import is_active as revision_is_active
from reversion import set_comment
from reversion.admin import VersionAdmin
from reversion.models import Version

from citations.models import Citation

from .admin_diff import (
    content_from_answer,
    content_from_publication,
    content_from_revision,
    diff_content,
)
from .admin_forms import (
    AnswerForm,
    ApproveForm,
    CitationForm,
    ContributorForm,
    RequestChangesForm,
    SectionForm,
    WithdrawForm,
    WritersField,
    WritersWidget,
    writer_candidates,
)
from .checks import review_checklist
from .models import (
    Action,
    Answer,
    Contributor,
    PublishedAnswer,
    Question,
    ReaderFeedback,
    Section,
    SignOff,
    Topic,
    WorkflowError,
    display_name,
)

Status = Answer.Status

SUBMITTED = "Sent for medical review. A clinician will check it; you can't edit it meanwhile."
PUBLIC_KEEPS_APPROVED = (
    "The public page still shows the approved version until a clinician approves this draft."
)
IN_REVIEW_READ_ONLY = (
    "This answer is in medical review, so nobody can edit it until the clinician approves "
    "it or sends it back."
)


def reverse_or_none(*names):
    """The first of these url names that exists: pages other apps may not have yet."""
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def refusal(summary, error: WorkflowError):
    """One message listing every reason a transition was refused."""
    if len(error.problems) == 1:
        return format_html("{}: {}", summary, error.problems[0])
    items = format_html_join("", "<li>{}</li>", ((problem,) for problem in error.problems))
    return format_html("{}:<ul>{}</ul>", summary, items)


def when(moment):
    return date_format(timezone.localtime(moment), "j M Y H:i") if moment else ""


# ---------------------------------------------------------------- answers


class ReviewFilter(admin.SimpleListFilter):
    title = "medical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("mine", "Waiting for my review"), ("overdue", "Review overdue")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset & Answer.objects.awaiting_review_by(request.user)
        if self.value() == "overdue":
            return queryset & Answer.objects.review_overdue()
        return queryset


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


@admin.register(Answer)
class AnswerAdmin(VersionAdmin):
    form = AnswerForm
    inlines = [SectionInline, CitationInline]
    change_form_template = "admin/answers/answer/change_form.html"
    change_list_template = "admin/answers/answer/change_list.html"
    list_display = [
        "question_text",
        "state",
        "topic",
        "writer_names",
        "updated",
        "next_review",
    ]
    list_filter = [ReviewFilter, "status", ("question__topic", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["question__topic"]
    search_fields = ["question__text"]
    ordering = ["-updated_at"]

    # --- list -------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("writers__contributor")

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

    @admin.display(description="status", ordering="status")
    def state(self, answer):
        return answer.get_status_display()

    @admin.display(description="status", ordering="status")
    def state_with_review_link(self, answer):
        if answer.status != Status.IN_REVIEW:
            return answer.get_status_display()
        url = reverse("admin:answers_answer_review", args=[answer.pk])
        return format_html('{}<br><a href="{}">Review</a>', answer.get_status_display(), url)

    def changelist_view(self, request, extra_context=None):
        import_url = None
        if self.has_add_permission(request):
            import_url = reverse_or_none("import_articles", "admin:import_articles")
        extra_context = {"import_articles_url": import_url, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    # --- the form ---------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return [
                ("Question", {"fields": ["question_wording", "address", "topic"]}),
                ("Answer", {"fields": ["lead", "writer_names"]}),
            ]
        return [
            ("Question", {"fields": ["question_text", "slug", "topic"]}),
            ("Answer", {"fields": ["lead", "writers"]}),
            ("This version", {"fields": ["change_note"]}),
        ]

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
        if answer.is_live and answer.differs_from_publication:
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
                messages.error(request, IN_REVIEW_READ_ONLY + " Your changes were not saved.")
                return redirect(self._url("change", answer))
            extra_context = {
                "answer": answer,
                **self._workflow_context(request, answer),
                **(extra_context or {}),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _url(self, name, answer, *args):
        return reverse(f"admin:answers_answer_{name}", args=[quote(answer.pk), *args])

    def _workflow_context(self, request, answer):
        """Buttons and reasons, all from `Answer.refusals`: nothing here restates a rule."""
        user = request.user
        refusals = {action: answer.refusals(action, user) for action in Action}
        can_review = not refusals[Action.REQUEST_CHANGES]
        publication = getattr(answer, "publication", None)
        return {
            "checklist": review_checklist(answer),
            "reading_grade_limit": settings.READING_GRADE_LIMIT,
            "publication": publication,
            "public_url": reverse("question", args=[publication.slug]) if answer.is_live else None,
            "draft_differs": answer.differs_from_publication,
            "in_review_notice": IN_REVIEW_READ_ONLY if not answer.is_editable else None,
            "can_submit": not refusals[Action.SUBMIT],
            "can_review": can_review,
            "review_refused": " ".join(refusals[Action.REQUEST_CHANGES]),
            "approve_blocked": " ".join(refusals[Action.APPROVE]) if can_review else None,
            "can_withdraw": not refusals[Action.WITHDRAW],
            "submit_url": self._url("submit", answer),
            "request_changes_url": self._url("request_changes", answer),
            "approve_url": self._url("approve", answer),
            "withdraw_url": self._url("withdraw", answer),
            "review_url": self._url("review", answer),
            "preview_url": self._url("preview", answer),
            "history_url": self._url("history", answer),
        }

    # --- urls -------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        # django-reversion's revert and recover views would bypass the workflow.
        disabled = {
            f"{info[0]}_{info[1]}_{name}" for name in ("recoverlist", "recover", "revision")
        }
        urls = [url for url in super().get_urls() if getattr(url, "name", None) not in disabled]
        wrap = self.admin_site.admin_view

        def route(pattern, view, name):
            return path(pattern, wrap(view), name=f"{info[0]}_{info[1]}_{name}")

        return [
            route("writers/autocomplete/", self.writer_autocomplete_view, "writer_autocomplete"),
            route("<path:object_id>/submit/", self.submit_view, "submit"),
            route(
                "<path:object_id>/request-changes/", self.request_changes_view, "request_changes"
            ),
            route("<path:object_id>/approve/", self.approve_view, "approve"),
            route("<path:object_id>/withdraw/", self.withdraw_view, "withdraw"),
            route("<path:object_id>/review/", self.review_view, "review"),
            route("<path:object_id>/preview/", self.preview_view, "preview"),
            route(
                "<path:object_id>/history/compare/", self.history_compare_view, "history_compare"
            ),
            route(
                "<path:object_id>/history/<int:version_id>/restore/",
                self.history_restore_view,
                "history_restore",
            ),
        ] + urls

    def _answer(self, request, object_id):
        answer = self.get_object(request, unquote(object_id))
        if answer is None:
            raise Http404("There is no answer with this ID. It may have been deleted.")
        if not self.has_view_or_change_permission(request, answer):
            raise PermissionDenied
        return answer

    def _render(self, request, template, answer, title, **context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": answer,
            "answer": answer,
            "title": title,
            "subtitle": answer.question.text,
            **context,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, template, context)

    # --- workflow views ---------------------------------------------------

    def submit_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        answer = self._answer(request, object_id)
        try:
            answer.submit(by=request.user)
        except WorkflowError as error:
            messages.error(request, refusal("It was not sent for medical review", error))
        else:
            messages.success(request, SUBMITTED)
        return redirect(self._url("change", answer))

    def _workflow_form_view(
        self, request, object_id, *, action_name, form_class, action, title, intro
    ):
        """GET shows the form page; POST validates it and runs `action(answer, data)`,
        which returns the success message or raises WorkflowError."""
        answer = self._answer(request, object_id)
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                message = action(answer, form.cleaned_data)
            except WorkflowError as error:
                messages.error(request, refusal(f"{title}: not done", error))
            else:
                messages.success(request, message)
                return redirect(self._url("change", answer))
        return self._render(
            request,
            "admin/answers/answer/workflow_form.html",
            answer,
            title,
            form=form,
            intro=intro,
            button=title,
            unavailable=" ".join(answer.refusals(action_name, request.user)),
            **self._workflow_context(request, answer),
        )

    def request_changes_view(self, request, object_id):
        def action(answer, data):
            answer.request_changes(by=request.user, comment=data["comment"])
            return (
                "Sent back to the writers with your comment. They can edit it now and submit "
                "it again for medical review."
            )

        return self._workflow_form_view(
            request,
            object_id,
            action_name="request_changes",
            form_class=RequestChangesForm,
            action=action,
            title="Request changes",
            intro="The answer goes back to its writers as a draft, with your comment.",
        )

    def approve_view(self, request, object_id):
        def action(answer, data):
            answer.approve(
                by=request.user,
                sources_checked=data["sources_checked"],
                wording_safe=data["wording_safe"],
                comment=data["comment"],
            )
            return (
                "Approved and published. The public page now shows this version; it is due for "
                f"review again on {date_format(answer.next_review_due, 'j F Y')}."
            )

        return self._workflow_form_view(
            request,
            object_id,
            action_name="approve",
            form_class=ApproveForm,
            action=action,
            title="Approve",
            intro="Approving publishes exactly the content you reviewed, with you named as the "
            "medical reviewer.",
        )

    def withdraw_view(self, request, object_id):
        def action(answer, data):
            answer.withdraw(by=request.user, reason=data["reason"])
            return (
                "Withdrawn. The public page now tells readers the answer is no longer published. "
                "The content is kept as a draft: edit it and submit it for medical review to "
                "publish it again."
            )

        return self._workflow_form_view(
            request,
            object_id,
            action_name="withdraw",
            form_class=WithdrawForm,
            action=action,
            title="Withdraw",
            intro="The public page stops showing this answer straight away and tells readers it "
            "was withdrawn.",
        )

    # --- review and preview -------------------------------------------------

    def review_view(self, request, object_id):
        answer = self._answer(request, object_id)
        publication = getattr(answer, "publication", None)
        diff, published = None, None
        if publication is not None:
            published = content_from_publication(publication)
            if published is not None:
                diff = diff_content(published, content_from_answer(answer))
        return self._render(
            request,
            "admin/answers/answer/review.html",
            answer,
            "Medical review",
            diff=diff,
            compared_with=publication if diff is not None else None,
            request_changes_form=RequestChangesForm(),
            approve_form=ApproveForm(),
            **self._workflow_context(request, answer),
        )

    def preview_view(self, request, object_id):
        answer = self._answer(request, object_id)
        reviewer = request.user if request.user.has_perm("answers.review_answer") else None
        return self._public_preview(request, answer, reviewer)

    def _public_preview(self, request, answer, reviewer):
        """The draft rendered with the public templates and stylesheet, shown in a frame on
        the review page: framing is allowed for this page, from this site only."""
        response = TemplateResponse(
            request,
            "admin/answers/answer/preview.html",
            {"publication": PublishedAnswer.build(answer, reviewer=reviewer), "answer": answer},
        )
        response["X-Frame-Options"] = "SAMEORIGIN"
        response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]}
        return response

    # --- history ----------------------------------------------------------

    def _versions(self, answer):
        return Version.objects.get_for_object(answer).select_related(
            "revision", "revision__user", "revision__user__contributor"
        )

    def history_view(self, request, object_id, extra_context=None):
        answer = self._answer(request, object_id)
        publication = getattr(answer, "publication", None)
        published_revision = publication.signoff.revision_id if publication else None
        can_restore = not answer.refusals(Action.EDIT, request.user)
        rows = []
        for index, version in enumerate(self._versions(answer)):
            revision = version.revision
            rows.append(
                {
                    "version": version,
                    "date": revision.date_created,
                    "user": display_name(revision.user) if revision.user else "",
                    "comment": revision.get_comment() or "",
                    "is_current": index == 0,
                    "is_published": revision.pk == published_revision,
                    "restore_url": self._url("history_restore", answer, version.pk),
                }
            )
        # Compare, by default, the current version with the one the public page shows.
        published_index = next((i for i, row in enumerate(rows) if row["is_published"]), 0)
        default_from = published_index or 1
        for index, row in enumerate(rows):
            row["default_from"] = index == default_from
        return self._render(
            request,
            "admin/answers/answer/history.html",
            answer,
            "History",
            rows=rows,
            can_restore=can_restore,
            compare_url=self._url("history_compare", answer),
            **self._workflow_context(request, answer),
        )

    def history_compare_view(self, request, object_id):
        answer = self._answer(request, object_id)
        versions = self._versions(answer)
        try:
            old = versions.get(pk=int(request.GET.get("from", "")))
            new = versions.get(pk=int(request.GET.get("to", "")))
        except (ValueError, Version.DoesNotExist):
            messages.error(request, "Choose two versions of this answer to compare.")
            return redirect(self._url("history", answer))
        if old.revision.date_created > new.revision.date_created:
            old, new = new, old
        diff = diff_content(
            content_from_revision(old.revision, answer.pk),
            content_from_revision(new.revision, answer.pk),
        )
        return self._render(
            request,
            "admin/answers/answer/history_compare.html",
            answer,
            "Compare versions",
            diff=diff,
            old=old,
            new=new,
            history_url=self._url("history", answer),
        )

    def history_restore_view(self, request, object_id, version_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        answer = self._answer(request, object_id)
        version = self._versions(answer).filter(pk=version_id).first()
        if version is None:
            raise Http404("This answer has no such version.")
        try:
            answer.revert_to(version, by=request.user)
        except WorkflowError as error:
            messages.error(request, refusal("The version was not restored", error))
            return redirect(self._url("history", answer))
        restored = when(version.revision.date_created)
        if answer.is_live:
            messages.success(
                request,
                f"Restored the version of {restored} as a new draft. {PUBLIC_KEEPS_APPROVED}",
            )
        else:
            messages.success(
                request,
                f"Restored the version of {restored} as a new draft. Submit it for medical "
                "review when it is ready.",
            )
        return redirect(self._url("change", answer))

    # --- writers autocomplete ---------------------------------------------

    def writer_autocomplete_view(self, request):
        """The admin autocomplete's JSON for the writers field."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        term = request.GET.get("term", "").strip()
        users = writer_candidates()
        if term:
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


# ---------------------------------------------------------------- audit log


class WhoFilter(admin.RelatedOnlyFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "who"


class KindOfEntryFilter(admin.ChoicesFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "kind of entry"


class WhenFilter(admin.DateFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "when"


@admin.register(Answer.history.model)
class AuditLogAdmin(admin.ModelAdmin):
    """simple-history's rows for answers: every transition and save, with who and why."""

    list_display = ["when", "who", "answer", "status", "what"]
    list_display_links = ["when"]
    list_filter = [
        "status",
        ("history_type", KindOfEntryFilter),
        ("history_user", WhoFilter),
        ("history_date", WhenFilter),
    ]
    list_select_related = ["history_user__contributor", "question"]
    search_fields = ["question__text"]
    ordering = ["-history_date", "-history_id"]
    date_hierarchy = "history_date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="when", ordering="history_date")
    def when(self, record):
        return record.history_date

    @admin.display(description="who", ordering="history_user")
    def who(self, record):
        return display_name(record.history_user) if record.history_user else "(system)"

    @admin.display(description="answer", ordering="question__text")
    def answer(self, record):
        try:
            question = record.question
        except Question.DoesNotExist:
            return "(deleted)"
        if Answer.objects.filter(pk=record.id).exists():
            url = reverse("admin:answers_answer_change", args=[record.id])
            return format_html('<a href="{}">{}</a>', url, question.text)
        return question.text

    @admin.display(description="what")
    def what(self, record):
        if record.history_change_reason:
            return record.history_change_reason
        return {"+": "Created", "~": "Changed", "-": "Deleted"}.get(record.history_type, "")


# ---------------------------------------------------------------- the rest of the desk


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "question_count"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description="questions", ordering="question_count")
    def question_count(self, topic):
        return topic.question_count


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """Questions are edited on their answer's page, where every change is versioned and
    goes through medical review; here they can be found and looked at."""

    list_display = ["text", "topic", "answer_status", "answer_link"]
    list_filter = [("topic", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["topic", "answer"]
    search_fields = ["text", "slug"]
    fields = ["text", "slug", "topic", "answer_link"]
    readonly_fields = ["answer_link"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="status")
    def answer_status(self, question):
        answer = getattr(question, "answer", None)
        return answer.get_status_display() if answer else "No answer"

    @admin.display(description="answer")
    def answer_link(self, question):
        answer = getattr(question, "answer", None)
        if answer is None:
            return "–"
        url = reverse("admin:answers_answer_change", args=[answer.pk])
        return format_html('<a href="{}">Edit on the answer’s page</a>', url)


@admin.register(Contributor)
class ContributorAdmin(admin.ModelAdmin):
    form = ContributorForm
    list_display = ["display_name", "credentials", "role_title", "user", "orcid"]
    list_select_related = ["user"]
    search_fields = ["display_name", "user__username", "credentials"]
    fields = ["user", "display_name", "credentials", "role_title", "bio", "orcid"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the workflow writes; people only look at them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["answer", "reviewer_name", "created_at", "comment"]
    list_select_related = ["answer__question", "reviewer__contributor"]
    search_fields = ["answer__question__text"]
    list_filter = [("reviewer", admin.RelatedOnlyFieldListFilter), "created_at"]

    @admin.display(description="reviewer", ordering="reviewer")
    def reviewer_name(self, signoff):
        return display_name(signoff.reviewer)


@admin.register(PublishedAnswer)
class PublishedAnswerAdmin(ReadOnlyAdmin):
    list_display = ["question", "topic", "approved_at", "next_review_due", "state", "public_link"]
    list_select_related = ["topic"]
    list_filter = [("topic", admin.RelatedOnlyFieldListFilter), "withdrawn_at"]
    search_fields = ["question"]
    fields = [
        "question",
        "slug",
        "topic",
        "public_link",
        "first_published_at",
        "approved_at",
        "next_review_due",
        "signoff",
        "content_hash",
        "withdrawn_at",
        "withdrawn_by",
        "withdrawn_reason",
    ]
    readonly_fields = ["public_link"]

    @admin.display(description="state")
    def state(self, publication):
        return "Withdrawn" if publication.withdrawn_at else "Live"

    @admin.display(description="public page")
    def public_link(self, publication):
        return format_html('<a href="{}">View</a>', reverse("question", args=[publication.slug]))


@admin.register(ReaderFeedback)
class ReaderFeedbackAdmin(admin.ModelAdmin):
    list_display = ["answer", "kind", "message_excerpt", "created_at", "resolved"]
    list_filter = ["resolved", "kind"]
    list_select_related = ["answer__question"]
    search_fields = ["message", "answer__question__text"]
    fields = ["answer", "kind", "message", "created_at", "content_hash", "signoff", "resolved"]
    readonly_fields = ["answer", "kind", "message", "created_at", "content_hash", "signoff"]
    actions = ["mark_resolved"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="message")
    def message_excerpt(self, feedback):
        text = feedback.message
        return text if len(text) <= 120 else text[:119] + "…"

    @admin.action(description="Mark resolved", permissions=["change"])
    def mark_resolved(self, request, queryset):
        count = queryset.filter(resolved=False).update(resolved=True)
        entries = "entry" if count == 1 else "entries"
        self.message_user(request, f"Marked {count} feedback {entries} resolved.", messages.SUCCESS)
