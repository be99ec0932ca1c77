"""Fuzzing the XLIFF reader, which reads files from outside (translation agencies). Every
file starts as the real export of a real published answer, filled in as a translator
would, then is mutated: units dropped, duplicated, moved, renamed; citation placeholders
removed, added, moved or given hostile attributes; hostile words; other namespaces;
document types with entities (billion laughs, XXE); not XML, not UTF-8, truncated.

The property: the import refuses with XliffRefused (each message in words, naming the unit
where there is one) and the database is exactly as before, or the draft's parts are exactly
the file's targets, unit by unit; and the words reach the public page only escaped."""

import contextlib
import copy
import json
import socket

import lxml.html
import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation as django_translation
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from lxml import etree
from reversion.models import Version

from answers.models import HistoricalTranslation, TranslatedSection, Translation, WorkflowError
from answers.rendering import ALLOWED_TAGS
from answers.xliff import XliffRefused, export_xliff, import_xliff, text_units
from tests.factories import (
    TEST_TEXT,
    approve_translation,
    fill_translation,
    make_spanish_clinician,
    make_translator,
    publish_xliff_answer,
    translate_xliff,
)

pytestmark = pytest.mark.django_db
NS = "urn:oasis:names:tc:xliff:document:1.2"
N = f"{{{NS}}}"
FUZZ_SETTINGS = settings(
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ]
)


@pytest.fixture
def world():
    """A published answer, a Spanish draft of marked test text, and the file a translator
    returns for it: the real export with every target filled."""
    answer = publish_xliff_answer()
    translator = make_translator()
    translation = Translation.start(answer=answer, language="es", by=translator)
    fill_translation(translation, by=translator)
    exported = export_xliff(answer=answer, language="es", translation=translation)
    return {
        "answer": answer,
        "translator": translator,
        "clinician": make_spanish_clinician(),
        "file": translate_xliff(exported),
        "units": [u.get("id") for u in etree.fromstring(exported).iter(f"{N}trans-unit")],
        "markers": {
            u.get("id"): {x.get("id"): x.get("equiv-text") for x in u.find(f"{N}source")}
            for u in etree.fromstring(exported).iter(f"{N}trans-unit")
        },
    }


# ---------------------------------------------------------------- strategies


CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn"))


def _note(what):
    """Counted in --hypothesis-show-statistics, when inside a Hypothesis test."""
    with contextlib.suppress(InvalidArgument):
        event(what)


HOSTILE_WORDS = st.sampled_from(
    [
        "",
        " ",
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "<a href='javascript:alert(1)'>x</a>",
        "[x](javascript:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "<svg/onload=alert(1)>",
        "</script><script>alert(1)</script>",
        '"}</script>',
        "&lt;script&gt;",
        "&amp;",
        "**negrita**",
        "# Título",
        "- ",
        "- elemento",
        "1. uno",
        "> cita",
        "`código`",
        "<!--",
        "]]>",
        "{{ x }}",
        "{% x %}",
        "[1]",
        "[2, 3]",
        "[9]",
        "(",
        "(http://example.com)",
        "See a doctor soon:",
        "\u202e",
        "\u200b",
        "\ufeff",
        "\x85",
        "\xa0",
        "\u2028",
        "\t",
        "\r\n",
        "\n\n",
        "ñ",
    ]
)
LONG_WORDS = st.sampled_from([("x", 301), ("á", 201), ("y", 200_000)]).map(lambda cn: cn[0] * cn[1])
WORDS = st.integers(0, 19).flatmap(
    lambda n: (
        LONG_WORDS if n == 0 else HOSTILE_WORDS if n < 12 else st.text(CHARACTERS, max_size=20)
    )
)
TEXT = st.lists(WORDS, min_size=1, max_size=4).map(" ".join)
# Words that are hostile to a page but not refused by the import: the page test's.
MARKUP = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "<a href='javascript:alert(1)'>x</a>",
        "[x](javascript:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](JaVaScRiPt:alert(1))",
        "<svg/onload=alert(1)>",
        "</script><script>alert(1)</script>",
        '"}</script>',
        "<iframe src=x></iframe>",
        "<style>*{}</style>",
        '<p onclick="x">',
        "&lt;script&gt;",
        "&#60;script&#62;",
        "**negrita**",
        "_x_",
        "`<b>`",
        "# Título",
        "1. uno",
        "> cita",
        "{{ x }}",
        "{% x %}",
        "\u202e",
        "ñ",
    ]
)
PAGE_TEXT = st.lists(
    st.one_of(MARKUP, st.text(CHARACTERS, max_size=10)), min_size=1, max_size=3
).map(lambda words: "Texto " + " ".join(words))
ATTRIBUTE = st.one_of(
    st.sampled_from(["c1", "c2", "c9", "", "x-citation", "[1]", "<script>", "c1 ", "C1"]),
    st.text(CHARACTERS, max_size=8),
)


