"""One page type, as a Wagtail site would model an answer: a lead, a rich-text body with
its citations, and references, each a RichTextField rendered with |richtext."""

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class AnswerPage(Page):
    lead = RichTextField()
    body = RichTextField()
    references = RichTextField(blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("lead"),
        FieldPanel("body"),
        FieldPanel("references"),
    ]
