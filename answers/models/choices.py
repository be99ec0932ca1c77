"""The vocabularies of the editorial domain: an answer's status and certainty of evidence,
what a person may try to do with it, and the kinds of sections and reader feedback."""

from enum import StrEnum

from django.db import models


class Action(StrEnum):
    """What a person may try to do with an answer; `Answer.refusals` says whether they may now."""

    SUBMIT = "submit"
    REQUEST_CHANGES = "request_changes"
    APPROVE = "approve"
    WITHDRAW = "withdraw"
    EDIT = "edit"  # change the content, including restoring an earlier version
    ASSIGN = "assign"  # choose the clinician who reviews it
    CONFIRM_ACCURATE = "confirm_accurate"  # re-sign the published content unchanged
    SCHEDULE = "schedule"  # change or cancel a scheduled go-live or take-down
    SHARE_PREVIEW = "share_preview"  # create a preview link for an outside reviewer
    REVOKE_PREVIEW = "revoke_preview"  # stop a preview link opening, whatever the state
    DISCUSS = "discuss"  # reply to or resolve a clinician's comment on a section
    RECALL = "recall"  # the writer takes back a submission no clinician has opened
    MARK_REVIEWED = "mark_reviewed"  # complete a comment-only step of a topic's review route


class AnswerStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In medical review"
    PUBLISHED = "published", "Published"
    # Signed off, held for a release not yet published (answers.models.releases).
    APPROVED = "approved", "Approved, waiting for release"


class TranslationStatus(models.TextChoices):
    """A translation's workflow: an answer's, without releases (it goes live when signed)."""

    DRAFT = AnswerStatus.DRAFT.value, AnswerStatus.DRAFT.label
    IN_REVIEW = AnswerStatus.IN_REVIEW.value, AnswerStatus.IN_REVIEW.label
    PUBLISHED = AnswerStatus.PUBLISHED.value, AnswerStatus.PUBLISHED.label


class Certainty(models.TextChoices):
    """GRADE's four levels of certainty of evidence, with what each means to a reader, and
    "Not yet graded": nobody has graded the evidence, and readers are told so (no level)."""

    HIGH = "high", "High"
    MODERATE = "moderate", "Moderate"
    LOW = "low", "Low"
    VERY_LOW = "very_low", "Very low"
    NOT_GRADED = "not_graded", "Not yet graded"

    @property
    def plain_words(self):
        return CERTAINTY_PLAIN_WORDS[self]

    @property
    def is_graded(self):
        return self != Certainty.NOT_GRADED


# GRADE's own explanations (Balshem et al., J Clin Epidemiol 2011;64:401-6), in plain words.
CERTAINTY_PLAIN_WORDS = {
    Certainty.HIGH: "We are very confident in this answer: further research is very unlikely "
    "to change it.",
    Certainty.MODERATE: "We are fairly confident in this answer, but further research could "
    "change it.",
    Certainty.LOW: "Our confidence in this answer is limited: further research is likely to "
    "change it.",
    Certainty.VERY_LOW: "We are very uncertain about this answer: the evidence is weak or scarce.",
    Certainty.NOT_GRADED: "The certainty of the evidence behind this answer has not been "
    "graded yet.",
}


class SectionKind(models.TextChoices):
    PROSE = "prose", "Prose"
    QUESTIONS = "questions", "List of questions"
    GET_HELP = "get_help", "When to get help (three levels of signs)"


class FeedbackKind(models.TextChoices):
    HELPFUL = "helpful", "Helpful"
    NOT_HELPFUL = "not_helpful", "Not helpful"
    PROBLEM = "problem", "Problem reported"
