"""The answer as the public will see it, framed on the signing pages: the draft (approve) and
the published snapshot (confirm still accurate). With `?version=` (a content hash, as the
signing pages frame it) only that version is drawn, else a notice that it changed, so the
words on screen are the words signed."""

from django.http import Http404
from django.template.response import TemplateResponse

from ..models import PublishedAnswer
from .answer_page import AnswerPageView, answer_url, framed


class PreviewView(AnswerPageView):
    """The draft as the public will see it."""

    http_method_names = ["get", "head"]

    def get(self, request, object_id):
        answer = self.get_answer(request, object_id)
        if not self.is_shown_version(request, answer.content_hash):
            return self.version_gone(request, answer)
        reviewer = request.user if request.user.has_perm("answers.review_answer") else None
        return self.public_preview(
            request, answer, PublishedAnswer.build(answer, reviewer=reviewer)
        )

    @staticmethod
    def is_shown_version(request, current_hash):
        wanted = request.GET.get("version")
        return wanted is None or wanted == current_hash()

    @staticmethod
    def version_gone(request, answer):
        return framed(
            TemplateResponse(
                request,
                "admin/answers/answer/preview_changed.html",
                {"answer": answer, "review_url": answer_url("review", answer)},
                status=409,
            )
        )

    @staticmethod
    def public_preview(request, answer, publication):
        """An answer rendered with the public templates and stylesheet."""
        return framed(
            TemplateResponse(
                request,
                "admin/answers/answer/preview.html",
                {"publication": publication, "answer": answer},
            )
        )


class PublishedPreviewView(PreviewView):
    """The public snapshot as approved, framed on the confirm-still-accurate page."""

    def get(self, request, object_id):
        answer = self.get_answer(request, object_id)
        publication = getattr(answer, "publication", None)
        if publication is None:
            raise Http404("This answer has never been published.")
        if not self.is_shown_version(request, lambda: publication.content_hash):
            return self.version_gone(request, answer)
        return self.public_preview(request, answer, publication)
