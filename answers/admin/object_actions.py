"""Buttons on a change page that post to one view per action (the glossary's workflow, the
problem reports' queue): the URL, and carrying out one action with every problem said."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from ..models import WorkflowError


def action_url(model_admin, view, *, segment, name):
    """<object id>/<segment>/<action>/, POST only, behind the admin's login and permissions."""
    return path(
        f"<path:object_id>/{segment}/<slug:action>/",
        model_admin.admin_site.admin_view(require_POST(view)),
        name=name,
    )


def carry_out(request, actions, action, *, back):
    """`actions`: {name: (form or None, act)}; `act(cleaned_data)` calls the model and returns
    what to tell the person. A form's errors and a refusal's reasons become messages."""
    if action not in actions:
        raise PermissionDenied("No such action here.")
    form, act = actions[action]
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        done = act(form.cleaned_data if form is not None else {})
    except WorkflowError as error:
        for problem in error.problems:
            messages.error(request, problem)
        return redirect(back)
    messages.success(request, done)
    return redirect(back)
