"""An answer's history in the admin: every version, any two compared, one restored as a new
draft through `Answer.revert_to` (django-reversion's own revert views are switched off)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from reversion.models import Version

from ..models import Action, WorkflowError
from ..people import display_name
from .answer_page import AnswerPageView, answer_url
from .diff import content_from_revision, diff_content
from .status_panel import status_panel
from .wording import PUBLIC_KEEPS_APPROVED, refusal, when

# A long-lived answer gathers hundreds of versions: one page lists this many, newest first.
VERSIONS_PER_PAGE = 50


def versions_of(answer):
    """The answer's versions, newest first, with who saved each."""
    return Version.objects.get_for_object(answer).select_related(
        "revision", "revision__user", "revision__user__contributor"
    )


class HistoryView(AnswerPageView):
    """Every version, newest first, the published one marked, any two to compare."""

    http_method_names = ["get", "head"]

    def get(self, request, object_id):
        answer = self.get_answer(request, object_id)
        publication = getattr(answer, "publication", None)
        published_revision = publication.signoff.revision_id if publication else None
        can_restore = not answer.refusals(Action.EDIT, request.user)
        versions = versions_of(answer)
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
                    "restore_url": answer_url("history_restore", answer, version.pk),
                }
            )
        # Compare, by default, the page's newest version with the one the public page shows.
        published_index = next((i for i, row in enumerate(rows) if row["is_published"]), 0)
        default_from = published_index or 1
        for index, row in enumerate(rows):
            row["default_from"] = index == default_from
        return self.render(
            request,
            "admin/answers/answer/history.html",
            answer,
            "History",
            rows=rows,
            page=page,
            current_version_pk=current_pk,
            can_restore=can_restore,
            compare_url=answer_url("history_compare", answer),
            **status_panel(request, answer),
        )


class HistoryCompareView(AnswerPageView):
    """Two versions compared, older to newer, whichever order they were chosen in."""

    http_method_names = ["get", "head"]

    def get(self, request, object_id):
        answer = self.get_answer(request, object_id)
        versions = versions_of(answer)
        try:
            old = versions.get(pk=int(request.GET.get("from", "")))
            new = versions.get(pk=int(request.GET.get("to", "")))
        except (ValueError, Version.DoesNotExist):
            messages.error(request, "Choose two versions of this answer to compare.")
            return redirect(answer_url("history", answer))
        if old.revision.date_created > new.revision.date_created:
            old, new = new, old
        diff = diff_content(
            content_from_revision(old.revision, answer.pk),
            content_from_revision(new.revision, answer.pk),
        )
        return self.render(
            request,
            "admin/answers/answer/history_compare.html",
            answer,
            "Compare versions",
            diff=diff,
            old=old,
            new=new,
            history_url=answer_url("history", answer),
        )


class HistoryRestoreView(AnswerPageView):
    """One version restored as a new draft, through `Answer.revert_to`."""

    http_method_names = ["post"]

    def post(self, request, object_id, version_id):
        answer = self.get_answer(request, object_id)
        version = versions_of(answer).filter(pk=version_id).first()
        if version is None:
            raise Http404("This answer has no such version.")
        try:
            answer.revert_to(version, by=request.user)
        except WorkflowError as error:
            messages.error(request, refusal("The version was not restored", error))
            return redirect(answer_url("history", answer))
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
        return redirect(answer_url("change", answer))