def _units(root):
    return list(root.iter(f"{N}trans-unit"))


def _pick(draw, items):
    return items[draw(st.integers(0, len(items) - 1))] if items else None


def _set_words(draw, target, markers, words=TEXT):
    """New words in `target`, keeping its placeholders, at new places among them."""
    placeholders = [copy.deepcopy(x) for x in target if isinstance(x.tag, str)] or [
        etree.Element(f"{N}x", id=key, ctype="x-citation", attrib={"equiv-text": marker})
        for key, marker in markers.items()
    ]
    placeholders = draw(st.permutations(placeholders))
    for child in list(target):
        target.remove(child)
    target.text = draw(words)
    for placeholder in placeholders:
        placeholder.tail = draw(words)
        target.append(placeholder)


MUTATIONS = [
    "drop",
    "duplicate",
    "move",
    "rename",
    "words",
    "drop-x",
    "add-x",
    "move-x",
    "hostile-x",
    "wrap",
    "namespace",
    "second-target",
    "no-target",
    "header",
    "languages",
    "group",
]


@st.composite
def mutated_trees(draw, base):
    root = etree.fromstring(base["file"])
    for _ in range(draw(st.integers(1, 3))):
        # Half the time one that keeps the file importable, so both outcomes are common.
        action = draw(st.sampled_from(MUTATIONS + ["words", "move", "move-x", "group"] * 3))
        units = _units(root)
        unit = _pick(draw, units)
        target = unit.find(f"{N}target") if unit is not None else None
        if unit is None:
            continue
        body = unit.getparent()
        if action == "drop":
            body.remove(unit)
        elif action == "duplicate":
            body.insert(draw(st.integers(0, len(body))), copy.deepcopy(unit))
        elif action == "move":
            body.remove(unit)
            body.insert(draw(st.integers(0, len(body))), unit)
        elif action == "rename":
            unit.set("id", draw(st.one_of(st.sampled_from(base["units"]), ATTRIBUTE)))
        elif action == "words" and target is not None:
            _set_words(draw, target, base["markers"].get(unit.get("id"), {}))
        elif action == "drop-x" and target is not None and len(target):
            x = _pick(draw, list(target))
            x.getparent().remove(x)
        elif action == "add-x" and target is not None:
            other = _pick(draw, [x for u in units for x in u.find(f"{N}source")])
            x = copy.deepcopy(other) if other is not None else etree.Element(f"{N}x")
            x.tail = draw(TEXT)
            target.insert(draw(st.integers(0, len(target))), x)
        elif action == "move-x" and target is not None and len(target):
            x = _pick(draw, list(target))
            target.remove(x)
            target.insert(draw(st.integers(0, len(target))), x)
        elif action == "hostile-x" and target is not None:
            x = etree.SubElement(target, f"{N}x")
            for name in draw(st.lists(st.sampled_from(["id", "ctype", "equiv-text", "onclick"]))):
                x.set(name, draw(ATTRIBUTE))
            x.text = draw(st.one_of(st.none(), TEXT))
        elif action == "wrap" and target is not None:
            tag = draw(
                st.sampled_from(["g", "mrk", "bpt", "ph", "{http://www.w3.org/1999/xhtml}b"])
            )
            wrapper = etree.Element(tag if tag.startswith("{") else f"{N}{tag}")
            wrapper.text, target.text = target.text, None
            for child in list(target):
                wrapper.append(child)
            target.append(wrapper)
        elif action == "namespace":
            element = _pick(draw, [root, unit, target, *(target if target is not None else [])])
            if element is not None and isinstance(element.tag, str):
                local = etree.QName(element).localname
                space = draw(st.sampled_from(["urn:oasis:names:tc:xliff:document:2.0", "", "x"]))
                element.tag = f"{{{space}}}{local}" if space else local
        elif action == "second-target":
            unit.append(
                copy.deepcopy(target) if target is not None else etree.Element(f"{N}target")
            )
        elif action == "no-target" and target is not None:
            unit.remove(target)
        elif action == "header":
            prop = _pick(draw, list(root.iter(f"{N}prop")))
            if prop is not None:
                prop.text = draw(
                    st.one_of(st.sampled_from(["", "²", "9" * 30, "-1", "0"]), ATTRIBUTE)
                )
        elif action == "languages":
            file = root.find(f"{N}file")
            if file is not None:
                file.set(
                    draw(st.sampled_from(["source-language", "target-language"])),
                    draw(st.sampled_from(["es", "ES", "en", "fr", "", " es "])),
                )
        elif action == "group":
            group = etree.Element(f"{N}group")
            body.replace(unit, group)
            group.append(unit)
    return root


