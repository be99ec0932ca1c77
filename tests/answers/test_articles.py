"""The plain-text article format, on the real samples and on generated articles."""

import contextlib
import pickle
import string
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from answers.articles import (
    MAX_ARTICLE_BYTES,
    ArticleFormatError,
    ArticleSection,
    ArticleWarning,
    ParsedArticle,
    decode_article,
    disclaimer_for,
    format_article,
    parse_article,
)
from citations.markers import marker_labels

DEMO = Path(__file__).resolve().parents[2] / "answers" / "demo_content"
CAR_T = "car-t-multiple-sclerosis.txt"
SGLT2 = "sglt2-heart-failure.txt"
FAST = settings(deadline=None)


def sample_bytes(name: str) -> bytes:
    return (DEMO / name).read_bytes()


def sample(name: str) -> str:
    return decode_article(sample_bytes(name))


def sample_lines(name: str) -> list[str]:
    return sample(name).splitlines()


def export(article: ParsedArticle) -> str:
    return format_article(
        question=article.question,
        lead=article.lead,
        sections=article.sections,
        topic=article.topic,
        final_newline=article.final_newline,
    )


def error_for(text: str) -> ArticleFormatError:
    with pytest.raises(ArticleFormatError) as caught:
        parse_article(text)
    return caught.value


def format_error(**fields) -> ArticleFormatError:
    with pytest.raises(ArticleFormatError) as caught:
        format_article(**fields)
    return caught.value


def replaced(name: str, old: str, new: str) -> str:
    text = sample(name)
    assert text.count(old) == 1
    return text.replace(old, new)


# The real samples


def test_car_t_sample_parses_into_its_parts():
    lines = sample_lines(CAR_T)
    article = parse_article(sample(CAR_T))

    assert article.question == lines[0]
    assert article.question.endswith("according to recent reviews?")
    assert article.lead == lines[1]
    assert [(s.heading, s.kind) for s in article.sections] == [
        ("What the research says", "prose"),
        ("What to ask your doctor", "questions"),
    ]
    research, ask = article.sections
    assert research.body == (
        lines[3]
        .replace("for MS 9.", "for MS [9].")
        .replace("fluid 10.", "fluid [10].")
        .replace("studies 11.", "studies [11].")
        .replace("effects 1.", "effects [1].")
    )
    assert ask.body == "\n".join(lines[5:10])
    assert ask.body.count("\n- ") == 4
    assert article.topic == "Oncology"
    assert article.citation_labels() == ["9", "10", "11", "1"]
    assert article.warnings == ()
    assert article.final_newline is False


def test_sglt2_sample_parses_into_its_parts():
    lines = sample_lines(SGLT2)
    article = parse_article(sample(SGLT2))

    assert article.question == lines[0]
    assert article.lead == lines[1]
    assert [(s.heading, s.kind) for s in article.sections] == [
        ("What the research says", "prose"),
        ("What to ask your doctor", "questions"),
    ]
    research, ask = article.sections
    assert research.body == (
        lines[3]
        .replace("18 months 4.", "18 months [4].")
        .replace("heart failure 7.", "heart failure [7].")
        .replace("ejection fraction 2.", "ejection fraction [2].")
        .replace("ejection fractions 5.", "ejection fractions [5].")
        .replace("were rare 4, 7.", "were rare [4, 7].")
    )
    assert "[4, 7]." in research.body
    assert ask.body == "\n".join(lines[5:9])
    assert article.topic == "Cardiology"
    assert article.citation_labels() == ["4", "7", "2", "5"]
    assert article.warnings == ()
    assert article.final_newline is True


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        (CAR_T, "A 2023 review"),
        (CAR_T, "A 2025 phase 1 trial treated five patients"),
        (CAR_T, "safety in 12 patients"),
        (SGLT2, "randomized 4,744 people"),
        (SGLT2, "a median of 18 months"),
        (SGLT2, "in 3,730 patients"),
        (SGLT2, "pooling five trials and 21,947 participants"),
        (SGLT2, "in type 2 diabetes."),
    ],
)
def test_numbers_inside_sentences_stay_text(name, phrase):
    article = parse_article(sample(name))
    assert phrase in article.lead + "\n\n" + article.sections[0].body


