"""The admin's upload pages: the same imports as the commands, for writers. The upload is
kept as an ImportJob and imported by the task worker (answers.tasks.run_import): the page
answers at once, and the job's page shows the progress, then the report."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from markdown_it import MarkdownIt

from ops.tasks import enqueue_on_commit

from ..articles import MAX_ARTICLE_BYTES
from ..importing import ImportReport, finish_job, preview_article
from ..models import Answer, ImportJob, Topic
from ..tasks import run_import

# The longest list of lines the job page shows per kind (created, to check, errors).
SHOWN_LINES = 200


def _size_checked(upload, limit):
    if upload and upload.size > limit:
        raise forms.ValidationError(
            f"“{upload.name}” is {upload.size / 1_000_000:.1f} MB; the limit is {limit / 1_000_000:.0f} MB."
        )
    return upload


class ArticleUploadForm(forms.Form):
    article = forms.FileField(
        help_text="A plain-text article (.txt): the question, the short answer, the sections "
        "and the disclaimer line, as in the sample and the format's description above."
    )
    references = forms.FileField(
        required=False,
        help_text="Optional: its references as RIS, BibTeX, CSL-JSON or PubMed MEDLINE (.nbib). "
        "Each record's id must be the citation number used in the article.",
    )
    topic = forms.ModelChoiceField(
        Topic.objects.all(),
        required=False,
        empty_label="Taken from the disclaimer line",
    )

    def clean_article(self):
        return _size_checked(self.cleaned_data["article"], MAX_ARTICLE_BYTES)

    def clean_references(self):
        return _size_checked(self.cleaned_data.get("references"), settings.IMPORT_MAX_BYTES)


class ReferenceUploadForm(forms.Form):
    references = forms.FileField(
        help_text="RIS, BibTeX, CSL-JSON or PubMed MEDLINE (.nbib). Each record is added to the "
        "library, matched to a reference already held (same DOI or PubMed ID), or rejected."
    )
    answer = forms.ModelChoiceField(
        Answer.objects.select_related("question").exclude(status=Answer.Status.IN_REVIEW),
        required=False,
        empty_label="Only add them to the library",
        help_text="Optional: also cite them in this answer, by their record ids.",
    )

    def clean_references(self):
        return _size_checked(self.cleaned_data["references"], settings.IMPORT_MAX_BYTES)


def _page(request, template, **context):
    return render(request, template, {**admin.site.each_context(request), **context})


def _start(request, job):
    job.requested_by = request.user
    job.save()
    enqueue_on_commit(run_import, job.pk)
    messages.info(
        request,
        f"“{job.filename}” is imported in the background: this page shows how far it got, "
        "and what was created once it is done. You may leave it and come back.",
    )
    return redirect("import_job", job.pk)


ARTICLE_FORMAT = settings.BASE_DIR / "docs" / "article-format.md"


def article_format(request):
    """docs/article-format.md, as a page the import page links to: one description of the
    format, kept beside the code it describes."""
    text = ARTICLE_FORMAT.read_text(encoding="utf-8")
    if text.startswith("# "):  # the page's title says it
        text = text.split("\n", 1)[1]
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    return _page(
        request,
        "admin/import/format.html",
        title="The plain-text article format",
        content=mark_safe(html),  # markdown-it with raw HTML off: our own file, escaped
    )


def _preview(request, job):
    """Show what the article would create before anything is saved: the job waits for the
    writer to confirm it. A file with errors ends there, with its report."""
    report = preview_article(
        bytes(job.data),
        filename=job.filename,
        references_data=bytes(job.references_data),
        references_name=job.references_name,
        author=request.user,
        topic_name=job.topic_name,
    )
    if not report.ok:
        finish_job(job, report)
        return redirect("import_job", job.pk)
    job.status = ImportJob.Status.PREVIEW
    job.report = report.as_json()
    job.save()
    return redirect("import_job", job.pk)


@require_POST
@permission_required("answers.add_answer", raise_exception=True)
def confirm_import(request, job_id):
    """The writer's "Import it" (or "Cancel") under an article's preview."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update()
            .filter(pk=job_id, requested_by=request.user)
            .first()
        )
        if job is None:
            raise Http404("No such import.")
        if job.status == ImportJob.Status.FAILED:
            messages.warning(request, job.error)
            return redirect("import_job", job.pk)
        if job.status != ImportJob.Status.PREVIEW:
            messages.info(request, f"“{job.filename}” was confirmed already.")
            return redirect("import_job", job.pk)
        if "cancel" in request.POST:
            job.delete()
            messages.info(request, f"Nothing was imported from “{job.filename}”.")
            return redirect("import_articles")
        job.status = ImportJob.Status.WAITING
        job.report = {}
        return _start(request, job)


