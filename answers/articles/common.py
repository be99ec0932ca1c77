"""What the parser and the exporter share: limits, the disclaimer, errors and warnings,
and the checks every file passes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.text import normalize_newlines

from citations.markers import marker_labels

MAX_ARTICLE_BYTES = 1_000_000
MAX_HEADING_CHARS = 80
MAX_HEADING_WORDS = 12
MAX_CITATION_NUMBER = 999
PROSE = "prose"
QUESTIONS = "questions"
DISCLAIMER_PREFIX = "This question is drawn from common patient questions about "

DISCLAIMER_SUFFIX = (
    " and answered using cited medical research. We do not provide individualized advice."
)

_DISCLAIMER_RE = re.compile(
    re.escape(DISCLAIMER_PREFIX) + r"(\S(?:.*\S)?)" + re.escape(DISCLAIMER_SUFFIX)
)

_DISCLAIMER_START = "this question is drawn from"

_NUMBER_BEFORE_STOP_RE = re.compile(r"(?<!\S)(?<![0-9],\s)([0-9]+(?:, ?[0-9]+)*)\.(?=\s|$)")

_FULL_STOP_RE = re.compile(r"\.(?:\s|$)")

_THOUSANDS_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")

_CANONICAL_CITATION_RE = re.compile(r"[0-9]+(?:, [0-9]+)*")

_HTML_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?=[\s/>])|<!--|<!\[CDATA\[", re.IGNORECASE)

_BAD_CHARACTER_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

_WRONG_BULLETS = ("* ", "• ", "– ", "— ", "+ ")

_CLOSING_PUNCTUATION = ")]\"'”’"

_TEXT_NUMBER_WORDS_TEXT = """
    a an the of was were is are be been being than to aged age ages about around approx
    approximately nearly almost roughly some in into over under above below from by at on
    per between and or nor plus minus times x with without within after before since until
    till during for as versus vs equal equals equalled equaled total totalled totaled only
    just least most exactly up n no number numbers p pp page pages figure fig table chapter
    section version type phase stage grade class level step day week month year cycle dose
    visit group arm cohort score scored rate ratio hr rr ci covid hiv hla ph bmi hba1c
    egfr ldl hdl ef lvef nyha mg g kg mcg µg ml dl mmol mmhg cm mm km iu unit units percent
"""

_TEXT_NUMBER_WORDS = frozenset(_TEXT_NUMBER_WORDS_TEXT.split())
"""Words after which a number before a full stop reads as a quantity or a name."""


class ArticleFormatError(ValueError):
    """Why an article cannot be imported or exported, in words a writer understands."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message, line)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message


@dataclass(frozen=True)
class ArticleWarning:
    """Something imported as written that a writer should look at."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class ArticleSection:
    """One heading and its body: Markdown paragraphs (prose) or "- " lines (questions)."""

    heading: str
    kind: str
    body: str


@dataclass(frozen=True)
class ParsedArticle:
    """What parse_article found; lead and prose bodies are Markdown with citation markers."""

    question: str
    lead: str
    sections: tuple[ArticleSection, ...]
    topic: str | None
    warnings: tuple[ArticleWarning, ...]
    final_newline: bool = False

    def citation_labels(self) -> list[str]:
        """Labels as written in the text, in order of first citation: the references' ids."""
        texts = [self.lead] + [s.body for s in self.sections if s.kind == PROSE]
        return marker_labels("\n\n".join(texts))


def disclaimer_for(topic: str) -> str:
    return f"{DISCLAIMER_PREFIX}{topic}{DISCLAIMER_SUFFIX}"


def decode_article(data: bytes) -> str:
    """Bytes of an uploaded file as text, refusing anything that is not UTF-8 plain text."""
    if len(data) > MAX_ARTICLE_BYTES:
        raise ArticleFormatError(
            f"the file is too large ({len(data):,} bytes; the limit is {MAX_ARTICLE_BYTES:,})"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArticleFormatError("the file is saved as UTF-16; save it as UTF-8 plain text", 1)
    data = data.removeprefix(b"\xef\xbb\xbf")
    if not data:
        raise ArticleFormatError("the file is empty")
    nul = data.find(b"\x00")
    if nul != -1:
        raise ArticleFormatError(
            "the file contains NUL bytes, so it is a binary file (for example a Word "
            "document or a PDF), not plain text; save it as UTF-8 plain text",
            data.count(b"\n", 0, nul) + 1,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 1].hex().upper()
        raise ArticleFormatError(
            f"the file is not UTF-8 text (byte 0x{bad} cannot be read); "
            "save it as UTF-8 plain text",
            data.count(b"\n", 0, error.start) + 1,
        ) from None
    _check_characters(normalize_newlines(text))
    return text


def _check_characters(text: str) -> None:
    match = _BAD_CHARACTER_RE.search(text)
    if match:
        character = match.group(0)
        kind = "a NUL byte" if character == "\x00" else "an invisible control character"
        if "\ud800" <= character <= "\udfff":
            kind = "a broken character (a lone surrogate)"
        raise ArticleFormatError(
            f"contains {kind} (U+{ord(character):04X}), so it is not plain text",
            text.count("\n", 0, match.start()) + 1,
        )


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
