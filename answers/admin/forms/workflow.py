"""The workflow forms of the review page: request changes, approve (signed with the
clinician's password), withdraw, confirm still accurate, schedule, share a preview link and
reply to a comment. Each only gathers input: the transitions on Answer decide."""

from django import forms

from ...models import SIGNOFF_MEANING, Certainty, ReviewComment
from .content import unix_newlines

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class NextReviewField(forms.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Next review due (optional)")
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        kwargs.setdefault(
            "help_text",
            "Sooner for fast-moving topics. Leave empty for the usual interval.",
        )
        super().__init__(**kwargs)


class LocalDateTimeField(forms.DateTimeField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("input_formats", DATETIME_FORMATS)
        kwargs.setdefault(
            "widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        )
        super().__init__(**kwargs)


class GoLiveField(LocalDateTimeField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Go live at (optional)")
        kwargs.setdefault(
            "help_text",
            "An embargo: the public sees it from this moment. Leave empty to publish now.",
        )
        super().__init__(**kwargs)


def add_part_comment_fields(form, answer):
    """One optional comment field per part of the answer (the short answer, each section)."""
    parts = [("part_lead", None, ReviewComment.LEAD)] + [
        (f"part_section_{section.pk}", section, f"Section “{section.heading}”")
        for section in answer.ordered_sections()
    ]
    for name, section, label in parts:
        form.fields[name] = forms.CharField(
            label=f"Comment on: {label}",
            required=False,
            widget=forms.Textarea(attrs={"rows": 2, "cols": 70}),
        )
        form.parts[name] = section


class WorkflowForm(forms.Form):
    """Field ids carry the form's name, so two of these forms can share the review page."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        return {
            name: unix_newlines(value) if isinstance(value, str) else value
            for name, value in cleaned.items()
        }


class RequestChangesForm(WorkflowForm):
    id_prefix = "request_changes"
    takes_answer = True
    comment = forms.CharField(
        label="What needs to change",
        widget=forms.Textarea(attrs={"rows": 6, "cols": 70}),
        help_text="The writers see this on the answer's page until they submit it again.",
        error_messages={"required": "Say what needs to change: the comment is required."},
    )

    def __init__(self, *args, answer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parts = {}
        if answer is not None:
            add_part_comment_fields(self, answer)

    def clean(self):
        cleaned = super().clean()
        # (section, or None for the short answer; text) for each part commented on.
        cleaned["section_comments"] = [
            (section, cleaned[name])
            for name, section in self.parts.items()
            if cleaned.get(name, "").strip()
        ]
        return cleaned


class SignatureField(forms.CharField):
    """The signer's password: a sign-off is an electronic signature."""

    def __init__(self, *, signs, **kwargs):
        super().__init__(
            label="Your password, as your signature",
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            help_text="Typing your password signs this electronically. The sign-off records "
            "your name and credentials, the time, and its meaning: "
            f"\u201c{SIGNOFF_MEANING}\u201d.",
            error_messages={"required": f"Type your password to sign {signs}."},
            **kwargs,
        )


class ShownVersionField(forms.CharField):
    """The content hash of the version the signing page displayed: the model refuses the
    signature when the answer's content is no longer that version."""

    def __init__(self, **kwargs):
        super().__init__(
            widget=forms.HiddenInput,
            max_length=64,
            error_messages={
                "required": "Nothing was signed: this form did not say which version of the "
                "answer you read. Open the review page, read the answer, and sign there."
            },
            **kwargs,
        )


class SigningForm(WorkflowForm):
    """A form that signs what its page shows: `shown_hash` is that content's hash, set from
    the answer when the page is drawn and kept as posted when the form is shown again."""

    takes_answer = True

    def __init__(self, *args, answer=None, **kwargs):
        super().__init__(*args, **kwargs)
        if answer is not None:
            self.fields["shown_hash"].initial = self.shown_hash_of(answer)
            self.fields["shown_revision"].initial = self.shown_revision_of(answer)

    shown_hash = ShownVersionField()
    # Which version that was, only to tell the signer what changed since (the hash binds).
    shown_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ApproveForm(SigningForm):
    id_prefix = "approve"

    @staticmethod
    def shown_hash_of(answer):
        return answer.content_hash()

    @staticmethod
    def shown_revision_of(answer):
        return answer.submitted_revision_id

    sources_checked = forms.BooleanField(
        label="I checked every source against the text",
        error_messages={"required": "Confirm that you checked every source against the text."},
    )
    wording_safe = forms.BooleanField(
        label="The wording is safe for patients",
        error_messages={"required": "Confirm that the wording is safe for patients."},
    )
    comment = forms.CharField(
        label="Comment (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text="Kept with your sign-off and in the audit log.",
    )
    change_summary = forms.CharField(
        label="What changed (for readers)",
        required=False,
        max_length=200,
        help_text="One line in the answer's public change log, e.g. “Added the 2024 trial of "
        "…”. Required when the answer was published before; “First published” otherwise.",
    )
    is_correction = forms.BooleanField(
        label="This update corrects an error",
        required=False,
        help_text="Readers see the update flagged as a correction, on the page and in the feed.",
    )
    certainty = forms.ChoiceField(
        label="Certainty of evidence",
        required=False,
        choices=[("", "Confirm the writer's proposal"), *Certainty.choices],
        help_text="Change it only if you disagree with the writer's proposal shown above.",
    )
    certainty_reason = forms.CharField(
        label="Why (when you change it)",
        required=False,
        max_length=300,
        help_text="One plain sentence for readers; required when you change the level.",
    )
    next_review_due = NextReviewField()
    go_live_at = GoLiveField()
    password = SignatureField(signs="the approval")
    # On a topic's review route: the step the page showed (the last one, which publishes).
    step = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, answer=None, **kwargs):
        super().__init__(*args, answer=answer, **kwargs)
        if answer is not None:
            show_certainty_proposal(self, answer)
            ask_to_confirm_open_comments(self, answer)


class StepForm(SigningForm):
    """A step of a topic's review route that does not publish: the step the page showed,
    bound to the content it showed, with an optional comment."""

    @staticmethod
    def shown_hash_of(answer):
        return answer.content_hash()

    @staticmethod
    def shown_revision_of(answer):
        return answer.submitted_revision_id

    step = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "Nothing was recorded: this form did not say which step of the review "
            "you took. Open the review page and take it there."
        },
    )
    comment = forms.CharField(
        label="Comment (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text="Kept with your step and in the audit log; the writers and the next "
        "reviewers read it.",
    )

    def __init__(self, *args, answer=None, **kwargs):
        super().__init__(*args, answer=answer, **kwargs)
        progress = answer.route_progress() if answer is not None else None
        if progress is not None and progress.current is not None:
            self.fields["step"].initial = progress.current.number


class StepSignOffForm(StepForm):
    id_prefix = "step_sign"

    password = forms.CharField(
        label="Your password, as your signature",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Typing your password signs this step electronically, recording your name "
        "and credentials, the time and the step. The answer stays in review until the last "
        "step is signed.",
        error_messages={"required": "Type your password to sign this step."},
    )


class MarkReviewedForm(StepForm):
    id_prefix = "mark_reviewed"


def show_certainty_proposal(form, answer):
    """The writer's proposed certainty, where the form asks the clinician to confirm it."""
    field = form.fields["certainty"]
    if not answer.certainty:
        field.choices = [("", "Keep it empty (the writer proposed none)"), *Certainty.choices]
        field.help_text = (
            "The writer proposed no certainty of evidence. Choose one only if you want to "
            "set it yourself."
        )
        return
    proposed = Certainty(answer.certainty).label
    field.choices = [("", f"Confirm the writer's proposal: {proposed}"), *Certainty.choices]
    reason = f" “{answer.certainty_reason}”" if answer.certainty_reason else ""
    field.help_text = (
        f"The writer proposes “{proposed}”{reason}. Change it only if you disagree with "
        "the writer's proposal."
    )


def ask_to_confirm_open_comments(form, answer):
    """Comments on parts still unresolved: approving asks for a tick, as submitting does."""
    count = answer.review_comments.filter(resolved_at__isnull=True).count()
    if not count:
        return
    plural = "s" if count != 1 else ""
    form.fields["open_comments_confirmed"] = forms.BooleanField(
        label=f"Approve with {count} comment{plural} unresolved",
        help_text="Comments on parts of the answer that nobody marked resolved: read them and "
        "the writer's replies beside each section first.",
        error_messages={
            "required": f"{count} comment{plural} on parts of the answer {'is' if count == 1 else 'are'} "
            f"not resolved: tick “Approve with {count} comment{plural} unresolved” to approve "
            "it as it is."
        },
    )
    form.order_fields(["sources_checked", "wording_safe", "open_comments_confirmed"])


class WithdrawForm(WorkflowForm):
    id_prefix = "withdraw"
    reason = forms.CharField(
        label="Why it is withdrawn",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
        help_text="Kept in the audit log. Readers see that the page was withdrawn, "
        "not this reason.",
        error_messages={"required": "Say why it is withdrawn: the reason is required."},
    )


class ConfirmAccurateForm(SigningForm):
    id_prefix = "confirm"

    @staticmethod
    def shown_hash_of(answer):
        return answer.publication.content_hash

    @staticmethod
    def shown_revision_of(answer):
        return answer.publication.signoff.revision_id

    sources_checked = forms.BooleanField(
        label="I checked every source against the text again",
        error_messages={"required": "Confirm that you checked every source against the text."},
    )
    wording_safe = forms.BooleanField(
        label="The wording is still safe and accurate for patients",
        error_messages={"required": "Confirm that the wording is still safe for patients."},
    )
    next_review_due = NextReviewField()
    comment = forms.CharField(
        label="Comment (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text="Kept with your sign-off and in the audit log.",
    )
    password = SignatureField(signs="the confirmation")


class ScheduleForm(WorkflowForm):
    """Editors: the go-live (before it) and the take-down; an empty field cancels it."""

    id_prefix = "schedule"
    takes_answer = True

    def __init__(self, *args, answer=None, **kwargs):
        super().__init__(*args, **kwargs)
        publication = getattr(answer, "publication", None)
        if publication is not None:
            self.initial.setdefault("take_down_at", publication.take_down_at)
            self.initial.setdefault("take_down_reason", publication.take_down_reason)
            if publication.is_embargoed():
                self.initial.setdefault("go_live_at", publication.live_from)
            else:
                del self.fields["go_live_at"]

    go_live_at = LocalDateTimeField(
        label="Go live at",
        help_text="Before the answer goes live: empty publishes it now.",
    )
    take_down_at = LocalDateTimeField(
        label="Take down at",
        help_text="Time-limited guidance: from then the page tells readers it was taken down, "
        "with the reason. Empty cancels a scheduled take-down.",
    )
    take_down_reason = forms.CharField(
        label="Why it is taken down",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text="Readers see this after the take-down.",
    )


class PreviewLinkForm(WorkflowForm):
    id_prefix = "preview_link"
    reviewer_name = forms.CharField(
        label="For (optional)",
        required=False,
        max_length=150,
        help_text="The outside expert's name, to tell links apart.",
    )


class CommentReplyForm(WorkflowForm):
    id_prefix = "reply"
    text = forms.CharField(
        label="Reply",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        error_messages={"required": "Write a reply first: it is empty."},
    )
