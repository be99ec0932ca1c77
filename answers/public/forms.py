"""The reader feedback form on answer pages."""

import functools

from django import forms

from ..models import FeedbackKind, ReaderFeedback

MESSAGE_MAX_LENGTH = ReaderFeedback._meta.get_field("message").max_length


class FeedbackForm(forms.Form):
    """ "Was this helpful?" (Yes/No buttons) and "Report a problem" (a text box) post here;
    a report needs words, a yes or no does not."""

    kind = forms.ChoiceField(
        choices=FeedbackKind.choices,
        error_messages={"required": "Choose Yes or No, or describe the problem."},
    )
    message = forms.CharField(
        label="What is wrong or unclear?",
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 40}),
        help_text="Please do not include personal or medical details about yourself.",
        error_messages={
            "max_length": "Keep the report under %(limit_value)d characters "
            "(it has %(show_value)d)."
        },
    )

    def message_html(self):
        """The text box. Empty, it is the same on every answer page, and rendering a widget
        through its templates took a sixth of the page's time: rendered once per process."""
        if self.is_bound or self.auto_id != BLANK_AUTO_ID:
            return str(self["message"])
        return _blank_message_html()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == FeedbackKind.PROBLEM and not cleaned.get("message", "").strip():
            self.add_error("message", "Describe the problem so our editors can fix it.")
        return cleaned


class MissingForm(forms.Form):
    """After "No": what the reader missed (optional; nothing about them is kept)."""

    t = forms.CharField(widget=forms.HiddenInput)
    missing = forms.CharField(
        label="What was missing? (optional)",
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 40}),
        help_text="Please do not include personal or medical details about yourself.",
        error_messages={
            "max_length": "Keep it under %(limit_value)d characters (it has %(show_value)d)."
        },
    )


BLANK_AUTO_ID = "feedback-%s"


@functools.cache
def _blank_message_html():
    return str(FeedbackForm(auto_id=BLANK_AUTO_ID)["message"])


class PreviewCommentForm(forms.Form):
    """An outside reviewer's comment on a draft shared with a preview link."""

    name = forms.CharField(
        label="Your name",
        max_length=150,
        error_messages={"required": "Give your name, so the clinician knows who commented."},
    )
    text = forms.CharField(
        label="Your comment",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60}),
        error_messages={"required": "Write your comment first: it is empty."},
    )
