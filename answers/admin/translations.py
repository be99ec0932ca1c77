"""Translations in the admin: start one from a published answer, write it beside the English
version it is made from, exchange it with an agency as XLIFF (download, upload), and take it
through the same workflow as an answer: submit, sign off (a clinician who declared the
language, with their password, on the words shown), send back, withdraw, update to a new
English version. Every button calls the model's transition; every save is a version."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from reversion.admin import VersionAdmin

from ..models import (
    Answer,
    SignOff,
    SourceVersion,
    TranslatedSection,
    Translation,
    WorkflowError,
    language_name,
)
from ..models.translations import part_label
from ..xliff import MAX_XLIFF_BYTES, export_xliff, import_xliff
from .diff import diff_text
from .object_actions import action_url, carry_out
from .review_buttons import ReviewButtonsAdmin, SendBackForm, TakeDownForm


class TranslationSignForm(forms.Form):
    faithful = forms.BooleanField(
        label="It says what the English version says: nothing added, left out or changed"
    )
    wording_safe = forms.BooleanField(label="The wording is safe and clear for patients")
    password = forms.CharField(
        label="Your password, as your signature",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Typing your password signs this translation electronically, as shown.",
    )
    shown_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)
    comment = forms.CharField(
        label="Comment (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class XliffUploadForm(forms.Form):
    file = forms.FileField(
        label="Translated XLIFF file",
        help_text="The file exported here (or with export_translation), with the translations "
        "filled in by the translator or agency.",
    )
    replace = forms.BooleanField(
        label="Replace the draft's own words where the file differs",
        required=False,
        help_text="Left unticked, a file that would change words already in the draft is "
        "refused, naming them. The draft's words stay in its history either way.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_XLIFF_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB: is it the right file?")
        return upload


class StartTranslationForm(forms.Form):
    answer = forms.ModelChoiceField(
        queryset=Answer.objects.with_publication().select_related("question"),
        label="Published answer",
    )
    language = forms.ChoiceField(choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES[1:]


def source_changes(translation) -> list[tuple[str, object]]:
    """What changed in the English answer that the translator has to carry over: from the
    version translated to the one approved now (out of date), or, once updated, from the
    version the published translation was made from. [(part, word diff)]."""
    old = new = None
    publication = getattr(translation, "publication", None)
    if translation.is_out_of_date:
        old, new = translation.source(), SourceVersion(translation.answer.publication.signoff)
    elif publication is not None and publication.source_hash != (
        translation.source_signoff.content_hash
    ):
        earlier = (
            SignOff.objects.filter(answer=translation.answer, content_hash=publication.source_hash)
            .order_by("-created_at")
            .first()
        )
        if earlier is not None:
            old, new = SourceVersion(earlier), translation.source()
    if old is None:
        return []
    before = dict(old.parts())
    return [
        (part_label(name), diff_text(before.get(name, ""), text))
        for name, text in new.parts()
        if before.get(name, "") != text
    ]


class TranslatedSectionInline(admin.StackedInline):
    model = TranslatedSection
    fields = ["kind", "heading", "body"]
    readonly_fields = ["kind"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Translation)
class TranslationAdmin(ReviewButtonsAdmin, VersionAdmin):
    list_display = ["__str__", "language", "state", "updated_at"]
    list_filter = ["language", "status", ("out_of_date_since", admin.EmptyFieldListFilter)]
    list_select_related = ["answer__question", "publication"]
    search_fields = ["question_text", "answer__question__text"]
    fields = ["question_text", "slug", "lead"]
    inlines = [TranslatedSectionInline]
    change_form_template = "admin/answers/translation/change_form.html"
    change_list_template = "admin/answers/translation/change_list.html"
    sign_form = TranslationSignForm

    @admin.display(description="state")
    def state(self, translation):
        state = (
            "In medical review"
            if translation.status == Translation.Status.IN_REVIEW
            else "Published"
            if translation.has_publication and not translation.is_draft
            else "Draft"
        )
        return f"{state}; out of date" if translation.is_out_of_date else state

    def has_add_permission(self, request):
        return False  # started from a published answer: the "Start a translation" form

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is not None and obj.refusals("edit", request.user):
            for inline in inlines:
                inline.readonly_fields = inline.fields
        return inlines

    def save_model(self, request, obj, form, change):
        problems = obj.refusals("edit", request.user)
        if problems:
            raise PermissionDenied(" ".join(problems))
        obj._change_reason, obj._history_user = "Changed in the admin", request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.writers.add(request.user)
        form.instance.note_edit(by=request.user)

    def get_urls(self):
        return [
            path(
                "start/",
                self.admin_site.admin_view(self.start_view),
                name="answers_translation_start",
            ),
            path(
                "dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="answers_translation_dashboard",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="answers_translation_import",
            ),
            path(
                "<path:object_id>/xliff/",
                self.admin_site.admin_view(self.export_view),
                name="answers_translation_export",
            ),
            action_url(
                self, self.workflow_view, segment="workflow", name="answers_translation_workflow"
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = dict(extra_context or {})
        if request.user.has_perm("answers.add_translation"):
            extra["start_form"] = StartTranslationForm(auto_id="start-%s")
            extra["upload_form"] = XliffUploadForm(auto_id="upload-%s")
        return super().changelist_view(request, extra)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        translation = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if translation is not None:
            user = request.user
            source = translation.source()
            mine = dict(translation.parts())
            extra["workflow"] = {
                "translation": translation,
                "source": source,
                "source_changes": source_changes(translation),
                "side_by_side": [
                    (name, english, mine.get(name, "")) for name, english in source.parts()
                ],
                **self.review_buttons(translation, user),
                "can_update": not translation.refusals("update", user),
                "can_edit": not translation.refusals("edit", user),
                "upload_form": XliffUploadForm(auto_id="upload-%s"),
            }
        return super().change_view(request, object_id, form_url, extra)

    def dashboard_view(self, request):
        """Per language: how many published answers are translated (and up to date), in
        review, out of date, still drafts, and missing, each linking to its list."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        published = Answer.objects.with_publication()
        total = published.count()
        changelist = reverse("admin:answers_translation_changelist")
        rows = []
        for code, name in settings.LANGUAGES[1:]:
            translations = Translation.objects.filter(language=code, answer__in=published)
            counts = {
                "translated": translations.with_publication()
                .filter(out_of_date_since__isnull=True)
                .count(),
                "in_review": translations.awaiting_review().count(),
                "out_of_date": translations.out_of_date().count(),
                "draft": translations.filter(
                    status=Translation.Status.DRAFT, out_of_date_since__isnull=True
                )
                .exclude(publication__isnull=False, publication__withdrawn_at__isnull=True)
                .count(),
            }
            missing = published.exclude(translations__language=code).select_related("question")
            counts["missing"] = missing.count()
            rows.append(
                {
                    "code": code,
                    "name": name,
                    "english_name": language_name(code),
                    "counts": counts,
                    "links": {
                        "translated": f"{changelist}?language={code}&status=published"
                        "&out_of_date_since__isempty=1",
                        "in_review": f"{changelist}?language={code}&status=in_review",
                        "out_of_date": f"{changelist}?language={code}&out_of_date_since__isempty=0",
                        "draft": f"{changelist}?language={code}&status=draft",
                    },
                    "missing": missing.order_by("question__text")[:50],
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": "Translations by language",
            "rows": rows,
            "total": total,
            "can_start": request.user.has_perm("answers.add_translation"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/answers/translation/dashboard.html", context)

    def start_view(self, request):
        if request.method != "POST" or not request.user.has_perm("answers.add_translation"):
            raise PermissionDenied
        form = StartTranslationForm(request.POST)
        back = reverse("admin:answers_translation_changelist")
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(back)
        try:
            translation = Translation.start(
                answer=form.cleaned_data["answer"],
                language=form.cleaned_data["language"],
                by=request.user,
            )
        except WorkflowError as error:
            for problem in error.problems:
                messages.error(request, problem)
            return redirect(back)
        messages.success(
            request,
            f"Started the {translation.language_name} translation: write it beside the English "
            "version, or download the XLIFF file for a translator.",
        )
        return redirect(reverse("admin:answers_translation_change", args=[translation.pk]))

    def export_view(self, request, object_id):
        translation = get_object_or_404(
            Translation.objects.select_related("answer__publication__signoff"),
            pk=unquote(object_id),
        )
        if not self.has_view_permission(request, translation):
            raise PermissionDenied
        try:
            data = export_xliff(
                answer=translation.answer, language=translation.language, translation=translation
            )
        except WorkflowError as error:
            for problem in error.problems:
                messages.error(request, problem)
            return redirect(reverse("admin:answers_translation_change", args=[translation.pk]))
        response = HttpResponse(data, content_type="application/xliff+xml; charset=utf-8")
        name = f"{translation.answer.question.slug}.{translation.language}.xlf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def import_view(self, request):
        if not request.user.has_perm("answers.change_translation"):
            raise PermissionDenied
        form = XliffUploadForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            try:
                result = import_xliff(
                    form.cleaned_data["file"].read(),
                    by=request.user,
                    replace=form.cleaned_data["replace"],
                )
            except WorkflowError as error:
                problems = error.problems
            else:
                translation = result.translation
                messages.success(
                    request,
                    f"Imported into the {translation.language_name} translation's draft: read "
                    "it beside the English version, then submit it for medical review.",
                )
                if result.replaced:
                    messages.warning(
                        request,
                        "Replaced the draft's own words in "
                        + ", ".join(result.replaced)
                        + " (the earlier words are in its history).",
                    )
                return redirect(reverse("admin:answers_translation_change", args=[translation.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a translated XLIFF file",
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/answers/translation/import.html", context)

    def workflow_view(self, request, object_id, action):
        translation = get_object_or_404(Translation, pk=unquote(object_id))
        by, post = request.user, request.POST

        def submit(data):
            translation.submit(by=by)
            return "Sent for medical review by a clinician who reads the language."

        def approve(data):
            translation.approve(
                by=by,
                password=data["password"],
                shown_hash=data["shown_hash"],
                faithful=data["faithful"],
                wording_safe=data["wording_safe"],
                comment=data["comment"],
            )
            return "Signed off and published: readers of the language now see this translation."

        def request_changes(data):
            translation.request_changes(by=by, comment=data["comment"])
            return "Sent back to the translator with your comment."

        def withdraw(data):
            translation.withdraw(by=by, reason=data["reason"])
            return "Taken off the public site; the English answer is unchanged."

        def update(data):
            translation.update_source(by=by)
            return (
                "Now made from the new English version: revise what changed, then submit it. "
                "Readers see the approved translation, with a notice, meanwhile."
            )

        actions = {
            "submit": (None, submit),
            "approve": (TranslationSignForm(post), approve),
            "request_changes": (SendBackForm(post), request_changes),
            "withdraw": (TakeDownForm(post), withdraw),
            "update": (None, update),
        }
        back = reverse("admin:answers_translation_change", args=[translation.pk])
        return carry_out(request, actions, action, back=back)