@pytest.mark.parametrize("name", [CAR_T, SGLT2])
def test_samples_round_trip_byte_for_byte(name):
    data = sample_bytes(name)
    assert export(parse_article(decode_article(data))).encode("utf-8") == data


def test_crlf_bom_and_blank_lines_are_accepted():
    text = sample(CAR_T)
    messy = "\ufeff" + text.replace("\n", "\r\n\r\n  ") + "\r\n"
    expected = parse_article(text)
    parsed = parse_article(messy)
    assert parsed.question == expected.question
    assert parsed.lead == expected.lead
    assert parsed.sections == expected.sections
    assert parsed.topic == expected.topic
    assert parse_article(decode_article(messy.encode())).sections == expected.sections
    assert export(parsed) == text + "\n"


def test_any_number_of_sections_with_any_headings():
    lines = sample_lines(SGLT2)
    text = "\n".join([*lines[:4], "Side effects", lines[1], *lines[4:]])
    article = parse_article(text)
    assert [s.heading for s in article.sections] == [
        "What the research says",
        "Side effects",
        "What to ask your doctor",
    ]
    assert article.sections[1] == ArticleSection("Side effects", "prose", lines[1])
    assert export(article) == text


def test_question_lists_keep_numbers_as_text():
    lines = sample_lines(SGLT2)
    lines[5] = "- Is an SGLT2 inhibitor suitable for my type 2."
    article = parse_article("\n".join(lines))
    assert article.sections[1].body.startswith("- Is an SGLT2 inhibitor suitable for my type 2.\n")
    assert article.warnings == ()


# Bad input: one error, with the line where there is one


def test_empty_file():
    with pytest.raises(ArticleFormatError) as caught:
        decode_article(b"")
    assert caught.value.message == "the file is empty"
    assert caught.value.line is None
    assert str(caught.value) == "the file is empty"
    assert (error_for("").message, error_for("").line) == ("the article is empty", None)


def test_only_whitespace():
    error = error_for("  \n\t\r\n \n")
    assert error.message == "the article contains only blank lines and spaces"
    assert error.line is None


def test_first_line_must_be_a_question():
    error = error_for("\n".join(sample_lines(CAR_T)[1:]))
    assert "question mark" in error.message
    assert error.line == 1
    assert str(error).startswith("line 1: the first line must be the patient's question")


def test_first_line_must_not_be_a_list_item():
    lines = sample_lines(CAR_T)
    error = error_for("\n".join([lines[5], *lines[1:]]))
    assert '"- " list item' in error.message
    assert error.line == 1


def test_missing_lead_names_the_heading_line():
    lines = sample_lines(CAR_T)
    error = error_for("\n".join([lines[0], *lines[2:]]))
    assert "the short answer (lead) is missing" in error.message
    assert '"What the research says"' in error.message
    assert error.line == 2


def test_only_a_question():
    error = error_for(sample_lines(CAR_T)[0])
    assert "the short answer (lead) is missing" in error.message
    assert error.line is None


def test_list_item_before_first_heading():
    lines = sample_lines(CAR_T)
    error = error_for("\n".join([lines[0], lines[1], lines[5], *lines[2:]]))
    assert "before the first heading" in error.message
    assert error.line == 3


def test_no_section():
    lines = sample_lines(CAR_T)
    error = error_for("\n".join([lines[0], lines[1], lines[-1]]))
    assert "the article has no section" in error.message
    assert error.line is None


def test_binary_file_with_nul_bytes():
    data = sample_bytes(CAR_T).replace(b"What the research", b"What\x00the research")
    with pytest.raises(ArticleFormatError) as caught:
        decode_article(data)
    assert "NUL bytes" in caught.value.message
    assert caught.value.line == 3


