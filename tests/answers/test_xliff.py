"""XLIFF 1.2 exchange: the approved English version out, one unit per paragraph or list item
with protected citation placeholders; the translated file back into a draft, refused with
the unit named when units or markers do not match; never replacing a draft's own words
without being told to."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from answers.models import Translation
from answers.xliff import XliffRefused, export_xliff, import_xliff
from tests.factories import (
    TEST_TEXT,
    approve_new_english,
    approve_translation,
    fill_translation,
    make_translator,
    publish_xliff_answer,
    translate_xliff,
)

pytestmark = pytest.mark.django_db
NS = "{urn:oasis:names:tc:xliff:document:1.2}"


def _export(answer):
    out = StringIO()
    call_command("export_translation", answer.question.slug, language="es", stdout=out)
    return out.getvalue().encode("utf-8")


def test_one_unit_per_paragraph_or_list_item_with_protected_markers():
    answer = publish_xliff_answer()
    root = etree.fromstring(_export(answer))
    assert root.get("version") == "1.2"
    file = root.find(f"{NS}file")
    assert (file.get("source-language"), file.get("target-language")) == ("en", "es")
    units = {u.get("id"): u for u in root.iter(f"{NS}trans-unit")}
    assert list(units) == [
        "question",
        "lead-p1",
        "lead-p2",
        "section-1-heading",
        "section-1-body-p1",
        "section-1-body-p2",
        "section-2-heading",
        "section-2-body-item1",
        "section-2-body-item2",
        "section-3-heading",
        "section-3-body-item1",
        "section-3-body-item2",
    ]
    source = units["section-1-body-p2"].find(f"{NS}source")
    assert source.text == "Another found more "
    (placeholder,) = source
    assert placeholder.tag == f"{NS}x"
    assert placeholder.get("ctype") == "x-citation"
    assert placeholder.get("equiv-text") == "[2, 3]"
    assert placeholder.tail == "."
    # The level lines of "When to get help" are structure, not words to translate.
    assert "See a doctor soon" not in _export(answer).decode()


def test_a_translated_file_becomes_a_draft_with_the_sources_structure():
    answer = publish_xliff_answer()
    path = _write(translate_xliff(_export(answer)))
    out = StringIO()
    call_command("import_translation", path, translator=make_translator().username, stdout=out)
    assert "Started the Spanish translation" in out.getvalue()
    translation = Translation.objects.get(answer=answer, language="es")
    assert translation.lead == f"{TEST_TEXT} 2 [1].\n\n{TEST_TEXT} 3."
    sections = translation.ordered_sections()
    assert sections[1].body == f"- {TEST_TEXT} 8.\n- {TEST_TEXT} 9."
    assert sections[2].body.splitlines()[0] == "See a doctor soon:"
    assert translation.problems() == []
    translation.submit(by=make_translator())
    approve_translation(translation)


def test_a_missing_citation_marker_is_refused_naming_the_unit():
    answer = publish_xliff_answer()
    data = translate_xliff(_export(answer), drop_marker_in="section-1-body-p2")
    with pytest.raises(XliffRefused) as refused:
        import_xliff(data, by=make_translator())
    assert refused.value.problems == [
        "Unit section-1-body-p2 (section 1's text, paragraph 2): the citation marker [2, 3] "
        "is missing. Keep every citation placeholder of the English unit in the translation."
    ]
    assert not Translation.objects.exists()
    with pytest.raises(CommandError, match="section-1-body-p2"):
        call_command("import_translation", _write(data))


def test_missing_extra_or_untranslated_units_are_named():
    answer = publish_xliff_answer()
    root = etree.fromstring(translate_xliff(_export(answer)))
    body = root.find(f"{NS}file/{NS}body")
    units = list(body)
    body.remove(units[1])
    units[2].find(f"{NS}target").text = " "
    units[2].find(f"{NS}target").clear()
    extra = etree.SubElement(body, f"{NS}trans-unit", id="made-up")
    etree.SubElement(extra, f"{NS}source").text = "x"
    with pytest.raises(XliffRefused) as refused:
        import_xliff(etree.tostring(root), by=None)
    assert refused.value.problems == [
        "Unit lead-p2 (the short answer, paragraph 2) has no translation.",
        "Unit 'made-up' is not in the English version: remove it.",
        "Unit lead-p1 (the short answer, paragraph 1) is missing from the file.",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<xliff", "not well-formed XML"),
        (
            b'<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0"/>',
            "not an XLIFF 1.2",
        ),
        (
            b'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file/></xliff>',
            "no original attribute",
        ),
    ],
)
def test_a_file_that_is_not_xliff_1_2_is_refused(data, message):
    with pytest.raises(XliffRefused, match=message):
        import_xliff(data, by=None)


def test_a_file_of_an_older_english_version_is_refused():
    answer = publish_xliff_answer()
    data = translate_xliff(_export(answer))
    approve_new_english(answer, lead="Test lead one, revised [1].\n\nTest lead two.")
    with pytest.raises(XliffRefused, match="was approved again since"):
        import_xliff(data, by=None)


def test_a_drafts_own_words_are_replaced_only_when_asked_and_named():
    answer = publish_xliff_answer()
    translator = make_translator()
    translation = Translation.start(answer=answer, language="es", by=translator)
    fill_translation(translation, by=translator)
    data = translate_xliff(export_xliff(answer=answer, language="es", translation=translation))
    with pytest.raises(XliffRefused) as refused:
        import_xliff(data, by=translator)
    assert "the question, the short answer" in refused.value.problems[0]
    translation.refresh_from_db()
    assert translation.lead.startswith(f"{TEST_TEXT} 0")
    result = import_xliff(data, by=translator, replace=True)
    assert "the short answer" in result.replaced
    translation.refresh_from_db()
    assert translation.lead.startswith(f"{TEST_TEXT} 2")


def test_the_export_carries_the_drafts_words_as_targets():
    answer = publish_xliff_answer()
    translator = make_translator()
    import_xliff(translate_xliff(_export(answer)), by=translator)
    translation = Translation.objects.get(answer=answer)
    data = export_xliff(answer=answer, language="es", translation=translation)
    targets = etree.fromstring(data).iter(f"{NS}target")
    assert next(targets).text == f"{TEST_TEXT} 1."
    # Re-importing its own export changes nothing, so nothing is reported replaced.
    assert import_xliff(data, by=translator).replaced == []
    # A draft written in another shape goes out without targets for those parts.
    fill_translation(translation, by=translator)
    data = export_xliff(answer=answer, language="es", translation=translation)
    units = {u.get("id"): u for u in etree.fromstring(data).iter(f"{NS}trans-unit")}
    assert units["section-1-body-p1"].find(f"{NS}target") is None
    assert units["question"].find(f"{NS}target") is not None


def test_only_a_published_answer_or_a_site_language_is_exported():
    answer = publish_xliff_answer()
    with pytest.raises(CommandError, match="not translated into fr"):
        call_command("export_translation", answer.question.slug, language="fr")
    with pytest.raises(CommandError, match="no answer"):
        call_command("export_translation", "nothing-here", language="es")


def _write(data):
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".xlf", delete=False) as handle:
        handle.write(data)
    return handle.name
