"""Reassigning who reviews an answer from its page. The rules are `Answer.refusals(ASSIGN)`
and `Answer.assign_reviewer`; the choices shown are the status panel's."""

from django.contrib import messages
from django.shortcuts import redirect

from ..models import WorkflowError
from ..people import display_name
from .answer_page import AnswerPageView, answer_url
from .status_panel import chosen_reviewer
from .wording import refusal


class AssignView(AnswerPageView):
    http_method_names = ["post"]

    def post(self, request, object_id):
        answer = self.get_answer(request, object_id)
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
        return redirect(answer_url("change", answer))
