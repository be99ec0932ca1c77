"""Plain language on the checklist (answers/plain_language.py): the whole answer's reading
level, long sentences, house words and rare words, each named with where it is; warnings
that never block; long sentences marked in the writer's live preview only."""

import pytest
from django.test import override_settings
from django.urls import reverse

from answers import plain_language
from answers.checklist import WARNING, review_checklist
from answers.models import Answer, HouseWord, import_house_words
from answers.models.house_words import HouseWordImportError
from tests.answers.test_importing import run
from tests.factories import (
    answer_url,
    change_form_data,
    draft,
    in_review,
    login,
    make_answer,
    make_clinician,
    make_editor,
    make_writer,
    public_page,
    published,
)

pytestmark = pytest.mark.django_db

LONG = "This test sentence " + " ".join(["word"] * 36) + " end [1]."  # 40 words
SECTIONS = (
    ("What the research says", "prose", f"A short test sentence [1]. {LONG} Another short one."),
    ("Test words", "prose", "The test word nephrolithiasis appears here."),
)


def warnings_of(answer):
    return [i.message for i in review_checklist(answer).items if i.level == WARNING]


def test_the_checklist_names_a_40_word_sentence_and_a_rare_word_with_where_they_are():
    answer = make_answer(sections=SECTIONS)
    warnings = warnings_of(answer)
    [long] = [m for m in warnings if m.startswith("Long sentence")]
    assert "(40 words) in Section 1 “What the research says”" in long
    assert "“This test sentence word word" in long
    assert "Aim for 25 words or fewer" in long
    [rare] = [m for m in warnings if "nephrolithiasis" in m]
    assert rare == (
        "“nephrolithiasis” is a rare word (in Section 2 “Test words”): explain it or use an "
        "everyday word."
    )
    assert review_checklist(answer).is_clear  # warnings, never blocking


@override_settings(LONG_SENTENCE_WORDS=45)
def test_the_sentence_length_is_a_setting():
    assert not any(
        m.startswith("Long sentence") for m in warnings_of(make_answer(sections=SECTIONS))
    )


def test_a_rare_word_is_named_as_first_written():
    answer = make_answer(lead="Test: SGLT2 [1].", sections=(("Test", "prose", "Test sglt2 [1]."),))
    assert any(
        m.startswith("“SGLT2” is a rare word (in the short answer, Section 1")
        for m in warnings_of(answer)
    )


def test_a_glossary_term_is_not_listed_as_rare(monkeypatch):
    monkeypatch.setattr(plain_language, "defined_terms", lambda: {"nephrolithiasis"})
    assert not any("nephrolithiasis" in m for m in warnings_of(make_answer(sections=SECTIONS)))


def test_house_words_are_named_with_their_alternative_and_where_they_are():
    answer = make_answer(
        lead="Test: we utilise it [1].",
        sections=(("Test words", "prose", "Test: UTILISE it, prior to  the test [1]."),),
    )
    warnings = warnings_of(answer)
    assert (
        "“utilise” is on the house list of words to avoid (in the short answer, Section 1 "
        "“Test words”): consider “use”."
    ) in warnings
    assert any(m.startswith("“prior to” is on the house list") for m in warnings)
    assert not any("“utilise” is a rare word" in m for m in warnings)


def test_the_whole_answer_is_measured_not_only_the_lead():
    hard = (
        "Pharmacological interventions necessitate comprehensive individualised "
        "consideration of contraindications. "
    ) * 3
    answer = make_answer(
        lead="It is a test [1].", sections=(("Test", "prose", hard + "It is said [1]."),)
    )
    checklist = review_checklist(answer)
    assert checklist.lead_readability.score < checklist.readability.score
    assert checklist.readability.name == "reading age"
    assert checklist.readability.target_text == "9–11"
    assert any(
        m.startswith(f"The whole answer reads at reading age {checklist.readability}")
        and "aim for 9–11" in m
        for m in warnings_of(answer)
    )


@override_settings(READABILITY_SCALE="us_grade", READABILITY_TARGET=(6.0, 7.0))
def test_the_scale_and_target_are_settings():
    answer = make_answer(sections=SECTIONS)
    checklist = review_checklist(answer)
    assert checklist.readability.name == "US grade"
    assert checklist.readability.target_text == "6–7"
    with override_settings(READABILITY_SCALE="uk_age"):
        assert review_checklist(answer).readability.score == pytest.approx(
            checklist.readability.score + 5, abs=0.01
        )