def _encoded(draw, root):
    encoding = draw(st.sampled_from(["UTF-8", "UTF-8", "UTF-8", "UTF-16", "ISO-8859-1"]))
    try:
        data = etree.tostring(root, xml_declaration=True, encoding=encoding)
    except (UnicodeEncodeError, ValueError):
        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    damage = draw(st.sampled_from([None] * 12 + ["truncate", "bytes", "declaration", "comment"]))
    if damage == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "bytes":
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at]
            + draw(st.sampled_from([b"\xff", b"\xc3", b"\x00", b"\x01", b"&#1;"]))
            + data[at:]
        )
    elif damage == "declaration":
        data = data.replace(b"UTF-8", draw(st.sampled_from([b"UTF-16", b"latin-1", b"nope"])), 1)
    elif damage == "comment":
        data = data.replace(b">Texto", b"><!-- nota --><?pi x?>Texto", 1)
    return data


SECRET = "secret-that-no-import-may-read"


def _doctype(draw, data, *, secret_path, port):
    """A document type declaring entities, one of them referenced in a target."""
    entity = draw(
        st.sampled_from(
            [
                '<!ENTITY e "Texto <b>interno</b>">',
                f'<!ENTITY e SYSTEM "file://{secret_path}">',
                f'<!ENTITY e SYSTEM "{secret_path}">',
                f'<!ENTITY e SYSTEM "http://127.0.0.1:{port}/e">',
                f'<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p"> %p; <!ENTITY e "x">',
                '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;'
                '&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">',
            ]
        )
    )
    external = draw(st.sampled_from(["", f' SYSTEM "http://127.0.0.1:{port}/x.dtd"']))
    body = data.split(b"?>", 1)[-1]
    body = body.replace(b">Texto", b">&e;Texto", draw(st.integers(1, 3)))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xliff{external} [{entity}]>'.encode()
        + body
    )


@pytest.fixture
def trap(tmp_path):
    """A local file holding a secret and a listening socket: an import that reads either
    has read from outside the file."""
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    yield {"path": str(secret), "port": listener.getsockname()[1], "socket": listener}
    listener.close()


def _nothing_reached(trap):
    try:
        connection, _ = trap["socket"].accept()
    except BlockingIOError:
        return True
    connection.close()
    return False


@st.composite
def xliff_files(draw, base, trap):
    root = draw(mutated_trees(base))
    data = _encoded(draw, root)
    kind = draw(st.integers(0, 19))
    if kind == 0:
        return draw(st.binary(max_size=200))
    if kind <= 2:
        return _doctype(draw, data, secret_path=trap["path"], port=trap["port"])
    return data


# ---------------------------------------------------------------- the oracle


def _state(answer):
    """Everything an import may change: the translation, its sections, versions, history."""
    return (
        list(Translation.objects.filter(answer=answer).order_by("pk").values()),
        list(TranslatedSection.objects.filter(translation__answer=answer).order_by("pk").values()),
        Version.objects.count(),
        HistoricalTranslation.objects.count(),
    )