def test_non_utf8_names_the_line():
    data = sample_bytes(SGLT2).replace(b"ketoacidosis", b"ketoacidos\xe9s")
    with pytest.raises(ArticleFormatError) as caught:
        decode_article(data)
    assert "not UTF-8" in caught.value.message
    assert "0xE9" in caught.value.message
    assert caught.value.line == 4


def test_utf16_file():
    with pytest.raises(ArticleFormatError) as caught:
        decode_article(sample(CAR_T).encode("utf-16"))
    assert "UTF-16" in caught.value.message
    assert caught.value.line == 1


def test_control_characters_and_lone_surrogates_in_text():
    error = error_for(replaced(CAR_T, "What to ask", "What\x07to ask"))
    assert "control character (U+0007)" in error.message
    assert error.line == 5
    error = error_for(replaced(CAR_T, "What to ask", "What\ud800to ask"))
    assert "lone surrogate" in error.message
    assert error.line == 5


def test_too_large():
    with pytest.raises(ArticleFormatError) as caught:
        decode_article(b"a" * (MAX_ARTICLE_BYTES + 1))
    assert "too large" in caught.value.message
    assert caught.value.line is None
    error = error_for(sample(CAR_T) + " " * MAX_ARTICLE_BYTES)
    assert "too large" in error.message


def test_heading_without_body():
    lines = sample_lines(CAR_T)
    error = error_for("\n".join([*lines[:3], *lines[4:]]))
    assert 'the heading "What the research says" has nothing under it' in error.message
    assert error.line == 3


def test_heading_without_body_at_the_end():
    lines = sample_lines(CAR_T)
    error = error_for("\n".join([*lines[:4], lines[4], lines[-1]]))
    assert '"What to ask your doctor" has nothing under it' in error.message
    assert error.line == 5


def test_prose_section_with_a_list_item():
    lines = sample_lines(CAR_T)
    error = error_for("\n".join([*lines[:4], lines[5], *lines[4:]]))
    assert "mixes" in error.message
    assert "starts with paragraphs but this line is a question" in error.message
    assert error.line == 5


def test_question_section_with_a_paragraph():
    lines = sample_lines(CAR_T)
    error = error_for("\n".join([*lines[:7], lines[1], *lines[7:]]))
    assert "starts with questions but this line is a paragraph" in error.message
    assert error.line == 8


def test_duplicate_numbers_in_one_citation():
    error = error_for(replaced(SGLT2, "were rare 4, 7.", "were rare 4, 4."))
    assert 'the citation "4, 4" lists the same number more than once' in error.message
    assert error.line == 4


def test_numbers_in_square_brackets_are_refused():
    error = error_for(replaced(CAR_T, "for MS 9.", "for MS [9]."))
    assert '"[9]"' in error.message
    assert error.line == 4


def test_disclaimer_with_different_wording():
    error = error_for(replaced(CAR_T, "individualized", "individualised"))
    assert "wording differs" in error.message
    assert error.line == 11


def test_disclaimer_must_be_last():
    lines = sample_lines(CAR_T)
    error = error_for("\n".join([*lines[:5], lines[-1], *lines[5:]]))
    assert "must be the last line" in error.message
    assert error.line == 6


def test_other_bullets_and_empty_list_items():
    lines = sample_lines(CAR_T)
    lines[6] = "• " + lines[6][2:]
    error = error_for("\n".join(lines))
    assert 'list items must start with "- "' in error.message
    assert error.line == 7
    lines[6] = "-"
    error = error_for("\n".join(lines))
    assert "no text after the hyphen" in error.message
    assert error.line == 7


def test_errors_are_value_errors_that_survive_pickling():
    error = ArticleFormatError("the file is empty", 3)
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.line, str(copy)) == (
        "the file is empty",
        3,
        "line 3: the file is empty",
    )


