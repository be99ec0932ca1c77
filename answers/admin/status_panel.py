"""What the answer's status panel shows, on its change page and on every page about it: the
state and the public version, the buttons each person may use now and why not (all from
`Answer.refusals`: nothing here restates a rule), who reviews it, and the review cycle's
comments and preview links."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from ..checklist import review_checklist
from ..models import Action, Answer, WorkflowError
from ..models.rules import HELD_NOT_EDITABLE
from ..people import display_name
from .answer_page import answer_url
from .forms import IN_REVIEW_READ_ONLY, CommentReplyForm, PreviewLinkForm

ANY_REVIEWER = "Any medical reviewer"
# The submit form's "any" choice: unlike an empty field, it overrides the default of
# sending a resubmission back to the clinician who asked for the changes.
ANY = "any"


def chosen_reviewer(request):
    """The clinician named in the POST's `reviewer` field (the panel's submit and reassign
    choices): None for "any" (or nobody named), a user, or WorkflowError for an id that
    names nobody."""
    value = (request.POST.get("reviewer") or "").strip()
    if not value or value == ANY:
        return None
    user = get_user_model().objects.filter(pk=value).first() if value.isdigit() else None
    if user is None:
        raise WorkflowError("The clinician chosen does not exist: choose one from the list.")
    return user


def reviewer_options(candidates):
    return [(str(user.pk), display_name(user)) for user in candidates]


def status_panel(request, answer):
    """The state, the public version, the workflow buttons and reasons, and who reviews."""
    user = request.user
    refusals = {action: answer.refusals(action, user) for action in Action}
    can_review = not refusals[Action.REQUEST_CHANGES]
    publication = getattr(answer, "publication", None)
    differs = answer.differs_from_publication
    changed_since_approval = answer.status == Answer.Status.PUBLISHED and differs
    status_label = answer.get_status_display()
    if changed_since_approval:
        status_label = "Draft (changed since it was approved)"
    elif answer.status == Answer.Status.IN_REVIEW:
        progress = answer.route_progress()
        if progress is not None and progress.label:
            status_label += f" ({progress.label})"
    elif answer.status == Answer.Status.APPROVED:  # held: name the release (one query, only then)
        member = answer.pending_release_member()
        if member is not None:
            status_label = f"Approved, waiting for release “{member.release}”"
    return {
        "status_label": status_label,
        "checklist": review_checklist(answer),
        "publication": publication,
        "public_state": publication.public_state() if publication is not None else None,
        "withdrawn_by": display_name(publication.withdrawn_by)
        if publication is not None and publication.withdrawn_by
        else "",
        "public_url": reverse("question", args=[publication.slug]) if answer.is_live else None,
        "draft_differs": differs,
        "in_review_notice": None
        if answer.is_editable
        else HELD_NOT_EDITABLE
        if answer.status == Answer.Status.APPROVED
        else IN_REVIEW_READ_ONLY,
        "can_submit": not refusals[Action.SUBMIT],
        "can_recall": not refusals[Action.RECALL],
        "recall_url": answer_url("recall", answer),
        "can_review": can_review,
        "review_refused": " ".join(refusals[Action.REQUEST_CHANGES]),
        "approve_blocked": " ".join(refusals[Action.APPROVE]) if can_review else None,
        "can_withdraw": not refusals[Action.WITHDRAW],
        "submit_url": answer_url("submit", answer),
        "request_changes_url": answer_url("request_changes", answer),
        "approve_url": answer_url("approve", answer),
        "withdraw_url": answer_url("withdraw", answer),
        "review_url": answer_url("review", answer),
        "preview_url": answer_url("preview", answer),
        "history_url": answer_url("history", answer),
        **reviewer_panel(request, answer, can_submit=not refusals[Action.SUBMIT]),
    }


def reviewer_panel(request, answer, *, can_submit):
    """Who reviews it, the choices at submission and at reassignment."""
    can_assign = not answer.refusals(Action.ASSIGN, request.user)
    context = {
        "assigned_reviewer": display_name(answer.assigned_reviewer)
        if answer.assigned_reviewer
        else "",
        "any_reviewer_label": ANY_REVIEWER,
        "can_assign": can_assign,
        "assign_url": answer_url("assign", answer),
    }
    if can_submit:
        context["submit_reviewer_options"] = reviewer_options(
            answer.reviewer_candidates(also_excluding=[request.user])
        )
        returning = answer.returning_reviewer(submitter=request.user)
        context["submit_reviewer_default"] = display_name(returning) if returning else ""
        context["any_reviewer_value"] = ANY
    if can_assign:
        context["assign_reviewer_options"] = reviewer_options(answer.reviewer_candidates())
    return context


def review_cycle_panel(request, answer):
    """Confirm still accurate, the schedule, preview links and the section comments."""
    user = request.user
    comments = list(
        answer.review_comments.select_related("author__contributor", "resolved_by")
        .prefetch_related("replies__author__contributor")
        .all()
    )
    unresolved = [c for c in comments if c.resolved_at is None]
    links = []
    if not answer.refusals(Action.SHARE_PREVIEW, user) or answer.preview_links.exists():
        links = list(answer.preview_links.prefetch_related("comments").all())
    return {
        "can_confirm": not answer.refusals(Action.CONFIRM_ACCURATE, user),
        "confirm_url": answer_url("confirm_accurate", answer),
        "can_schedule": not answer.refusals(Action.SCHEDULE, user),
        "schedule_url": answer_url("schedule", answer),
        "can_share_preview": not answer.refusals(Action.SHARE_PREVIEW, user),
        "preview_link_form": PreviewLinkForm(),
        "preview_link_url": answer_url("preview_link_create", answer),
        "preview_links": links,
        "preview_comments": [c for link in links for c in link.comments.all()],
        "review_comments": comments,
        "unresolved_comments": unresolved,
        # Open comments stand beside their field in the form; the panel lists them, keeps
        # the resolved ones and those on a section since removed.
        "placed_comments": [c for c in unresolved if c.has_place],
        "unplaced_comments": [c for c in unresolved if not c.has_place],
        "resolved_comments": [c for c in comments if c.resolved_at is not None],
        "reply_form": CommentReplyForm(),
        "now": timezone.now(),
    }
