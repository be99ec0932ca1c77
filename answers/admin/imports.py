"""The admin's upload pages: the same imports as the commands, for writers."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.urls import reverse

from citations.readers import ReferenceFileError, read_references

from ..articles import MAX_ARTICLE_BYTES
from ..importing import import_article, import_reference_file
from ..models import Answer, Topic


def _size_checked(upload, limit):
    if upload and upload.size > limit:
        raise forms.ValidationError(
            f"“{upload.name}” is {upload.size / 1_000_000:.1f} MB; the limit is {limit / 1_000_000:.0f} MB."
        )
    return upload


class ArticleUploadForm(forms.Form):
    article = forms.FileField(
        help_text="A plain-text article (.txt): the question, the short answer, the sections "
        "and the disclaimer line, as in the samples."
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


@permission_required("answers.add_answer", raise_exception=True)
def import_articles(request):
    report = None
    form = ArticleUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        article = form.cleaned_data["article"]
        upload = form.cleaned_data["references"]
        records = None
        if upload:
            try:
                records = read_references(upload.read(), filename=upload.name)
            except ReferenceFileError as error:
                form.add_error("references", f"{upload.name}: {error}")
        if not form.errors:
            topic = form.cleaned_data["topic"]
            report = import_article(
                article.read(),
                filename=article.name,
                references=records,
                references_name=upload.name if upload else "",
                author=request.user,
                topic_name=topic.name if topic else "",
            )
    draft_url = None
    if report is not None and report.answer is not None:
        draft_url = reverse("admin:answers_answer_change", args=[report.answer.pk])
    return _page(
        request,
        "admin/import/articles.html",
        form=form,
        report=report,
        draft_url=draft_url,
        title="Import an article",
    )


@permission_required("citations.add_reference", raise_exception=True)
def import_references(request):
    report = None
    form = ReferenceUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["references"]
        answer = form.cleaned_data["answer"]
        if answer is not None and not request.user.has_perm("answers.change_answer"):
            form.add_error("answer", "You do not have permission to change answers.")
        else:
            try:
                report = import_reference_file(
                    upload.read(), filename=upload.name, answer=answer, by=request.user
                )
            except ReferenceFileError as error:
                form.add_error("references", f"{upload.name}: {error}")
    return _page(
        request, "admin/import/references.html", form=form, report=report, title="Import references"
    )
