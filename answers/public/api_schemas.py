"""The API's schemas: django-ninja generates the OpenAPI document from them, and
schemathesis checks in the suite that every response `api.py` builds matches it."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import AnyUrl, WithJsonSchema

from ..models import Certainty as CertaintyLevel

PAGE_SIZE = 20
SLUG_PATTERN = r"^[-a-zA-Z0-9_]*$"


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str


class Person(Schema):
    name: str
    credentials: str = Field(description='Post-nominal letters, e.g. "MD".')
    role: str
    orcid: str


class Topic(Schema):
    name: str
    slug: str
    url: AnyUrl


class Dates(Schema):
    first_published: dt.datetime
    last_reviewed: dt.datetime = Field(description="When a clinician last signed it off.")
    next_review_due: dt.date


class AnswerSummary(Dates):
    question: str
    slug: str
    url: AnyUrl
    api_url: AnyUrl = Field(
        description="The answer's document; for a translation, the English answer's."
    )
    topic: Topic
    lead_text: str
    language: str = Field(description="The language of question and lead_text: en, es, ...")
    translation_of: AnyUrl | None = Field(
        description="For a translation: the English answer's page it translates."
    )
    out_of_date: bool = Field(
        description="For a translation: the English answer was approved again since, and the "
        "translation is being updated.",
    )


class AnswerPage(Schema):
    count: int
    page: int
    pages: int
    next: AnyUrl | None
    previous: AnyUrl | None
    results: list[AnswerSummary]


class Lead(Schema):
    html: str
    text: str


class Section(Schema):
    anchor: str
    heading: str
    kind: Literal["prose", "questions", "get_help"]
    html: str = Field(
        description="Sanitised HTML; for get_help, each level's heading and list of signs."
    )
    text: str


class Reference(Schema):
    number: int = Field(description="Order of first citation.")
    html: str = Field(description="Formatted (AMA by default).")
    csl: dict[str, Any] = Field(description="The reference as CSL-JSON.")
    doi: str
    pmid: str


class Certainty(Schema):
    """How sure the evidence lets us be, as the answer page says it."""

    level: Literal[*CertaintyLevel.values] = Field(
        description='GRADE\'s level, or "not_graded" when nobody has graded the evidence yet '
        "(then there is no level, and the page shows the statement as incomplete)."
    )
    graded: bool = Field(description='False for "not_graded".')
    label: str = Field(description='e.g. "Moderate", or "Not yet graded".')
    plain: str = Field(description="What the level means, in plain words.")
    reason: str = Field(description="Why, in one plain sentence, as the clinician approved it.")


class Change(Schema):
    """One approved version, as the answer page's change log lists it."""

    date: dt.datetime = Field(description="When the clinician signed it off.")
    reviewer: Person
    summary: str = Field(description='What changed, in one line ("First published" first).')
    correction: bool = Field(description="This version corrected an error in the previous one.")


class Answer(Dates):
    question: str
    slug: str
    url: AnyUrl
    topic: Topic
    lead: Lead
    certainty: Certainty | None = Field(
        description="null for answers approved before certainty statements existed."
    )
    sections: list[Section]
    references: list[Reference]
    writers: list[Person]
    reviewer: Person | None
    disclaimer: str
    changes: list[Change] = Field(description="The approved versions, newest first.")
    version: str = Field(description="SHA-256 of the content the clinician approved.")


class AnswerFilters(Schema):
    page: int = Field(1, ge=1, description=f"{PAGE_SIZE} answers per page.")
    topic: str = Field(
        "", pattern=SLUG_PATTERN, description="Only answers in the topic with this slug."
    )
    language: str = Field(
        "en",
        # The site's languages when the process starts (settings.LANGUAGES).
        pattern="^(" + "|".join(code for code, _ in settings.LANGUAGES) + ")$",
        description="en (the default): the English answers; a translation language (e.g. es): "
        "the answers published in it, at their addresses in that language.",
    )
    # Parsed by parse_updated_since, which also takes an offset whose "+" came unencoded.
    updated_since: Annotated[
        str | None,
        WithJsonSchema({"anyOf": [{"type": "string", "format": f} for f in ("date", "date-time")]}),
    ] = Field(
        None,
        description="Only answers approved (published or re-reviewed) at or after this "
        "ISO 8601 date or date-time; UTC when no offset is given.",
    )
