"""The "When to get help" section: its levels in the article format (byte for byte), in the
content a clinician signs, on the public page, and on the checklist. Signs are placeholder
text ("Sign A"): no medical content is made up for tests."""

import pytest
from django.test import override_settings

from answers.articles import ArticleFormatError, format_article, parse_article
from answers.checklist import BLOCKS_SUBMISSION, WARNING, review_checklist
from answers.get_help import HelpSectionError, parse_help
from answers.models import Answer
from tests.answers.test_articles import SGLT2, sample
from tests.answers.test_importing import SGLT2 as SGLT2_PATH
from tests.answers.test_importing import run
from tests.factories import make_answer, make_topic, make_writer, public_page, published

HELP_LINES = [
    "When to get help",
    "See a doctor soon:",
    "- Sign A",
    "- Sign B",
    "Get help today:",
    "- Sign C",
    "Call the emergency number now:",
    "- Sign D",
]
HELP_BODY = "\n".join(HELP_LINES[1:])
HELP_SECTION = ("When to get help", "get_help", HELP_BODY)


def with_help_section(text: str) -> str:
    """The SGLT2 sample with a placeholder help section before its questions."""
    return text.replace(
        "What to ask your doctor\n", "\n".join(HELP_LINES) + "\nWhat to ask your doctor\n"
    )


def export(parsed):
    return format_article(
        question=parsed.question,
        lead=parsed.lead,
        sections=parsed.sections,
        topic=parsed.topic,
        final_newline=parsed.final_newline,
    )


# ---------------------------------------------------------------- the article format


@pytest.mark.parametrize("final_newline", [True, False])
def test_a_help_section_round_trips_byte_for_byte(final_newline):
    text = with_help_section(sample(SGLT2))
    if not final_newline:
        text = text.rstrip("\n")
    parsed = parse_article(text)
    assert [s.kind for s in parsed.sections] == ["prose", "get_help", "questions"]
    assert parsed.sections[1].heading == "When to get help"
    assert parsed.sections[1].body == HELP_BODY
    assert export(parsed).encode() == text.encode()


def test_a_help_section_may_come_last_and_use_some_levels():
    text = sample(SGLT2).replace(
        "This question is drawn",
        "When to get help\nGet help today:\n- Sign A\nThis question is drawn",
    )
    parsed = parse_article(text)
    assert parsed.sections[-1].kind == "get_help"
    assert parsed.sections[-1].body == "Get help today:\n- Sign A"
    assert export(parsed) == text


@pytest.mark.parametrize(
    ("lines", "line", "words"),
    [
        (
            ["See a doctor soon:", "Get help today:", "- Sign A"],
            2,
            "“See a doctor soon” has no signs",
        ),
        (["Get help today:", "- Sign A", "See a doctor soon:", "- Sign B"], 3, "more urgent level"),
        (["Get help today:", "- Sign A", "Get help today:", "- Sign B"], 3, "comes twice"),
        (["Get help today:", "- Sign A", "A paragraph, not a sign."], 3, "neither a level"),
    ],
)
def test_a_help_section_that_cannot_be_read_is_refused_with_its_line(lines, line, words):
    text = sample(SGLT2).replace(
        "What to ask your doctor\n",
        "\n".join(["When to get help", *lines]) + "\nWhat to ask your doctor\n",
    )
    with pytest.raises(ArticleFormatError) as caught:
        parse_article(text)
    assert caught.value.line == 5 + line  # the help section's heading is line 5
    assert words in caught.value.message
    assert "When to get help" in caught.value.message


def test_a_level_line_ends_nothing_outside_a_help_section():
    """A level line under prose or questions is a heading, as before the help section existed."""
    text = sample(SGLT2).replace(
        "What to ask your doctor\n", "What to ask your doctor\n- Question?\nGet help today:\n"
    )
    parsed = parse_article(text)
    assert [s.heading for s in parsed.sections] == [
        "What the research says",
        "What to ask your doctor",
        "Get help today:",
    ]


def test_the_exporter_refuses_a_help_section_it_cannot_write():
    with pytest.raises(ArticleFormatError, match="has no signs"):
        format_article(
            question="Test question?",
            lead="Test lead.",
            sections=[("When to get help", "get_help", "Get help today:")],
            topic=None,
        )