def test_large_pathological_input_stays_fast_and_messages_stay_short():
    lines = sample_lines(SGLT2)
    lines[3] = "of 5. " * 60_000 + "were rare " + "1, " * 100_000 + "2."
    # CPU time, not wall time: other processes on a busy machine must not fail this test.
    started = time.process_time()
    with pytest.raises(ArticleFormatError) as caught:
        parse_article("\n".join(lines))
    assert "lists the same number more than once" in caught.value.message
    assert len(caught.value.message) < 200
    lines[3] = "of 5. " * 60_000 + "were rare " + "4,7, " * 100_000 + "2."
    article = parse_article("\n".join(lines))
    assert len(article.warnings) == 60_001
    assert max(len(w.message) for w in article.warnings) < 300
    assert time.process_time() - started < 5


# Warnings: imported as text, never guessed silently


def test_number_after_of_is_kept_as_text_with_a_warning():
    article = parse_article(replaced(SGLT2, "median of 18 months 4.", "median of 18."))
    assert "median of 18. A 2020" in article.sections[0].body
    assert [str(w) for w in article.warnings] == [
        'line 4: ambiguous number 18 before a full stop kept as text (it follows "of", and '
        "the references file has no record with that number); if it is a citation, write it "
        "as the marker [18] in the admin"
    ]
    assert article.citation_labels() == ["7", "2", "5", "4"]


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("randomized 4,744 people", "randomized 4,744. People", "thousands separator"),
        ("A 2022 meta-analysis", "A 2022. Meta-analysis", "looks like a year"),
        ("type 2 diabetes.", "type 2.", 'it follows "type"'),
        ("were rare 4, 7.", "were rare 4,7.", 'citation list such as "2, 5"'),
        ("were rare 4, 7.", "were rare 04.", "starts with 0"),
        ("were rare 4, 7.", "were rare, 4.", 'it follows "rare,", not a word'),
    ],
)
def test_ambiguous_numbers_warn(old, new, reason):
    article = parse_article(replaced(SGLT2, old, new))
    assert len(article.warnings) == 1
    assert reason in article.warnings[0].message
    assert article.warnings[0].message.startswith("ambiguous number ")
    assert export(article) == replaced(SGLT2, old, new)


def test_html_is_text_with_a_warning():
    script = "<script>alert(1)</script>"
    text = replaced(CAR_T, "for MS 9.", f"for MS 9. {script}")
    article = parse_article(text)
    assert f"for MS [9]. {script}" in article.sections[0].body
    assert article.warnings == (
        ArticleWarning(4, "contains HTML markup; it is kept as text and never run"),
    )
    assert str(article.warnings[0]) == (
        "line 4: contains HTML markup; it is kept as text and never run"
    )
    assert export(article) == text


def test_missing_disclaimer_gives_no_topic_and_a_warning():
    text = "\n".join(sample_lines(CAR_T)[:-1])
    article = parse_article(text)
    assert article.topic is None
    assert article.warnings[0].line == 10
    assert "disclaimer line is missing" in article.warnings[0].message
    assert export(article) == text


# Exporter


def sglt2_fields(**changes):
    article = parse_article(sample(SGLT2))
    fields = {
        "question": article.question,
        "lead": article.lead,
        "sections": [(s.heading, s.kind, s.body) for s in article.sections],
        "topic": article.topic,
    }
    return fields | changes


def research_body():
    return parse_article(sample(SGLT2)).sections[0].body


def with_research(body):
    ask = parse_article(sample(SGLT2)).sections[1]
    return sglt2_fields(sections=[("What the research says", "prose", body), ask])


def test_format_writes_markers_as_bare_numbers_without_trailing_newline():
    text = format_article(**sglt2_fields())
    assert "18 months 4. A 2020" in text
    assert "were rare 4, 7.\nWhat to ask your doctor\n" in text
    assert text == sample(SGLT2).removesuffix("\n")
    assert text.endswith(disclaimer_for("Cardiology"))


