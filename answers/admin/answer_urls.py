"""The addresses of the pages about one answer beside its change form: each a plain view
given the admin site, registered by `AnswerAdmin.get_urls()` under the answer's address with
the names templates, emails and tests reverse."""

from . import (
    assignment,
    cite_by_identifier,
    history,
    previews,
    review_cycle,
    review_page,
    workflow,
)
from . import writers_desk as desk

# (pattern, view, name): the URL name is `answers_answer_<name>`. The desk's come first:
# `<path:object_id>/preview/` would take "desk/preview/" too.
ANSWER_PAGES = [
    ("desk/preview/", desk.DeskPreviewView, "desk_preview_new"),
    ("desk/frame/", desk.DeskFrameView, "desk_frame"),
    ("desk/references/", desk.DeskReferencesView, "desk_references"),
    ("desk/lookup/", desk.DeskLookupView, "desk_lookup"),
    ("desk/session/", desk.DeskSessionView, "desk_session"),
    ("desk/structure/", desk.DeskStructureView, "desk_structure"),
    ("<path:object_id>/desk/preview/", desk.DeskPreviewView, "desk_preview"),
    ("<path:object_id>/submit/", workflow.SubmitView, "submit"),
    ("<path:object_id>/recall/", workflow.RecallView, "recall"),
    ("<path:object_id>/request-changes/", workflow.RequestChangesView, "request_changes"),
    ("<path:object_id>/approve/", workflow.ApproveView, "approve"),
    ("<path:object_id>/sign-step/", workflow.SignStepView, "sign_step"),
    ("<path:object_id>/mark-reviewed/", workflow.MarkReviewedView, "mark_reviewed"),
    ("<path:object_id>/withdraw/", workflow.WithdrawView, "withdraw"),
    ("<path:object_id>/assign/", assignment.AssignView, "assign"),
    ("<path:object_id>/review/", review_page.ReviewView, "review"),
    ("<path:object_id>/preview/", previews.PreviewView, "preview"),
    ("<path:object_id>/published-preview/", previews.PublishedPreviewView, "published_preview"),
    ("<path:object_id>/confirm-accurate/", review_cycle.ConfirmAccurateView, "confirm_accurate"),
    ("<path:object_id>/schedule/", review_cycle.ScheduleView, "schedule"),
    ("<path:object_id>/preview-links/", review_cycle.PreviewLinkCreateView, "preview_link_create"),
    (
        "<path:object_id>/preview-links/<int:link_id>/revoke/",
        review_cycle.PreviewLinkRevokeView,
        "preview_link_revoke",
    ),
    (
        "<path:object_id>/comments/<int:comment_id>/reply/",
        review_cycle.CommentReplyView,
        "comment_reply",
    ),
    (
        "<path:object_id>/comments/<int:comment_id>/resolve/",
        review_cycle.CommentResolveView,
        "comment_resolve",
    ),
    ("<path:object_id>/history/", history.HistoryView, "history"),
    ("<path:object_id>/history/compare/", history.HistoryCompareView, "history_compare"),
    (
        "<path:object_id>/history/<int:version_id>/restore/",
        history.HistoryRestoreView,
        "history_restore",
    ),
    (
        "<path:object_id>/cite-by-identifier/",
        cite_by_identifier.CiteByIdentifierView,
        "cite_by_identifier",
    ),
]


def answer_page_urls(route, admin_site):
    """`route(pattern, view, name)` for each page, its view given `admin_site`."""
    return [
        route(pattern, view.as_view(admin_site=admin_site), name)
        for pattern, view, name in ANSWER_PAGES
    ]
