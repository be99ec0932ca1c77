"""Plain text in: the article file read into a ParsedArticle, ambiguous numbers kept as
text with a warning."""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.utils.text import normalize_newlines

from citations.markers import CITATION_MARKER_RE, split_labels

from ..get_help import GET_HELP, LEVEL_LINES, HelpSectionError, parse_help
from .common import (
    _CANONICAL_CITATION_RE,
    _CLOSING_PUNCTUATION,
    _DISCLAIMER_RE,
    _DISCLAIMER_START,
    _HTML_RE,
    _NUMBER_BEFORE_STOP_RE,
    _TEXT_NUMBER_WORDS,
    _THOUSANDS_RE,
    _WRONG_BULLETS,
    MAX_ARTICLE_BYTES,
    MAX_CITATION_NUMBER,
    MAX_HEADING_CHARS,
    MAX_HEADING_WORDS,
    PROSE,
    QUESTIONS,
    ArticleFormatError,
    ArticleSection,
    ArticleWarning,
    ParsedArticle,
    _check_characters,
    _clip,
    disclaimer_for,
)


def parse_article(text: str, *, records=frozenset()) -> ParsedArticle:
    """The article, read. `records`: the ids of the references file's records; a number
    that would read as a quantity only because of the word before it ("after one year 3.")
    is a citation when a record with that number was supplied (docs/article-format.md)."""
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
        lead.append(_convert_citations(line, n, warnings, records))
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
        if position < len(body) and body[position][1] in LEVEL_LINES:
            position = _help_section(heading, body, position, sections)
            continue
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
        sections.append(_section(heading, items, warnings, records))

    return ParsedArticle(
        question=question,
        lead="\n\n".join(lead),
        sections=tuple(sections),
        topic=topic,
        warnings=tuple(sorted(warnings, key=lambda w: w.line)),
        final_newline=text.endswith("\n"),
    )


def _help_section(heading: str, body: list, position: int, sections: list) -> int:
    """A heading right above a level line starts a "When to get help" section (before, such
    a heading had nothing under it, an error, so no older file reads differently). Its
    level lines and "- " signs run to the next other heading."""
    items: list[tuple[int, str]] = []
    while position < len(body):
        line = body[position][1]
        if _is_heading(line) and line not in LEVEL_LINES:
            break
        items.append(body[position])
        position += 1
    text = "\n".join(line for _, line in items)
    try:
        parse_help(text)
    except HelpSectionError as error:
        n = items[error.line - 1][0] if error.line else items[-1][0]
        raise ArticleFormatError(
            f'the "When to get help" section "{_clip(heading)}": {error.message}', n
        ) from None
    sections.append(ArticleSection(heading, GET_HELP, text))
    return position


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


def _section(heading: str, items: list[tuple[int, str]], warnings: list, records) -> ArticleSection:
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
    body = "\n\n".join(_convert_citations(line, n, warnings, records) for n, line in items)
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
        return f'it follows "{word}"' + _AFTER_WORD
    if not (word[-1].isalpha() or word[-1] in _CLOSING_PUNCTUATION):
        return f'it follows "{_clip(word)}", not a word'
    return None


_AFTER_WORD = ", and the references file has no record with that number"
"""Marks the one reason a supplied record overrides: the word before the number."""


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


def _convert_citations(paragraph: str, n: int, warnings: list, records=frozenset()) -> str:
    """The paragraph as Markdown: citation numbers become markers, everything else stays.
    A number kept as text only for the word before it is a citation when every number in
    it has a supplied record: said in a warning, so the writer can check."""
    pieces = []
    end = 0
    for match, numbers, reason in _bare_citations(paragraph):
        group = match.group(1)
        if reason and reason.endswith(_AFTER_WORD) and all(x in records for x in numbers):
            word = reason.removesuffix(_AFTER_WORD)
            warnings.append(
                ArticleWarning(
                    n,
                    f"{_clip(group)} before a full stop {word}, but the references file has "
                    f"a record {_clip(group)}: cited as [{_clip(group)}]; if it is a quantity, "
                    "remove the marker in the admin",
                )
            )
            reason = None
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