def _file_targets(data, markers):
    """The file's targets as a translator reads them: each unit's words, its placeholders
    as their English markers, runs of white space as one space (comments are no words)."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    found = {}
    for unit in root.iter(f"{N}trans-unit"):
        target = unit.find(f"{N}target")
        pieces = [target.text or ""]
        for x in target:
            if isinstance(x.tag, str):
                pieces.append(markers[unit.get("id")][x.get("id")])
            pieces.append(x.tail or "")
        found[unit.get("id")] = " ".join("".join(pieces).split())
    return found


def _draft_units(translation):
    kinds = {f"section-{s.position}-body": s.kind for s in translation.ordered_sections()}
    return {
        unit_id: words
        for name, text in translation.parts()
        for unit_id, words in text_units(name, text, kind=kinds.get(name, "prose"))
    }


def _imports_or_refuses(world, data, *, replace):
    """Import `data`; assert the property; the imported translation, or None."""
    answer = world["answer"]
    before = _state(answer)
    try:
        result = import_xliff(data, by=world["translator"], replace=replace)
    except XliffRefused as refused:
        _note("refused")
        assert refused.problems
        assert all(isinstance(p, str) and p.strip() for p in refused.problems)
        assert all(SECRET not in p for p in refused.problems)
        assert _state(answer) == before
        return None
    except WorkflowError as refused:  # refused by the translation's own rules
        _note("refused by the translation's rules")
        assert refused.problems
        assert _state(answer) == before
        return None
    _note("imported")
    translation = Translation.objects.get(pk=result.translation.pk)
    assert _draft_units(translation) == _file_targets(data, world["markers"])
    assert list(_draft_units(translation)) == world["units"]
    assert SECRET not in json.dumps(translation.canonical_content())
    return translation


@pytest.mark.fuzz
@FUZZ_SETTINGS
@given(data=st.data(), replace=st.booleans())
def test_fuzz_an_xliff_file_is_imported_exactly_or_refused_changing_nothing(
    world, trap, data, replace
):
    file = data.draw(xliff_files(world, trap), label="file")
    with transaction.atomic():
        _imports_or_refuses(world, file, replace=replace)
        transaction.set_rollback(True)
    assert _nothing_reached(trap)


# ---------------------------------------------------------------- the page


def _page_is_safe(html, question):
    """No element, attribute or address on the page comes from the translation's words:
    scripts are the page's own, no event handlers, no script addresses, and the translated
    parts hold only the tags the renderer allows."""
    page = lxml.html.document_fromstring(html)
    content = page.xpath(
        '//*[@id="answer-title"] | //*[@id="short-answer"] | //*[@class="answer-body"]'
    )
    assert len(content) == 3
    in_content = [e for part in content for e in part.iter()]  # alive: one proxy per node
    for element in page.iter():
        if not isinstance(element.tag, str):
            continue
        schemes = ("javascript:", "vbscript:") + (
            ("data:",) if any(element is e for e in in_content) else ()
        )
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            if name in ("href", "src", "action", "formaction", "srcset"):
                assert not "".join(value.split()).lower().startswith(schemes), value
    structured = page.xpath('//script[@type="application/ld+json"]')
    assert len(structured) == 1
    assert json.loads(structured[0].text)["name"] == question
    for script in page.iter("script"):
        assert script.get("type") == "application/ld+json" or script.get("src")
    allowed = ALLOWED_TAGS | {"h1", "h2", "h3", "section", "div"}
    for part in content:
        for element in part.iter():
            assert element.tag in allowed, element.tag
    assert page.xpath('string(//*[@id="answer-title"])') == question


@pytest.mark.fuzz
@FUZZ_SETTINGS
@given(data=st.data())
def test_fuzz_hostile_words_reach_the_page_only_escaped(world, data):
    """Every target filled with hostile words (placeholders kept): imported, then signed
    off as the workflow does; the Spanish page shows them as text."""
    caches["default"].clear()
    root = etree.fromstring(world["file"])
    for unit in _units(root):
        target, markers = unit.find(f"{N}target"), world["markers"][unit.get("id")]
        _set_words(
            data.draw, target, markers, words=data.draw(st.sampled_from([PAGE_TEXT] * 9 + [TEXT]))
        )
    file = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    with transaction.atomic():
        translation = _imports_or_refuses(world, file, replace=True)
        if translation is not None and not translation.problems():
            translation.submit(by=world["translator"])
            approve_translation(translation, world["clinician"])
            publication = translation.publication
            with django_translation.override("es"):
                url = reverse("translated_question", args=[publication.slug])
            page = Client().get(url)
            assert page.status_code == 200
            _page_is_safe(page.content, translation.question_text)
            _note("published and read back")
        transaction.set_rollback(True)


def test_the_fuzzed_files_start_from_an_import_that_works(world):
    translation = _imports_or_refuses(world, world["file"], replace=True)
    assert translation is not None
    assert translation.lead.startswith(f"{TEST_TEXT} 2")