def test_format_normalises_marker_spacing():
    body = research_body().replace("months [4].", "months[4].").replace("[4, 7]", "[4,7]")
    text = format_article(**with_research(body))
    assert "18 months 4." in text
    assert "were rare 4, 7." in text


def test_format_refuses_marker_not_before_a_full_stop():
    body = research_body().replace("months [4].", "months [4]; more.")
    error = format_error(**with_research(body))
    assert "[4]" in error.message
    assert "right before a sentence's full stop" in error.message
    assert error.line is None


def test_format_refuses_marker_that_would_import_as_text():
    body = research_body().replace("of 18 months [4].", "of [18].")
    error = format_error(**with_research(body))
    assert 'the citation marker [18] in section "What the research says"' in error.message
    assert 'it follows "of"' in error.message


def test_format_refuses_bare_number_that_would_import_as_citation():
    body = research_body().replace("months [4].", "months 4.")
    error = format_error(**with_research(body))
    assert "the number 4 before a full stop" in error.message
    assert "would be read as citation [4]" in error.message


def test_format_refuses_duplicate_and_year_like_markers():
    body = research_body().replace("[4, 7]", "[4, 4]")
    assert "more than once" in format_error(**with_research(body)).message
    body = research_body().replace("[4, 7]", "[2019]")
    assert "looks like a year" in format_error(**with_research(body)).message


def test_format_refuses_lead_paragraph_that_reads_as_a_heading():
    lead = parse_article(sample(SGLT2)).lead + "\n\nWhat the research says"
    error = format_error(**sglt2_fields(lead=lead))
    assert "would be read as a heading" in error.message


def test_format_refuses_bad_headings_kinds_questions_and_empties():
    fields = sglt2_fields()
    (_, kind, body), ask = fields["sections"]
    bad_heading = [("What the research says.", kind, body), ask]
    assert (
        "cannot be written as a heading"
        in format_error(**fields | {"sections": bad_heading}).message
    )
    bad_kind = [("What the research says", "list", body), ask]
    assert 'kind "list"' in format_error(**fields | {"sections": bad_kind}).message
    cited_question = [("What the research says", kind, body), (ask[0], ask[1], ask[2] + " [4]")]
    assert "citation marker" in format_error(**fields | {"sections": cited_question}).message
    assert "question mark" in format_error(**fields | {"question": "Do SGLT2 inhibitors"}).message
    assert "lead) is empty" in format_error(**fields | {"lead": " \n"}).message
    assert "no sections" in format_error(**fields | {"sections": []}).message
    empty_body = [("What the research says", kind, "\n\n"), ask]
    assert "is empty" in format_error(**fields | {"sections": empty_body}).message


def test_format_accepts_admin_textarea_markdown():
    body = research_body().replace(". A 2020", ".\r\nA 2020")
    body = body.replace(". A 2021", ".\r\n\r\nA 2021")
    article = parse_article(format_article(**with_research(body)))
    first, second = article.sections[0].body.split("\n\n")
    assert "18 months [4]. A 2020" in first
    assert second.startswith("A 2021 trial")


def test_format_without_topic_leaves_out_the_disclaimer():
    text = format_article(**sglt2_fields(topic=None))
    assert text == "\n".join(sample_lines(SGLT2)[:-1])


def test_disclaimer_wording():
    assert disclaimer_for("Oncology") == sample_lines(CAR_T)[-1]
    assert disclaimer_for("Cardiology") == sample_lines(SGLT2)[-1]


# Properties

WORD = st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=9)
CITING_WORD = st.sampled_from(["cells", "trials", "patients", "review", "therapy", "MS"])
TEXT_NUMBER = st.sampled_from(["five", "12", "4,744", "2023", "1.5", "21,947"])
AMBIGUOUS_ENDING = st.sampled_from(["of 18", "aged 40", "in 2023", "to 4,744", "type 2"])
LABELS = st.lists(st.integers(1, 999), min_size=1, max_size=3, unique=True).map(
    lambda numbers: ", ".join(map(str, numbers))
)


