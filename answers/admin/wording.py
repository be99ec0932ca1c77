"""How the admin words what happened: refusals with every reason, times, and what the public
page shows while a published answer has a new draft."""

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join

from ..models import WorkflowError


def refusal(summary, error: WorkflowError):
    """One message listing every reason a transition was refused."""
    if len(error.problems) == 1:
        return format_html("{}: {}", summary, error.problems[0])
    items = format_html_join("", "<li>{}</li>", ((problem,) for problem in error.problems))
    return format_html("{}:<ul>{}</ul>", summary, items)


def when(moment):
    return date_format(timezone.localtime(moment), "j M Y H:i") if moment else ""


PUBLIC_KEEPS_APPROVED = (
    "The public page still shows the approved version until a clinician approves this draft."
)