@pytest.mark.django_db
def test_import_then_export_through_the_database_keeps_the_bytes(tmp_path):
    make_topic(name="Cardiology")
    article = tmp_path / "in" / "help.txt"
    article.parent.mkdir()
    article.write_bytes(with_help_section(SGLT2_PATH.read_text(encoding="utf-8")).encode())
    assert run("import_articles", str(article))[2]
    section = Answer.objects.get().ordered_sections()[1]
    assert (section.kind, section.body) == ("get_help", HELP_BODY)
    out, err, ok = run("export_articles", "--output", str(tmp_path / "out"))
    assert ok, err
    [exported] = (tmp_path / "out").iterdir()
    assert exported.read_bytes() == article.read_bytes()


# ---------------------------------------------------------------- signed, shown, checked


@pytest.mark.django_db
def test_the_help_section_is_in_the_signed_content():
    answer, *_ = published(sections=(HELP_SECTION,))
    answer = Answer.objects.get(pk=answer.pk)
    assert not answer.is_draft
    section = answer.sections.get()
    section.body = section.body.replace("Sign D", "Sign E")
    section.save()
    assert Answer.objects.get(pk=answer.pk).is_draft  # a changed sign needs a new sign-off


@pytest.mark.django_db
@override_settings(EMERGENCY_NUMBER="112")
def test_the_public_page_lists_each_level_under_a_worded_heading():
    answer, *_ = published(sections=(HELP_SECTION,))
    html = public_page(answer).content.decode()
    assert '<section class="answer-section answer-section--get_help"' in html
    assert "See a doctor soon if:</h3>" in html
    assert "Get help today if:</h3>" in html
    assert 'Call <a href="tel:112">112</a> now if:</h3>' in html
    assert "<li>Sign D</li>" in html
    assert "Call the emergency number now:" not in html


@pytest.mark.django_db
def test_a_help_section_that_cannot_be_read_blocks_submission():
    answer = make_answer(sections=(("When to get help", "get_help", "- Sign A"),), lead="Yes.")
    blocking = review_checklist(answer).blocking_submission()
    assert any("a sign comes before any level" in message for message in blocking)
    writer = make_writer()
    answer.writers.set([writer])
    with pytest.raises(Exception, match="a sign comes before any level"):
        answer.submit(by=writer)


@pytest.mark.django_db
def test_two_help_sections_block_submission():
    answer = make_answer(sections=(HELP_SECTION, HELP_SECTION), lead="Yes.")
    assert any(
        "more than one “When to get help”" in m
        for m in review_checklist(answer).blocking_submission()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("question", "topic", "warned"),
    [
        ("What are the symptoms of the test condition?", "Testing", True),
        ("Which signs mean the test failed?", "Testing", True),
        ("Does the test pass?", "Test symptoms", True),
        ("Does the test pass?", "Testing", False),
    ],
)
def test_an_answer_about_symptoms_without_a_help_section_gets_a_warning(question, topic, warned):
    answer = make_answer(question=question, topic=make_topic(name=topic))
    checklist = review_checklist(answer)
    found = [i for i in checklist.items if "no “When to get help” section" in i.message]
    assert bool(found) == warned
    assert all(i.level == WARNING for i in found)
    assert checklist.is_clear


@pytest.mark.django_db
def test_an_answer_about_symptoms_with_a_help_section_is_not_warned():
    answer = make_answer(
        question="What are the symptoms of the test condition?",
        sections=(("What the research says", "prose", "A study found it [1]."), HELP_SECTION),
    )
    messages = [i.message for i in review_checklist(answer).items]
    assert not any("When to get help" in m for m in messages)
    assert not any(i.level == BLOCKS_SUBMISSION for i in review_checklist(answer).items)


def test_parse_help_reads_the_levels_in_order():
    levels = parse_help(HELP_BODY)
    assert [(lv.key, lv.signs) for lv in levels] == [
        ("soon", ("Sign A", "Sign B")),
        ("today", ("Sign C",)),
        ("now", ("Sign D",)),
    ]
    with pytest.raises(HelpSectionError, match="cannot cite"):
        parse_help("Get help today:\n- Sign A [1].")


@pytest.mark.django_db
def test_the_api_gives_the_help_section_as_the_page_shows_it():
    from django.test import Client

    answer, *_ = published(sections=(HELP_SECTION,))
    slug = Answer.objects.get(pk=answer.pk).question.slug
    response = Client().get(f"/api/answers/{slug}/")
    assert response.status_code == 200, response.content
    [section] = response.json()["sections"]
    assert section["kind"] == "get_help"
    assert "Get help today if:</h3>" in section["html"]
    assert "<li>Sign C</li>" in section["html"]
