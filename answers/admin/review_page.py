"""The page a clinician signs from: the whole draft, part by part, with the comments on each
part beside it; the writer's notes for this round; the comparisons, with the version the
clinician last sent back and with the published one; and the decision forms, the approval
naming the very content drawn."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateformat import format as date_format
from reversion.models import Version

from ..models import Action, PublishedAnswer, ReviewComment, StepKind
from ..people import display_name
from .answer_page import AnswerPageView, answer_url
from .diff import content_from_answer, content_from_publication, content_from_revision, diff_content
from .form_page import shown_preview_url
from .forms import ApproveForm, MarkReviewedForm, RequestChangesForm, StepSignOffForm
from .status_panel import review_cycle_panel, status_panel
from .wording import when

ROUND = "round"
PUBLISHED = "published"
SUBMITTED_COMMENT = "Submitted for medical review"


def day(moment):
    return date_format(timezone.localtime(moment), "j M Y")


@dataclass
class DraftPart:
    """One part of the draft as readers will see it (`html`, already sanitised by the
    renderer), with the review comments made on it."""

    heading: str
    html: str
    anchor: str
    comments: list = field(default_factory=list)

    @property
    def unresolved(self):
        return [comment for comment in self.comments if comment.resolved_at is None]


def draft_parts(answer, comments, *, reviewer=None):
    """The draft rendered as the public page will show it (the same snapshot builder), split
    into the short answer and each section, with the comments on each; plus the comments on
    sections that no longer exist, and the snapshot (for the certainty and references)."""
    # Built from its own copy: a snapshot made for `answer` would stand in for its
    # publication (the reverse one-to-one cache) for the rest of the request.
    copy = type(answer).objects.select_related("question__topic").get(pk=answer.pk)
    snapshot = PublishedAnswer.build(copy, reviewer=reviewer)
    lead = DraftPart("Short answer", snapshot.lead_html, "draft-short-answer")
    parts = [lead]
    by_section = {}
    for section, rendered in zip(answer.ordered_sections(), snapshot.data["sections"], strict=True):
        part = DraftPart(section.heading, rendered["html"], f"draft-{rendered['anchor']}")
        by_section[section.pk] = part
        parts.append(part)
    elsewhere = []
    for comment in comments:
        if comment.section_id in by_section:
            by_section[comment.section_id].comments.append(comment)
        elif comment.section_id is None and comment.part == ReviewComment.LEAD:
            lead.comments.append(comment)
        else:
            elsewhere.append(comment)
    return parts, elsewhere, snapshot


def _round_start(answer):
    """When this review round's writing began: the last time it was sent back, else its
    last approval, else never (its first round)."""
    if answer.changes_requested_revision_id:
        return answer.changes_requested_revision.date_created
    publication = getattr(answer, "publication", None)
    if publication is not None:
        return publication.approved_at
    return None


def writer_notes(answer):
    """The writers' "what changed and why" notes of this round: each saved version's note
    (or the parts it lists as changed) since the round began, up to the submitted version,
    oldest first."""
    if answer.submitted_revision_id is None:
        return []
    versions = (
        Version.objects.get_for_object(answer)
        .filter(revision__date_created__lte=answer.submitted_revision.date_created)
        .exclude(revision__comment=SUBMITTED_COMMENT)
        .exclude(revision__comment="")
        .select_related("revision__user__contributor")
        .order_by("revision__date_created", "pk")
    )
    start = _round_start(answer)
    if start is not None:
        versions = versions.filter(revision__date_created__gt=start)
    return [
        {
            "date": version.revision.date_created,
            "by": display_name(version.revision.user) if version.revision.user else "",
            "note": version.revision.get_comment(),
        }
        for version in versions
    ]


def comparisons(answer, user, chosen):
    """The comparisons the page offers (with the version last sent back, with the published
    version) and the one shown: `chosen` if offered, else the first."""
    offered = []
    sent_back = answer.changes_requested_revision
    if sent_back is not None:
        old = content_from_revision(sent_back, answer.pk)
        if old is not None:
            by = answer.changes_requested_by
            you = by is not None and by.pk == user.pk
            who = "you" if you else display_name(by) if by else "a clinician"
            offered.append(
                {
                    "key": ROUND,
                    "tab": "Since you sent it back" if you else "Since it was sent back",
                    "old": old,
                    "description": f"Compared with the version {who} sent back to the writers "
                    f"(version {sent_back.pk}, submitted {when(sent_back.date_created)}).",
                }
            )
    publication = getattr(answer, "publication", None)
    if publication is not None:
        old = content_from_publication(publication)
        if old is not None:
            withdrawn = (
                f" (withdrawn on {day(publication.withdrawn_at)})"
                if publication.withdrawn_at
                else ""
            )
            offered.append(
                {
                    "key": PUBLISHED,
                    "tab": "Since the published version",
                    "old": old,
                    "description": "Compared with the version approved on "
                    f"{day(publication.approved_at)}{withdrawn}.",
                }
            )
    if not offered:
        return [], None, None
    shown = next((c for c in offered if c["key"] == chosen), offered[0])
    return offered, shown, diff_content(shown["old"], content_from_answer(answer))


class ReviewView(AnswerPageView):
    """The review page: anyone who may see the answer reads it; the decision forms show to
    those `Answer.refusals` lets decide."""

    http_method_names = ["get", "head"]

    def get(self, request, object_id):
        answer = self.get_answer(request, object_id)
        answer.note_review_opened(by=request.user)  # the writer can no longer take it back
        cycle = review_cycle_panel(request, answer)
        reviewer = request.user if request.user.has_perm("answers.review_answer") else None
        parts, comments_elsewhere, snapshot = draft_parts(
            answer, cycle["review_comments"], reviewer=reviewer
        )
        offered, compared, diff = comparisons(answer, request.user, request.GET.get("compare"))
        approve_form = ApproveForm(answer=answer)
        # The signature names the very content drawn on this page.
        approve_form.fields["shown_hash"].initial = snapshot.content_hash
        route = route_context(request, answer, snapshot.content_hash)
        if route.get("route_current") is not None:
            approve_form.fields["step"].initial = route["route_current"].number
        return self.render(
            request,
            "admin/answers/answer/review.html",
            answer,
            "Medical review",
            draft_parts=parts,
            comments_elsewhere=comments_elsewhere,
            snapshot=snapshot,
            writer_notes=writer_notes(answer),
            comparisons=offered,
            compared=compared,
            diff=diff,
            request_changes_form=RequestChangesForm(answer=answer),
            **cycle,
            approve_form=approve_form,
            shown_preview_url=shown_preview_url("preview", answer, approve_form),
            **status_panel(request, answer),
            **route,
        )


def route_context(request, answer, shown_hash):
    """The topic's review route on the review page: every step with who took it, the step
    now, and the form for it when it is this person's to take and does not publish (the last
    signature is the approve form)."""
    progress = answer.route_progress(content_hash=shown_hash)
    if progress is None:
        return {}
    current = progress.current
    context = {"route": progress, "route_current": current, "step_form": None}
    if current is None or answer.status != answer.Status.IN_REVIEW:
        return context
    action = Action.MARK_REVIEWED if current.step.kind == StepKind.COMMENT else Action.APPROVE
    refused = answer.refusals(action, request.user)
    context["step_refused"] = " ".join(refused)
    if current.step.kind == StepKind.COMMENT:
        if not refused:
            context.update(
                step_form=MarkReviewedForm(answer=answer),
                step_url=answer_url("mark_reviewed", answer),
                step_button="Mark reviewed",
            )
    elif not progress.publishes_next and not refused:
        context.update(
            step_form=StepSignOffForm(answer=answer),
            step_url=answer_url("sign_step", answer),
            step_button="Sign this step",
        )
    if context["step_form"] is not None:
        context["step_form"].fields["shown_hash"].initial = shown_hash
    return context
