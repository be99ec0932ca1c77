"""Who reviews an answer: the clinician chosen at submission, and reassigning it from the
answer's page. The rules are `Answer.refusals(ASSIGN)` and `Answer.assign_reviewer`."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect

from ..models import Action, WorkflowError
from ..people import display_name
from .wording import refusal

ANY_REVIEWER = "Any medical reviewer"


def chosen_reviewer(request):
    """The clinician named in the POST's `reviewer` field: None for "any", a user, or
    WorkflowError for an id that names nobody."""
    value = (request.POST.get("reviewer") or "").strip()
    if not value:
        return None
    user = get_user_model().objects.filter(pk=value).first() if value.isdigit() else None
    if user is None:
        raise WorkflowError("The clinician chosen does not exist: choose one from the list.")
    return user


def reviewer_options(candidates):
    return [(str(user.pk), display_name(user)) for user in candidates]


class AssignmentPages:
    """Mixin for AnswerAdmin: the reassign button's view and the context the status panel
    shows (who reviews it, the choices at submission and at reassignment)."""

    def _assignment_context(self, request, answer, *, can_submit):
        can_assign = not answer.refusals(Action.ASSIGN, request.user)
        context = {
            "assigned_reviewer": display_name(answer.assigned_reviewer)
            if answer.assigned_reviewer
            else "",
            "any_reviewer_label": ANY_REVIEWER,
            "can_assign": can_assign,
            "assign_url": self._url("assign", answer),
        }
        if can_submit:
            context["submit_reviewer_options"] = reviewer_options(
                answer.reviewer_candidates(also_excluding=[request.user])
            )
        if can_assign:
            context["assign_reviewer_options"] = reviewer_options(answer.reviewer_candidates())
        return context

    def assign_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        answer = self._answer(request, object_id)
        try:
            reviewer = chosen_reviewer(request)
            answer.assign_reviewer(by=request.user, reviewer=reviewer)
        except WorkflowError as error:
            messages.error(request, refusal("The reviewer was not changed", error))
        else:
            if reviewer is None:
                messages.success(
                    request, "Any medical reviewer who did not write it may now review it."
                )
            else:
                messages.success(
                    request, f"Assigned to {display_name(reviewer)}, who has been notified."
                )
        return redirect(self._url("change", answer))
