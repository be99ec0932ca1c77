"""An answer's history in the admin: every version, any two compared, one restored as a new
draft through `Answer.revert_to` (django-reversion's own revert views are switched off)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from reversion.models import Version

from ..models import (
    Action,
    WorkflowError,
)
from ..people import display_name
from .diff import content_from_revision, diff_content
from .wording import refusal, when
from .workflow import PUBLIC_KEEPS_APPROVED

# A long-lived answer gathers hundreds of versions: one page lists this many, newest first.
VERSIONS_PER_PAGE = 50


class HistoryPages:
    """Mixin for AnswerAdmin, beside `AnswerPages` (whose `_answer`, `_render`, `_url` it uses)."""

    def _versions(self, answer):
        return Version.objects.get_for_object(answer).select_related(
            "revision", "revision__user", "revision__user__contributor"
        )

    def history_view(self, request, object_id, extra_context=None):
        answer = self._answer(request, object_id)
        publication = getattr(answer, "publication", None)
        published_revision = publication.signoff.revision_id if publication else None
        can_restore = not answer.refusals(Action.EDIT, request.user)
        versions = self._versions(answer)
        page = Paginator(versions, VERSIONS_PER_PAGE).get_page(request.GET.get("page"))
        current_pk = versions.values_list("pk", flat=True).first()
        rows = []
        for version in page.object_list:
            revision = version.revision
            rows.append(
                {
                    "version": version,
                    "date": revision.date_created,
                    "user": display_name(revision.user) if revision.user else "",
                    "comment": revision.get_comment() or "",
                    "is_current": version.pk == current_pk,
                    "is_published": revision.pk == published_revision,
                    "restore_url": self._url("history_restore", answer, version.pk),
                }
            )
        # Compare, by default, the page's newest version with the one the public page shows.
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
            page=page,
            current_version_pk=current_pk,
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
        if answer.has_publication:
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

    def history_urls(self, route):
        return [
            route(
                "<path:object_id>/history/compare/", self.history_compare_view, "history_compare"
            ),
            route(
                "<path:object_id>/history/<int:version_id>/restore/",
                self.history_restore_view,
                "history_restore",
            ),
        ]