@st.composite
def sentences(draw):
    """A sentence as (plain text, Markdown): ends in a word, a citation, or a text number."""
    words = [draw(WORD)] + draw(st.lists(st.one_of(WORD, TEXT_NUMBER), max_size=8))
    words.append(draw(WORD))
    text = " ".join(words)
    ending = draw(st.sampled_from(["word", "citation", "ambiguous"]))
    if ending == "citation":
        before, labels = f"{text} {draw(CITING_WORD)}", draw(LABELS)
        return f"{before} {labels}.", f"{before} [{labels}]."
    if ending == "ambiguous":
        text = f"{text} {draw(AMBIGUOUS_ENDING)}"
    return f"{text}.", f"{text}."


@st.composite
def paragraphs(draw):
    pairs = draw(st.lists(sentences(), min_size=1, max_size=4))
    return " ".join(p for p, _ in pairs), " ".join(m for _, m in pairs)


@st.composite
def articles(draw):
    """A well-formed article as (text, the fields it should parse into)."""
    question = " ".join(draw(st.lists(WORD, min_size=1, max_size=10))).capitalize() + "?"
    lead = draw(st.lists(paragraphs(), min_size=1, max_size=3))
    lines = [question, *(p for p, _ in lead)]
    sections = []
    for _ in range(draw(st.integers(1, 4))):
        heading = " ".join(draw(st.lists(WORD, min_size=1, max_size=8))).capitalize()
        heading += draw(st.sampled_from(["", "?", ":"]))
        lines.append(heading)
        if draw(st.booleans()):
            body = draw(st.lists(paragraphs(), min_size=1, max_size=3))
            lines.extend(p for p, _ in body)
            sections.append(ArticleSection(heading, "prose", "\n\n".join(m for _, m in body)))
        else:
            items = [
                "- " + " ".join(draw(st.lists(st.one_of(WORD, TEXT_NUMBER), min_size=1))) + "?"
                for _ in range(draw(st.integers(1, 5)))
            ]
            lines.extend(items)
            sections.append(ArticleSection(heading, "questions", "\n".join(items)))
    topic = draw(st.none() | st.lists(WORD, min_size=1, max_size=3).map(" ".join).map(str.title))
    if topic is not None:
        lines.append(disclaimer_for(topic))
    final_newline = draw(st.booleans())
    text = "\n".join(lines) + ("\n" if final_newline else "")
    expected = (question, "\n\n".join(m for _, m in lead), tuple(sections), topic, final_newline)
    return text, expected


@FAST
@given(articles())
def test_generated_articles_parse_to_their_fields_and_round_trip(article):
    text, expected = article
    parsed = parse_article(text)
    assert (parsed.question, parsed.lead, parsed.sections, parsed.topic, parsed.final_newline) == (
        expected
    )
    assert export(parsed) == text
    assert decode_article(text.encode("utf-8")) == text


SAMPLE_LINES = sample_lines(CAR_T) + sample_lines(SGLT2)
LINE = st.one_of(
    st.sampled_from(SAMPLE_LINES),
    st.sampled_from(SAMPLE_LINES).map(lambda line: line[: len(line) // 2]),
    st.text(max_size=40),
    st.sampled_from(["", "-", "- ", "[9]", "of 18.", "MS 4, 4.", "<b>", "\r", "\x00", "Heading"]),
)


@st.composite
def mutated_articles(draw):
    """A well-formed article or a sample with a few lines replaced, added, dropped or moved."""
    text = draw(st.sampled_from([sample(CAR_T), sample(SGLT2)]) | articles().map(lambda a: a[0]))
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines)))
        action = draw(st.sampled_from(["replace", "insert", "drop", "move"]))
        if action == "insert" or not lines:
            lines.insert(at, draw(LINE))
        elif action == "replace":
            lines[min(at, len(lines) - 1)] = draw(LINE)
        else:
            line = lines.pop(min(at, len(lines) - 1))
            if action == "move":
                lines.insert(draw(st.integers(0, len(lines))), line)
    return "\n".join(lines)


