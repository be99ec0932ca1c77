"""Plain-language checks for writers and clinicians: readability of the whole answer,
long sentences, words on the house list and rare words. Each finding says where it is;
nothing here changes the text, and none of it blocks submission or approval.

Readability is the Flesch-Kincaid grade (textstat), the measure the checklist used for the
short answer already: it is defined for a text of any length (SMOG, the other common health
measure, needs 30 sentences and textstat gives 0 below 3) and reads sentence length and
syllables, the two things a writer can change. The UK reading age is the US grade plus 5
(grade 1 is the year children turn 6 or 7), the usual conversion, so the PIF TICK's reading
age of 9-11 is grade 4-6.
"""

import re
from dataclasses import dataclass

import textstat
from django.apps import apps
from django.conf import settings
from markdown_it import MarkdownIt
from wordfreq import zipf_frequency

from citations.markers import CITATION_MARKER_RE

from .get_help import GET_HELP, HelpSectionError, parse_help

_markdown = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})

# A sentence ends at . ! or ? (with any closing quote or bracket) before a space and a
# capital letter, a digit or an opening quote: "e.g. the" and "1.5 mg" do not end one.
_SENTENCE_END_RE = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_MARKER_RE = re.compile(r"\s*" + CITATION_MARKER_RE.pattern)
UK_AGE_OFFSET = 5


def defined_terms() -> set[str]:
    """Words the glossary explains to readers (its signed-off terms and their other names,
    whole and word by word, lower case): never listed as rare, since the page defines them.
    Looked up by name: the models import this module's callers (no import cycles)."""
    words = set()
    glossary = apps.get_model("answers", "GlossaryTerm").objects.public()
    for term, others in glossary.values_list("public_term", "public_other_names"):
        for name in [term, *others.split(",")]:
            name = name.strip().lower()
            if name:
                words.add(name)
                words.update(name.split())
    return words


# --- text --------------------------------------------------------------------------


def inline_texts(markdown: str) -> list[str]:
    """The visible text of each block (paragraph, list item) of a Markdown body, citation
    markers included: a sentence never runs from one block into the next."""
    return [inline_text(token.children or []) for token in _inline_tokens(markdown)]


def _inline_tokens(markdown: str):
    return [t for t in _markdown.parse(markdown or "") if t.type == "inline"]


def inline_text(children) -> str:
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in a block's text, without surrounding spaces."""
    spans, start = [], 0
    for match in _SENTENCE_END_RE.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    result = []
    for begin, end in spans:
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        if begin < end:
            result.append((begin, end))
    return result


def word_count(sentence: str) -> int:
    return len(_MARKER_RE.sub("", sentence).split())


# --- the answer's parts ------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """A part of the answer a finding can point at, and its sentences' blocks."""

    where: str
    blocks: list[str]
    words_text: str  # everything a reader sees in it, headings included


def section_name(index: int, heading: str) -> str:
    return f"Section {index} “{heading}”" if heading else f"Section {index}"


def answer_parts(answer, sections) -> list[Part]:
    question = getattr(answer, "question", None)
    parts = [
        Part("the question", [], question.text if question is not None else ""),
        Part("the short answer", inline_texts(answer.lead), " ".join(inline_texts(answer.lead))),
    ]
    for index, section in enumerate(sections, start=1):
        blocks = _section_blocks(section)
        parts.append(
            Part(
                section_name(index, section.heading),
                blocks,
                " ".join([section.heading, *blocks]),
            )
        )
    return parts


def _section_blocks(section) -> list[str]:
    """A help section is read sign by sign (its level lines are the site's wording)."""
    if section.kind == GET_HELP:
        try:
            return [sign for level in parse_help(section.body) for sign in level.signs]
        except HelpSectionError:
            pass
    return inline_texts(section.body)


# --- readability ------------------------------------------------------------------------


@dataclass(frozen=True)
class Readability:
    score: float  # on the configured scale
    scale: str  # "uk_age" or "us_grade"

    @property
    def name(self) -> str:
        return "reading age" if self.scale == "uk_age" else "US grade"

    @property
    def target(self) -> tuple[float, float]:
        return settings.READABILITY_TARGET

    @property
    def target_text(self) -> str:
        low, high = (_number(n) for n in self.target)
        return low if low == high else f"{low}–{high}"

    @property
    def above_target(self) -> bool:
        return self.score > self.target[1]

    def __str__(self) -> str:
        return _number(self.score)


def _number(value: float) -> str:
    return f"{value:g}"


def readability(blocks: list[str]) -> Readability | None:
    """Flesch-Kincaid on the blocks' sentences (markers removed), on the configured scale;
    None without words. Each block is closed with a full stop so a list item or a sign
    counts as a sentence of its own."""
    sentences = []
    for block in blocks:
        text = _MARKER_RE.sub("", block).strip()
        if not _WORD_RE.search(text):
            continue
        sentences.append(text if text[-1] in ".!?" else text + ".")
    if not sentences:
        return None
    grade = textstat.flesch_kincaid_grade(" ".join(sentences))
    scale = settings.READABILITY_SCALE
    score = grade + UK_AGE_OFFSET if scale == "uk_age" else grade
    return Readability(round(score, 1), scale)


# --- findings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LongSentence:
    where: str
    words: int
    text: str

    @property
    def excerpt(self) -> str:
        text = _MARKER_RE.sub("", self.text)
        return text if len(text) <= 80 else text[:79].rstrip() + "…"


def long_sentences(parts: list[Part], limit: int) -> list[LongSentence]:
    found = []
    for part in parts:
        for block in part.blocks:
            for start, end in sentence_spans(block):
                count = word_count(block[start:end])
                if count > limit:
                    found.append(LongSentence(part.where, count, block[start:end]))
    return found


def house_words_found(parts: list[Part], house_words) -> list[tuple[str, str, list[str]]]:
    """(word, alternative, where) for each house word the answer uses, whole and in any case."""
    found = []
    for house_word in house_words:
        pattern = re.compile(
            r"(?<![\w-])" + r"\s+".join(map(re.escape, house_word.word.split())) + r"(?![\w-])",
            re.IGNORECASE,
        )
        places = [
            part.where for part in parts if pattern.search(_MARKER_RE.sub("", part.words_text))
        ]
        if places:
            found.append((house_word.word, house_word.alternative, places))
    return found


def rare_words_found(parts: list[Part], *, skip: set[str]) -> list[tuple[str, list[str]]]:
    """(word, where) for each word rarer than RARE_WORD_ZIPF in English (wordfreq), in order
    of first use, leaving out `skip` (house words, glossary terms)."""
    threshold = settings.RARE_WORD_ZIPF
    places: dict[str, list[str]] = {}
    checked: dict[str, bool] = {}
    written: dict[str, str] = {}  # each word as first written ("SGLT2", not "sglt2")
    for part in parts:
        for match in _WORD_RE.finditer(_MARKER_RE.sub("", part.words_text)):
            word = match.group(0).lower().replace("’", "'")
            if word in skip or not any(c.isalpha() for c in word):
                continue
            if word not in checked:
                checked[word] = zipf_frequency(word, "en") < threshold
            written.setdefault(word, match.group(0))
            if checked[word] and part.where not in places.setdefault(word, []):
                places[word].append(part.where)
    return [(written[word], where) for word, where in places.items() if where]
