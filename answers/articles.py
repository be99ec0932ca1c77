"""The plain-text article format: parse it into fields, and write fields back out.

No models or settings, so the importer, the exporter, the admin and the tests share one
definition of the format: line 1 the question, then lead paragraphs, then sections (a short
heading line, then paragraphs or "- " questions), then the fixed disclaimer naming the topic.
answers/demo_content/*.txt are real examples.

Choices the format leaves open, decided here:

* Blank lines and spaces at either end of a line are ignored; CRLF and CR line endings are
  read as LF. The canonical form (what format_article writes, and what round-trips byte
  for byte) has none of these. Whether the file ended with a newline is kept in
  final_newline: the CAR-T sample has none, the SGLT2 sample has one.
* A heading is a line of at most 80 characters and 12 words, with a letter in it, that is
  not a "- " item and has no final full stop. So a short sentence ending in "?" or ":" in
  the middle of prose is read as a heading.
* A citation is a number (or "2, 5") after a word and right before a full stop that ends
  the line or is followed by a space. Numbers that could also be text there (after "of",
  "aged", "=", ...; 0, leading zeros, 1000 and above, "4,744") stay text with a warning.
* A number in square brackets such as "[9]" is an error in the plain text: in the stored
  Markdown that is a citation marker, so it cannot also be literal text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.text import normalize_newlines

from citations.markers import CITATION_MARKER_RE, marker_labels, split_labels

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


def parse_article(text: str) -> ParsedArticle:
    text = normalize_newlines(text.removeprefix("\ufeff"))
    _check_characters(text)
    size = len(text.encode("utf-8"))
    if size > MAX_ARTICLE_BYTES:
        raise ArticleFormatError(
            f"the article is too large ({size:,} bytes; the limit is {MAX_ARTICLE_BYTES:,})"
        )
    if not text:
        raise ArticleFormatError("the article is empty")
    lines = [(n, line.strip()) for n, line in enumerate(text.split("\n"), 1) if line.strip()]
    if not lines:
        raise ArticleFormatError("the article contains only blank lines and spaces")

    warnings: list[ArticleWarning] = []
    for n, line in lines:
        _check_line(line, n)
        if _HTML_RE.search(line):
            warnings.append(
                ArticleWarning(n, "contains HTML markup; it is kept as text and never run")
            )

    question_line, question = lines[0]
    problem = _question_problem(question)
    if problem:
        raise ArticleFormatError(problem, question_line)

    topic = None
    body = lines[1:]
    if body and (match := _DISCLAIMER_RE.fullmatch(body[-1][1])):
        topic = match.group(1)
        body = body[:-1]
    elif body and body[-1][1].lower().startswith(_DISCLAIMER_START):
        raise ArticleFormatError(
            "the last line looks like the disclaimer but its wording differs; it must read "
            f'exactly "{disclaimer_for("<topic>")}"',
            body[-1][0],
        )
    else:
        last_line = body[-1][0] if body else question_line
        warnings.append(
            ArticleWarning(
                last_line, "the disclaimer line is missing at the end, so no topic is set"
            )
        )
    for n, line in body:
        if line.lower().startswith(_DISCLAIMER_START):
            raise ArticleFormatError("the disclaimer must be the last line of the article", n)

    position = 0
    lead: list[str] = []
    while position < len(body) and not _is_heading(body[position][1]):
        n, line = body[position]
        if _is_list_item(line):
            raise ArticleFormatError(
                'a "- " list item comes before the first heading; the short answer after '
                "the question must be plain paragraphs",
                n,
            )
        lead.append(_convert_citations(line, n, warnings))
        position += 1
    if not lead:
        if position < len(body):
            n, line = body[position]
            raise ArticleFormatError(
                f'the short answer (lead) is missing: "{_clip(line)}" comes right after the '
                "question and reads as a heading because it is short and has no final full "
                "stop; write the answer first, or end this line with a full stop",
                n,
            )
        raise ArticleFormatError(
            "the short answer (lead) is missing: write it on the lines after the question"
        )
    if position == len(body):
        raise ArticleFormatError(
            "the article has no section: after the short answer, add a heading (a short line "
            'without a final full stop, such as "What the research says") and its paragraphs'
        )

    sections: list[ArticleSection] = []
    while position < len(body):
        heading_line, heading = body[position]
        position += 1
        items: list[tuple[int, str]] = []
        while position < len(body) and not _is_heading(body[position][1]):
            items.append(body[position])
            position += 1
        if not items:
            raise ArticleFormatError(
                f'the heading "{_clip(heading)}" has nothing under it; put paragraphs or '
                '"- " questions under every heading (a short line without a final full '
                "stop is read as a heading)",
                heading_line,
            )
        sections.append(_section(heading, items, warnings))

    return ParsedArticle(
        question=question,
        lead="\n\n".join(lead),
        sections=tuple(sections),
        topic=topic,
        warnings=tuple(sorted(warnings, key=lambda w: w.line)),
        final_newline=text.endswith("\n"),
    )


def format_article(
    *,
    question: str,
    lead: str,
    sections: Iterable[tuple[str, str, str] | ArticleSection],
    topic: str | None,
    final_newline: bool = False,
) -> str:
    """The plain-text article for these fields; raises rather than lose or add a citation.

    topic None leaves out the disclaimer line, so articles imported without one round-trip.
    """
    question = question.strip()
    if "\n" in question or "\r" in question:
        raise ArticleFormatError("the question must be a single line")
    problem = _question_problem(question)
    if problem:
        raise ArticleFormatError(problem)

    lines = [question]
    expected_lead = []
    for paragraph in _paragraphs(lead):
        plain, markdown = _export_paragraph(paragraph, "the lead")
        lines.append(plain)
        expected_lead.append(markdown)
    if not expected_lead:
        raise ArticleFormatError("the short answer (lead) is empty")

    expected_sections = []
    for section in sections:
        if isinstance(section, ArticleSection):
            section = (section.heading, section.kind, section.body)
        heading, kind, body = section
        heading = heading.strip()
        where = f'section "{_clip(heading)}"'
        if not _is_heading(heading) or "\n" in heading or "\r" in heading:
            raise ArticleFormatError(
                f'the heading "{_clip(heading)}" cannot be written as a heading: it must be '
                f"one line of at most {MAX_HEADING_CHARS} characters and {MAX_HEADING_WORDS} "
                'words, not start with "- ", and have no final full stop'
            )
        lines.append(heading)
        if kind == PROSE:
            exported = [_export_paragraph(p, where) for p in _paragraphs(body)]
            expected_body = "\n\n".join(markdown for _, markdown in exported)
            lines.extend(plain for plain, _ in exported)
        elif kind == QUESTIONS:
            items = _question_items(body, where)
            expected_body = "\n".join(items)
            lines.extend(items)
        else:
            raise ArticleFormatError(f'{where} has kind "{kind}"; use "prose" or "questions"')
        if not expected_body:
            raise ArticleFormatError(f"{where} is empty; every heading needs text under it")
        expected_sections.append(ArticleSection(heading, kind, expected_body))
    if not expected_sections:
        raise ArticleFormatError("the article has no sections")

    if topic is not None:
        topic = topic.strip()
        if not _DISCLAIMER_RE.fullmatch(disclaimer_for(topic)):
            raise ArticleFormatError(f'the topic "{_clip(topic)}" must be one non-empty line')
        lines.append(disclaimer_for(topic))

    text = "\n".join(lines) + ("\n" if final_newline else "")
    try:
        parsed = parse_article(text)
    except ArticleFormatError as error:
        raise ArticleFormatError(f"the exported text would not import again: {error}") from None
    expected = (question, "\n\n".join(expected_lead), tuple(expected_sections), topic)
    if (parsed.question, parsed.lead, parsed.sections, parsed.topic) != expected:
        raise ArticleFormatError(
            "the article cannot be written in the plain-text format without changing it"
        )
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


def _check_line(line: str, n: int) -> None:
    marker = CITATION_MARKER_RE.search(line)
    if marker:
        raise ArticleFormatError(
            f'"{_clip(marker.group(0))}" is a number in square brackets; in this format a citation '
            'is a bare number just before the full stop, like "... for MS 9."',
            n,
        )
    if line.startswith(_WRONG_BULLETS):
        raise ArticleFormatError(
            f'starts with "{line[0]}"; list items must start with "- " (a hyphen and a space)', n
        )
    if _is_list_item(line) and not line[1:].strip():
        raise ArticleFormatError('a "- " list item has no text after the hyphen', n)


def _question_problem(line: str) -> str | None:
    if not line:
        return "the question is empty"
    if _is_list_item(line):
        return 'the first line must be the patient\'s question, not a "- " list item'
    if not line.endswith("?"):
        return "the first line must be the patient's question, ending with a question mark"
    return None


def _is_list_item(line: str) -> bool:
    return line == "-" or line.startswith("- ")


def _is_heading(line: str) -> bool:
    return (
        len(line) <= MAX_HEADING_CHARS
        and len(line.split()) <= MAX_HEADING_WORDS
        and any(c.isalpha() for c in line)
        and not _is_list_item(line)
        and not line.endswith(".")
    )


def _section(heading: str, items: list[tuple[int, str]], warnings: list) -> ArticleSection:
    first_is_list = _is_list_item(items[0][1])
    for n, line in items:
        if _is_list_item(line) != first_is_list:
            first, this = (
                ("questions", "a paragraph") if first_is_list else ("paragraphs", "a question")
            )
            raise ArticleFormatError(
                f'the section "{_clip(heading)}" mixes "- " questions and paragraphs: it starts '
                f"with {first} but this line is {this}; a section must be all paragraphs or "
                'all "- " questions',
                n,
            )
    if first_is_list:
        return ArticleSection(heading, QUESTIONS, "\n".join(line for _, line in items))
    body = "\n\n".join(_convert_citations(line, n, warnings) for n, line in items)
    return ArticleSection(heading, PROSE, body)


def _number_problem(numbers: list[str]) -> str | None:
    for number in numbers:
        if number.startswith("0"):
            return f"{number} starts with 0"
        if len(number) > len(str(MAX_CITATION_NUMBER)) or int(number) > MAX_CITATION_NUMBER:
            return f"{number} looks like a year or a count"
    return None


def _context_problem(paragraph: str, index: int) -> str | None:
    """Why the word before paragraph[index] makes a number there read as text, not a citation.

    Scans back from index rather than slicing, so a long paragraph stays linear.
    """
    end = index
    while end and paragraph[end - 1].isspace():
        end -= 1
    start = end
    while start and not paragraph[start - 1].isspace():
        start -= 1
    word = paragraph[start:end]
    if not word:
        return "nothing comes before it in the paragraph"
    if word.lower() in _TEXT_NUMBER_WORDS:
        return f'it follows "{word}"'
    if not (word[-1].isalpha() or word[-1] in _CLOSING_PUNCTUATION):
        return f'it follows "{_clip(word)}", not a word'
    return None


def _bare_citations(paragraph: str) -> Iterator[tuple[re.Match, list[str], str | None]]:
    """Each number before a full stop, its numbers, and why it is text (None: a citation)."""
    for match in _NUMBER_BEFORE_STOP_RE.finditer(paragraph):
        group = match.group(1)
        numbers = split_labels(group)
        if _THOUSANDS_RE.fullmatch(group):
            reason = "it has a thousands separator"
        elif not _CANONICAL_CITATION_RE.fullmatch(group):
            reason = 'it is not written like a citation list such as "2, 5"'
        else:
            reason = _number_problem(numbers) or _context_problem(paragraph, match.start())
        yield match, numbers, reason


def _convert_citations(paragraph: str, n: int, warnings: list) -> str:
    """The paragraph as Markdown: citation numbers become markers, everything else stays."""
    pieces = []
    end = 0
    for match, numbers, reason in _bare_citations(paragraph):
        group = match.group(1)
        if reason:
            warnings.append(
                ArticleWarning(
                    n,
                    f"ambiguous number {_clip(group)} before a full stop kept as text ({reason});"
                    f" if it is a citation, write it as the marker [{_clip(', '.join(numbers))}]"
                    " in the admin",
                )
            )
            continue
        if len(set(numbers)) < len(numbers):
            raise ArticleFormatError(
                f'the citation "{_clip(group)}" lists the same number more than once; '
                "list each number once",
                n,
            )
        pieces.append(paragraph[end : match.start()] + f"[{group}]")
        end = match.end(1)
    return "".join(pieces) + paragraph[end:]


def _paragraphs(markdown: str) -> list[str]:
    """Paragraphs of a Markdown block; soft-wrapped lines are joined as Markdown renders them."""
    blocks = re.split(r"\n\s*\n", normalize_newlines(markdown).strip())
    return [
        " ".join(line.strip() for line in block.split("\n")) for block in blocks if block.strip()
    ]


def _export_paragraph(paragraph: str, where: str) -> tuple[str, str]:
    """The plain-text line for one Markdown paragraph, and the Markdown it will import as."""
    if _is_heading(paragraph):
        raise ArticleFormatError(
            f'the paragraph "{_clip(paragraph)}" in {where} is short and has no final full '
            "stop, so it would be read as a heading; end it with a full stop"
        )
    if _is_list_item(paragraph):
        raise ArticleFormatError(
            f'the paragraph "{_clip(paragraph)}" in {where} starts with "- ", so it would be '
            "read as a list item"
        )
    for match, _numbers, reason in _bare_citations(paragraph):
        if reason is None:
            raise ArticleFormatError(
                f"the number {_clip(match.group(1))} before a full stop in {where} would be "
                f"read as citation [{_clip(match.group(1))}] on import; write it as that marker "
                "if it is a citation, otherwise reword the sentence"
            )

    plain, markdown, end = [], [], 0
    for match in CITATION_MARKER_RE.finditer(paragraph):
        numbers = split_labels(match.group(1))
        problem = _marker_problem(paragraph, match, numbers)
        if problem:
            raise ArticleFormatError(
                f"the citation marker {_clip(match.group(0))} in {where} cannot be written in the "
                f"plain-text format: {problem}"
            )
        text = paragraph[end : match.start()]
        space = "" if text[-1:].isspace() else " "
        plain.append(text + space + ", ".join(numbers))
        markdown.append(text + space + f"[{', '.join(numbers)}]")
        end = match.end()
    plain.append(paragraph[end:])
    markdown.append(paragraph[end:])
    return "".join(plain), "".join(markdown)


def _marker_problem(paragraph: str, match: re.Match, numbers: list[str]) -> str | None:
    if not _FULL_STOP_RE.match(paragraph, match.end()):
        return "a citation must come right before a sentence's full stop"
    if len(set(numbers)) < len(numbers):
        return "it lists the same number more than once"
    problem = _number_problem(numbers) or _context_problem(paragraph, match.start())
    if problem:
        return f"{problem}, so the number would be read as text on import"
    return None


def _question_items(body: str, where: str) -> list[str]:
    items = [line.strip() for line in normalize_newlines(body).split("\n") if line.strip()]
    for item in items:
        if not _is_list_item(item) or not item[1:].strip():
            raise ArticleFormatError(
                f'the line "{_clip(item)}" in {where} must be a question starting with "- "'
            )
        if CITATION_MARKER_RE.search(item):
            raise ArticleFormatError(
                f'the question "{_clip(item)}" in {where} has a citation marker; questions '
                "for the doctor cannot carry citations in the plain-text format"
            )
    return items


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
