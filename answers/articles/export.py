"""Plain text out: an answer's fields written back in the canonical form, so import then
export gives back the same bytes."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.text import normalize_newlines

from citations.markers import CITATION_MARKER_RE, split_labels

from ..get_help import GET_HELP, HelpSectionError, parse_help
from .common import (
    _DISCLAIMER_RE,
    _FULL_STOP_RE,
    MAX_HEADING_CHARS,
    MAX_HEADING_WORDS,
    PROSE,
    QUESTIONS,
    ArticleFormatError,
    ArticleSection,
    _clip,
    disclaimer_for,
)
from .parse import (
    _bare_citations,
    _context_problem,
    _is_heading,
    _is_list_item,
    _number_problem,
    _question_problem,
    parse_article,
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
        elif kind == GET_HELP:
            items = _help_lines(body, where)
            expected_body = "\n".join(items)
            lines.extend(items)
        else:
            raise ArticleFormatError(
                f'{where} has kind "{kind}"; use "prose", "questions" or "{GET_HELP}"'
            )
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


def _help_lines(body: str, where: str) -> list[str]:
    try:
        parse_help(body)
    except HelpSectionError as error:
        raise ArticleFormatError(f"{where}: {error.message}") from None
    return [line.strip() for line in normalize_newlines(body).split("\n") if line.strip()]