def test_citation_markers_are_not_counted():
    texts = plain_language.inline_texts("One two three [1, 2]. Four five.")
    assert [
        plain_language.word_count(texts[0][s:e]) for s, e in plain_language.sentence_spans(texts[0])
    ] == [3, 2]


def test_sentences_split_at_their_end_not_at_abbreviations_or_decimals():
    text = "Take 1.5 mg, e.g. with food. Then wait! Is it done? “Yes.” Done"
    spans = plain_language.sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "Take 1.5 mg, e.g. with food.",
        "Then wait!",
        "Is it done?",
        "“Yes.”",
        "Done",
    ]


# ---------------------------------------------------------------- the live preview


def test_the_live_preview_marks_long_sentences_and_the_public_page_does_not():
    answer, writer = draft(sections=SECTIONS)
    response = login(writer).post(answer_url("desk_preview", answer), change_form_data(answer))
    html = response.content.decode()
    assert html.count('<mark class="long-sentence"') == 1
    assert (
        '<span class="visually-hidden">Long sentence, 40 words: </span>This test sentence' in html
    )
    assert "Long sentence (40 words) in Section 1" in html  # and the checklist lists it

    answer, *_ = published(sections=SECTIONS)
    assert "long-sentence" not in public_page(answer).content.decode()


def test_the_review_page_lists_the_findings_for_the_clinician():
    answer, _ = in_review(sections=SECTIONS)
    html = login(make_clinician()).get(answer_url("review", answer)).content.decode()
    assert "Long sentence (40 words) in Section 1" in html
    assert "“nephrolithiasis” is a rare word" in html
    assert "Reading age of the whole answer" in html
    assert "long-sentence" not in html  # marks are for the writer's preview


# ---------------------------------------------------------------- the house list


def test_the_house_list_is_seeded():
    assert HouseWord.objects.get(word="utilise").alternative == "use"
    assert HouseWord.objects.get(word="haemorrhage").alternative == "bleeding"


def test_import_adds_and_updates_all_or_nothing(tmp_path):
    good = tmp_path / "words.csv"
    good.write_text(
        "word,alternative\nTest Word A,test a\nutilise,make use of\n\n", encoding="utf-8"
    )
    out, err, ok = run("import_house_words", str(good))
    assert ok, err
    assert "1 added, 1 updated" in out
    assert HouseWord.objects.get(word="test word a").alternative == "test a"
    assert HouseWord.objects.get(word="utilise").alternative == "make use of"

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "test word b,test b\nonly one column\ntest word b,again\n,empty\n", encoding="utf-8"
    )
    before = list(HouseWord.objects.values_list("word", "alternative"))
    out, err, ok = run("import_house_words", str(bad))
    assert not ok
    assert "line 2: write two columns" in err
    assert "line 3: “test word b” is already on line 1" in err
    assert "line 4: both the word and its alternative are needed" in err
    assert "nothing was imported (3 errors)" in err
    assert list(HouseWord.objects.values_list("word", "alternative")) == before


def test_import_names_a_file_that_is_not_utf8_or_missing(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("caf\xe9,test\n".encode("latin-1"))
    assert "not UTF-8" in run("import_house_words", str(latin))[1]
    assert "cannot read the file" in run("import_house_words", str(tmp_path / "none.csv"))[1]


def test_the_model_keeps_one_entry_per_word_whatever_the_case():
    with pytest.raises(HouseWordImportError):
        import_house_words("")
    HouseWord.objects.create(word="  Test  Phrase ", alternative="test")
    assert HouseWord.objects.filter(word="test phrase").exists()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        HouseWord.objects.create(word="TEST PHRASE", alternative="other")


def test_editors_manage_the_list_in_the_admin_and_writers_only_read_it():
    editor = login(make_editor())
    add = reverse("admin:answers_houseword_add")
    response = editor.post(add, {"word": "Test  Jargon", "alternative": "test plain"})
    assert response.status_code == 302
    assert HouseWord.objects.get(word="test jargon").alternative == "test plain"
    response = editor.post(add, {"word": "TEST JARGON", "alternative": "again"})
    assert response.status_code == 200
    assert "already on the house list" in response.content.decode()

    writer = login(make_writer())
    assert writer.get(reverse("admin:answers_houseword_changelist")).status_code == 200
    assert writer.post(add, {"word": "test other", "alternative": "x"}).status_code == 403


def test_an_unsaved_answer_without_a_question_is_checked():
    answer = Answer(lead="Test lead.")
    checklist = review_checklist(answer, sections=[], citations=[])
    assert checklist.lead_readability is not None