@permission_required("answers.add_answer", raise_exception=True)
def import_articles(request):
    form = ArticleUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        article = form.cleaned_data["article"]
        upload = form.cleaned_data["references"]
        topic = form.cleaned_data["topic"]
        job = ImportJob(
            kind=ImportJob.Kind.ARTICLE,
            filename=article.name,
            data=article.read(),
            references_name=upload.name if upload else "",
            references_data=upload.read() if upload else b"",
            topic_name=topic.name if topic else "",
            requested_by=request.user,
        )
        return _preview(request, job)
    return _page(
        request,
        "admin/import/articles.html",
        form=form,
        title="Import an article",
        jobs=_jobs(request),
    )


@permission_required("citations.add_reference", raise_exception=True)
def import_references(request):
    form = ReferenceUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["references"]
        answer = form.cleaned_data["answer"]
        if answer is not None and not request.user.has_perm("answers.change_answer"):
            form.add_error("answer", "You do not have permission to change answers.")
        else:
            job = ImportJob(
                kind=ImportJob.Kind.REFERENCES,
                filename=upload.name,
                data=upload.read(),
                answer=answer,
            )
            return _start(request, job)
    return _page(
        request,
        "admin/import/references.html",
        form=form,
        title="Import references",
        jobs=_jobs(request),
    )


def _jobs(request):
    """This person's last imports, newest first, for the upload pages."""
    return ImportJob.objects.filter(requested_by=request.user).defer("data", "references_data")[:5]


def import_job(request, job_id):
    """One upload: waiting, its progress while it runs (the page reloads itself), then the
    report. Only the person who uploaded it sees it, and whoever may view every import
    (superusers; Answers › Import jobs)."""
    job = (
        ImportJob.objects.defer("data", "references_data")
        .select_related("created_answer__question")
        .filter(pk=job_id)
        .first()
    )
    if job is None or not (
        job.requested_by_id == request.user.pk or request.user.has_perm("answers.view_importjob")
    ):
        raise Http404("No such import.")
    report = ImportReport.from_json(job.report) if job.report else None
    lines = {}
    if report is not None:
        for key in ("errors", "created", "warnings"):
            shown = getattr(report, key)
            lines[key] = {"shown": shown[:SHOWN_LINES], "more": max(0, len(shown) - SHOWN_LINES)}
    draft_url = None
    if job.created_answer_id is not None:
        draft_url = reverse("admin:answers_answer_change", args=[job.created_answer_id])
    back = "import_articles" if job.kind == ImportJob.Kind.ARTICLE else "import_references"
    return _page(
        request,
        "admin/import/job.html",
        job=job,
        report=report if job.finished else None,
        plan=report if job.status == ImportJob.Status.PREVIEW else None,
        lines=lines,
        draft_url=draft_url,
        back_url=reverse(back),
        title=f"Import of {job.filename}",
    )


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Every upload, for whoever runs the site: what waits, what runs, what failed and why.
    Read-only: the upload pages create them and the task worker runs them."""

    list_display = ["filename", "kind", "requested_by", "status", "progress", "created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["requested_by"]
    fields = [
        "filename",
        "kind",
        "requested_by",
        "status",
        "progress",
        "created_at",
        "started_at",
        "finished_at",
        "error",
        "page",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data", "references_data", "report")

    @admin.display(description="progress")
    def progress(self, job):
        if not job.total:
            return "–"
        return f"{job.done:,} of {job.total:,} records ({job.percent}%)"

    @admin.display(description="report")
    def page(self, job):
        url = reverse("import_job", args=[job.pk])
        return format_html('<a href="{}">The import’s page</a>', url)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