@pytest.mark.fuzz
@FAST
@given(st.one_of(st.text(), mutated_articles()))
def test_parse_raises_only_article_format_error(text):
    with contextlib.suppress(ArticleFormatError):
        parse_article(text)


@pytest.mark.fuzz
@FAST
@given(st.one_of(st.binary(), mutated_articles().map(str.encode)))
def test_decode_raises_only_article_format_error(data):
    with contextlib.suppress(ArticleFormatError):
        parse_article(decode_article(data))


SNIPPET = st.sampled_from(
    [
        " [9]",
        " [18].",
        " of [18].",
        " cells 4.",
        "[2,5].",
        "MS[3]. ",
        " [4, 4].",
        " [0].",
        "\n",
        "\n\n",
        "\n\nShort line\n\n",
        "\n- item?",
        " <i>x</i>",
        " [7](https://example.org)",
        ".",
    ]
)


@st.composite
def edited_fields(draw):
    """Fields of a well-formed article after admin-like edits, some of them unexportable."""
    _, (question, lead, sections, topic, _) = draw(articles())
    sections = [(s.heading, s.kind, s.body) for s in sections]
    for _ in range(draw(st.integers(0, 3))):
        index = draw(st.integers(-1, len(sections) - 1))
        heading, kind, body = sections[index] if index >= 0 else ("", "prose", lead)
        at = draw(st.integers(0, len(body)))
        body = body[:at] + draw(SNIPPET) + body[at:]
        if index < 0:
            lead = body
        else:
            kind = draw(st.sampled_from([kind, kind, "prose", "questions"]))
            sections[index] = (heading + draw(st.sampled_from(["", "", "."])), kind, body)
    return {"question": question, "lead": lead, "sections": sections, "topic": topic}


@FAST
@given(edited_fields())
def test_format_never_loses_or_invents_a_citation(fields):
    try:
        text = format_article(**fields)
    except ArticleFormatError:
        return
    bodies = [fields["lead"]] + [body for _, kind, body in fields["sections"] if kind == "prose"]
    assert parse_article(text).citation_labels() == marker_labels("\n\n".join(bodies))


# A number after a word like "year" is a citation when the references file has its record


def test_a_number_after_year_is_cited_when_its_record_was_supplied():
    text = replaced(SGLT2, "median of 18 months 4.", "median of 18 months, after one year 4.")
    article = parse_article(text, records=frozenset({"2", "4", "5", "7"}))
    assert "after one year [4]." in article.sections[0].body
    assert sorted(article.citation_labels()) == ["2", "4", "5", "7"]
    [warning] = article.warnings
    assert "the references file has a record 4: cited as [4]" in warning.message


def test_without_its_record_the_number_after_year_stays_text():
    text = replaced(SGLT2, "median of 18 months 4.", "median of 18 months, after one year 4.")
    article = parse_article(text, records=frozenset({"2", "5", "7"}))
    assert "after one year 4." in article.sections[0].body
    assert [w.message for w in article.warnings] == [
        'ambiguous number 4 before a full stop kept as text (it follows "year", and the '
        "references file has no record with that number); if it is a citation, write it as "
        "the marker [4] in the admin"
    ]


@pytest.mark.parametrize(
    ("new", "reason"),
    [
        ("median of 4,744.", "it has a thousands separator"),
        ("median of 18 months (n = 4.", 'it follows "=", not a word'),
        ("median of 18 months 04.", "04 starts with 0"),
    ],
)
def test_a_supplied_record_never_makes_a_genuinely_ambiguous_number_a_citation(new, reason):
    text = replaced(SGLT2, "median of 18 months 4.", new)
    article = parse_article(text, records=frozenset({"4", "04", "4,744", "744"}))
    assert "[4]" not in article.sections[0].body
    assert any(reason in w.message for w in article.warnings)
