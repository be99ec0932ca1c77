"""The XLIFF reader's safety, stated plainly: nothing outside the file is read (no entity,
no DTD, no network), a size limit with a clear message; and one test for each bug found
while fuzzing it (tests/answers/test_xliff_fuzz.py), each refused with the unit named."""

import socket
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from answers.admin.translations import XliffUploadForm
from answers.models import Translation
from answers.xliff import (
    HASH_ATTR,
    MAX_XLIFF_BYTES,
    SIGNOFF_ATTR,
    XliffRefused,
    import_xliff,
    xliff_schema,
)
from tests.factories import (
    TEST_TEXT,
    XLIFF_SECTIONS,
    make_translator,
    publish_xliff_answer,
    translate_xliff,
)

NS = "{urn:oasis:names:tc:xliff:document:1.2}"
SECRET = "secret-that-no-import-may-read"


@pytest.fixture
def listener():
    """A listening socket: a parser that fetched anything would connect to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def _connected(server):
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


def _translated():
    """The real export of a real published answer, filled in as a translator would."""
    answer = publish_xliff_answer(sections=XLIFF_SECTIONS[:2])
    out = StringIO()
    call_command("export_translation", answer.question.slug, language="es", stdout=out)
    return answer, translate_xliff(out.getvalue().encode("utf-8"))


def _with_target(data, unit_id, words=None, *, markup=None):
    root = etree.fromstring(data)
    for unit in root.iter(f"{NS}trans-unit"):
        if unit.get("id") == unit_id:
            target = unit.find(f"{NS}target")
            if markup is not None:
                unit.replace(target, etree.fromstring(markup))
            else:
                for child in list(target):
                    target.remove(child)
                target.text = words
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _refused(data):
    with pytest.raises(XliffRefused) as refused:
        import_xliff(data, by=None)
    return refused.value.problems


# ---------------------------------------------------------------- nothing from outside


def test_an_external_entity_is_never_read(tmp_path, listener):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    for entity in (
        f'<!ENTITY e SYSTEM "file://{secret}">',
        f'<!ENTITY e SYSTEM "{secret}">',
        f'<!ENTITY e SYSTEM "http://127.0.0.1:{listener.getsockname()[1]}/e">',
        f'<!ENTITY % p SYSTEM "http://127.0.0.1:{listener.getsockname()[1]}/p"> %p;',
    ):
        data = f"<!DOCTYPE xliff [{entity}]><xliff>&e;</xliff>".encode()
        problems = _refused(data)
        assert SECRET not in " ".join(problems)
    assert not _connected(listener)


def test_an_external_dtd_is_never_fetched(listener):
    port = listener.getsockname()[1]
    data = f'<!DOCTYPE xliff SYSTEM "http://127.0.0.1:{port}/x.dtd"><xliff/>'.encode()
    assert "declares a document type" in _refused(data)[0]
    assert not _connected(listener)


def test_entity_expansion_is_refused():
    laughs = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(8)
    )
    data = f"<!DOCTYPE xliff [{laughs}]><xliff>&i;</xliff>".encode()
    (problem,) = _refused(data)
    assert "not well-formed" in problem or "document type" in problem
    # Declared but not used: refused all the same, as no export has a document type.
    assert "declares a document type" in _refused(b'<!DOCTYPE x [<!ENTITY e "x">]><x/>')[0]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    data = b"<xliff>" + b" " * MAX_XLIFF_BYTES + b"</xliff>"
    (problem,) = _refused(data)
    assert "at most 5 MB is read" in problem
    form = XliffUploadForm()
    assert form.fields["file"]  # the admin's upload refuses the same size (one constant)


def test_deep_nesting_stays_within_libxml2s_limits():
    data = b"<a>" * 5000 + b"</a>" * 5000
    assert "not well-formed" in _refused(data)[0]


@pytest.mark.django_db
def test_the_command_says_the_file_is_too_large(tmp_path):
    path = tmp_path / "big.xlf"
    path.write_bytes(b" " * (MAX_XLIFF_BYTES + 1))
    with pytest.raises(CommandError, match="at most 5 MB is read"):
        call_command("import_translation", str(path))


# ---------------------------------------------------------------- what the fuzzer found


@pytest.mark.django_db
def test_comments_and_processing_instructions_in_a_target_are_not_words():
    """Was: a comment in a target raised ValueError (lxml's QName), found by the fuzzer."""
    answer, data = _translated()
    data = _with_target(
        data,
        "lead-p2",
        markup=f'<target xmlns="urn:oasis:names:tc:xliff:document:1.2">{TEST_TEXT}<!-- nota -->'
        "<?pi x?> final.</target>",
    )
    import_xliff(data, by=make_translator())
    assert Translation.objects.get(answer=answer).lead.endswith(f"\n\n{TEST_TEXT} final.")


@pytest.mark.django_db
@pytest.mark.parametrize("signoff", ["²", "9" * 30, "-1", " "])
def test_a_source_version_that_is_not_a_number_is_refused(signoff):
    """Was: "²".isdigit() is true, and the query then raised ValueError."""
    _, data = _translated()
    root = etree.fromstring(data)
    root.find(f"{NS}file").set(SIGNOFF_ATTR, signoff)
    problems = _refused(etree.tostring(root))
    assert "does not say which approved English version" in problems[0]


@pytest.mark.django_db
def test_a_question_or_heading_longer_than_its_field_is_refused_naming_the_unit():
    """Was: a 301-character question raised DataError on PostgreSQL (SQLite stored it)."""
    answer, data = _translated()
    data = _with_target(data, "question", "x" * 301)
    data = _with_target(data, "section-1-heading", "y" * 201)
    assert _refused(data) == [
        "Unit question (the question): its translation is 301 characters long; it holds at "
        "most 300.",
        "Unit section-1-heading (section 1's heading): its translation is 201 characters "
        "long; it holds at most 200.",
    ]
    assert not Translation.objects.exists()


@pytest.mark.django_db
def test_a_paragraph_that_would_read_as_a_list_item_is_refused_naming_the_unit():
    """Was: "- x" as a paragraph's words became a list item in the draft, so the draft's
    units were no longer the file's."""
    _, data = _translated()
    (problem,) = _refused(_with_target(data, "lead-p2", f"- {TEST_TEXT}"))
    assert problem.startswith(
        "Unit lead-p2 (the short answer, paragraph 2): its translation would not stay a "
        "paragraph of the draft"
    )


@pytest.mark.django_db
def test_citation_numbers_typed_as_words_are_refused_naming_the_unit():
    """Was: "[9]" typed in a target, or a placeholder followed by "(" (a Markdown link that
    swallows the marker), was imported, and refused only at submission without the unit."""
    _, data = _translated()
    typed = _with_target(data, "lead-p2", f"{TEST_TEXT} [9].")
    assert _refused(typed)[0].startswith(
        "Unit lead-p2 (the short answer, paragraph 2): its words would cite other references"
    )
    swallowed = _with_target(
        data,
        "lead-p1",
        markup='<target xmlns="urn:oasis:names:tc:xliff:document:1.2">Texto '
        '<x id="c1" ctype="x-citation" equiv-text="[1]"/>(https://example.com)</target>',
    )
    assert "do not follow a placeholder with “(”" in _refused(swallowed)[0]


@pytest.mark.django_db
def test_a_unit_with_two_translations_is_refused():
    """Was: the first <target> was imported and the second silently ignored."""
    _, data = _translated()
    root = etree.fromstring(data)
    unit = next(u for u in root.iter(f"{NS}trans-unit") if u.get("id") == "lead-p2")
    etree.SubElement(unit, f"{NS}target").text = "Otro texto."
    assert _refused(etree.tostring(root)) == [
        "Unit lead-p2 (the short answer, paragraph 2) has more than one translation."
    ]


@pytest.mark.django_db
def test_the_admins_upload_refuses_an_external_entity_and_reads_nothing(tmp_path, listener):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.factories import login

    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    _, data = _translated()
    port = listener.getsockname()[1]
    hostile = (
        f'<?xml version="1.0"?><!DOCTYPE xliff SYSTEM "http://127.0.0.1:{port}/x.dtd" '
        f'[<!ENTITY e SYSTEM "file://{secret}">]>'.encode()
        + data.split(b"?>", 1)[1].replace(b"<target>", b"<target>&e;", 1)
    )
    upload = SimpleUploadedFile("es.xlf", hostile, content_type="application/xliff+xml")
    page = login(make_translator()).post(
        reverse("admin:answers_translation_import"), {"file": upload}
    )
    assert page.status_code == 200
    assert "declares a document type" in page.content.decode()
    assert SECRET not in page.content.decode()
    assert not Translation.objects.exists()
    assert not _connected(listener)


# ---------------------------------------------------------------- the XLIFF 1.2 schema


@pytest.mark.django_db
def test_the_export_is_valid_against_the_strict_xliff_schema():
    """What agencies receive is valid XLIFF 1.2 (the OASIS strict schema, with this CMS's
    two attributes on <file> declared): translation tools that validate accept it."""
    _, data = _translated()
    english_only = etree.fromstring(data)
    for target in list(english_only.iter(f"{NS}target")):
        target.getparent().remove(target)
    for document in (english_only, etree.fromstring(data)):
        schema = xliff_schema()
        assert schema.validate(document), schema.error_log


@pytest.mark.django_db
def test_a_file_the_schema_does_not_allow_is_refused_saying_where():
    answer, data = _translated()
    root = etree.fromstring(data)
    next(root.iter(f"{NS}trans-unit")).set("approved", "perhaps")  # yes or no only
    problems = _refused(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    assert problems[0].startswith("The file is not valid XLIFF 1.2")
    assert "approved" in problems[1] and problems[1].startswith("Line ")
    assert not Translation.objects.filter(answer=answer).exists()


@pytest.mark.django_db
def test_a_translation_tools_own_extensions_are_accepted():
    """Tools add attributes and elements of their own namespaces (the standard's extension
    points): they are skipped, the XLIFF around them still checked."""
    answer, data = _translated()
    tool = "urn:example:translation-tool"
    root = etree.fromstring(data)
    root.find(f"{NS}file").set(f"{{{tool}}}project", "Test project")
    unit = next(root.iter(f"{NS}trans-unit"))
    etree.SubElement(unit, f"{{{tool}}}segment-state", status="confirmed")
    import_xliff(etree.tostring(root), by=make_translator())
    assert Translation.objects.get(answer=answer).question_text.startswith(TEST_TEXT)


@pytest.mark.django_db
def test_a_file_exported_before_the_attributes_still_imports():
    """Earlier exports named the English version in a <prop-group>: a translator's work on
    such a file is read as before."""
    answer, data = _translated()
    root = etree.fromstring(data)
    file = root.find(f"{NS}file")
    header = file.find(f"{NS}header")
    group = etree.Element(f"{NS}prop-group", name="source-version")
    for prop_type, attribute in (
        ("x-source-signoff", SIGNOFF_ATTR),
        ("x-source-hash", HASH_ATTR),
    ):
        etree.SubElement(group, f"{NS}prop", attrib={"prop-type": prop_type}).text = file.get(
            attribute
        )
        del file.attrib[attribute]
    header.insert(0, group)
    import_xliff(etree.tostring(root), by=make_translator())
    assert Translation.objects.get(answer=answer).question_text.startswith(TEST_TEXT)
