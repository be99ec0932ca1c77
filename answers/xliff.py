"""Translations exchanged with agencies as XLIFF 1.2, read and written with lxml.

Export: the approved English version a translation is made from, one trans-unit per
paragraph or list item (ids such as "lead-p1", "section-2-item3"), each citation marker
an `<x ctype="x-citation" equiv-text="[9]"/>` placeholder translators cannot change. The
file's header names the source sign-off it was made from.

Import: the translated file back into the translation's draft, refused, with a message
naming the unit, when its structure, its units or its markers are not the source
version's. It replaces the draft's words only when told to when the draft has words of its
own that the file would change, and says which.

The files come from outside (agencies), so the reader is strict: at most MAX_XLIFF_BYTES,
no document type (so no entities, internal or external, and nothing read from a disk or
the network), no huge-tree mode, and a target holds only its words and the unit's own
placeholders. Whatever it imports becomes exactly the draft's words, unit by unit.
"""

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from lxml import etree

from citations.markers import CITATION_MARKER_RE

from .get_help import GET_HELP, LEVEL_LINES
from .models import SignOff, TranslatedSection, Translation, WorkflowError
from .models.translations import SourceVersion, language_name, marker_sequence, part_label

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CITATION_CTYPE = "x-citation"
# Which approved English version a file translates: this CMS's own attributes on <file>
# (XLIFF's extension point), declared in schemas/qa-cms-xliff.xsd.
QA_NS = "urn:x-patient-answers-cms:xliff:1"
SIGNOFF_ATTR = f"{{{QA_NS}}}source-signoff"
HASH_ATTR = f"{{{QA_NS}}}source-hash"
# What files exported before those attributes carried instead (<prop-group>, which the
# strict schema does not allow): read, and moved to the attributes, so they still import.
LEGACY_PROPS = {"x-source-signoff": SIGNOFF_ATTR, "x-source-hash": HASH_ATTR}
SCHEMAS = Path(__file__).parent / "schemas"
_LIST_ITEM = re.compile(r"^(\s*- )(.*)$")
MAX_XLIFF_BYTES = 5 * 1024 * 1024
"""The largest file read: one answer's XLIFF is a few dozen kilobytes."""


def q(tag):
    return f"{{{NS}}}{tag}"


class XliffRefused(WorkflowError):
    """The file cannot be imported: every reason, naming the unit where there is one."""


@dataclass
class Imported:
    translation: Translation
    replaced: list[str] = field(default_factory=list)
    started: bool = False


# ---------------------------------------------------------------- units of a text


def _blocks(text, *, kind):
    """The text's lines grouped as the export splits them: (prefix, words, is_unit) where
    a paragraph's lines are one unit, each "- " item is one, and blank lines and a help
    section's level lines are kept as they are."""
    blocks, paragraph = [], []

    def close():
        if paragraph:
            blocks.append(("", " ".join(line.strip() for line in paragraph), True))
            paragraph.clear()

    for line in (text or "").replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        item = _LIST_ITEM.match(line)
        if not stripped:
            close()
            blocks.append(("", "", False))
        elif kind == GET_HELP and stripped in LEVEL_LINES:
            close()
            blocks.append((stripped, "", False))
        elif item:
            close()
            blocks.append(("- ", item.group(2).strip(), True))
        else:
            paragraph.append(line)
    close()
    return blocks


def text_units(name, text, *, kind="prose"):
    """(unit id, words) of one part: "lead-p1", "section-2-item3"."""
    if name in ("question",) or name.endswith("-heading"):
        return [(name, text.strip())] if text.strip() else []
    units, paragraphs, items = [], 0, 0
    for prefix, words, is_unit in _blocks(text, kind=kind):
        if not is_unit:
            continue
        if prefix:
            items += 1
            units.append((f"{name}-item{items}", words))
        else:
            paragraphs += 1
            units.append((f"{name}-p{paragraphs}", words))
    return units


def rebuild(name, source_text, translated, *, kind="prose"):
    """The translated part: the source's structure, each unit's words replaced."""
    if name == "question" or name.endswith("-heading"):
        return translated.get(name, "")
    out, paragraphs, items = [], 0, 0
    for prefix, _, is_unit in _blocks(source_text, kind=kind):
        if not is_unit:
            out.append(prefix)
        elif prefix:
            items += 1
            out.append(prefix + translated[f"{name}-item{items}"])
        else:
            paragraphs += 1
            out.append(translated[f"{name}-p{paragraphs}"])
    return "\n".join(out)


def source_units(source: SourceVersion):
    """Every unit of the source version, in order: (id, English words, part name)."""
    kinds = {f"section-{i}-body": s["kind"] for i, s in enumerate(source.sections, start=1)}
    return [
        (unit_id, words, name)
        for name, text in source.parts()
        for unit_id, words in text_units(name, text, kind=kinds.get(name, "prose"))
    ]


def unit_label(unit_id) -> str:
    """ "section-2-item3" → "section-2-item3 (section 2's text, list item 3)"."""
    match = re.fullmatch(r"(.+?)-(p|item)(\d+)", unit_id)
    if not match or match.group(1).endswith("-heading"):
        return f"{unit_id} ({part_label(unit_id)})"
    part, which, n = match.groups()
    what = "paragraph" if which == "p" else "list item"
    return f"{unit_id} ({part_label(part)}, {what} {n})"


# ---------------------------------------------------------------- export


def _with_markers(element, words):
    """`words` into `element`, each citation marker as a protected placeholder."""
    last = None
    position = 0
    for n, match in enumerate(CITATION_MARKER_RE.finditer(words), start=1):
        before = words[position : match.start()]
        if last is None:
            element.text = (element.text or "") + before
        else:
            last.tail = (last.tail or "") + before
        last = etree.SubElement(
            element, q("x"), id=f"c{n}", ctype=CITATION_CTYPE, attrib={"equiv-text": match.group(0)}
        )
        position = match.end()
    rest = words[position:]
    if last is None:
        element.text = (element.text or "") + rest
    else:
        last.tail = (last.tail or "") + rest


def export_xliff(*, answer, language, translation=None) -> bytes:
    """The approved English version `translation` is made from (else the published one),
    as an XLIFF 1.2 file for translators into `language`; targets hold the draft's words
    where it has them, so an agency sees what is already done."""
    if language not in settings.CONTENT_LANGUAGES:
        raise WorkflowError(f"The site is not translated into {language}.")
    publication = getattr(answer, "publication", None)
    if publication is None or publication.withdrawn_at is not None:
        raise WorkflowError("Only a published answer is exported for translation.")
    signoff = publication.signoff
    if translation is not None and not translation.is_out_of_date:
        signoff = translation.source_signoff
    source = SourceVersion(signoff)
    done = {}
    if translation is not None and translation.source_signoff_id == signoff.pk:
        done = _aligned_units(source, translation)
    root = etree.Element(q("xliff"), nsmap={None: NS, "cms": QA_NS}, version="1.2")
    file = etree.SubElement(
        root,
        q("file"),
        original=f"answers/{source.slug}",
        datatype="plaintext",
        attrib={
            "source-language": "en",
            "target-language": language,
            SIGNOFF_ATTR: str(signoff.pk),
            HASH_ATTR: signoff.content_hash,
        },
    )
    header = etree.SubElement(file, q("header"))
    note = etree.SubElement(header, q("note"))
    note.text = (
        f"“{source.question}”, as approved on {source.approved_at:%d %b %Y}. Translate into "
        f"{language_name(language)}. Keep each citation placeholder in its unit; the "
        "references are shared with the English version."
    )
    body = etree.SubElement(file, q("body"))
    for unit_id, words, _ in source_units(source):
        unit = etree.SubElement(body, q("trans-unit"), id=unit_id)
        unit.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        _with_markers(etree.SubElement(unit, q("source"), attrib={XML_LANG: "en"}), words)
        if done.get(unit_id):
            _with_markers(
                etree.SubElement(unit, q("target"), attrib={XML_LANG: language}), done[unit_id]
            )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _aligned_units(source, translation):
    """The draft's words by unit, for the parts whose paragraphs, items and markers line up
    with the source version's (a part written another shape goes out untranslated)."""
    kinds = {f"section-{i}-body": s["kind"] for i, s in enumerate(source.sections, start=1)}
    mine = dict(translation.parts())
    aligned = {}
    for name, text in source.parts():
        kind = kinds.get(name, "prose")
        english = text_units(name, text, kind=kind)
        draft = text_units(name, mine.get(name, ""), kind=kind)
        same_shape = [unit_id for unit_id, _ in english] == [unit_id for unit_id, _ in draft]
        if same_shape and all(
            sorted(marker_sequence(a)) == sorted(marker_sequence(b))
            for (_, a), (_, b) in zip(english, draft, strict=True)
        ):
            aligned.update(draft)
    return aligned


# ---------------------------------------------------------------- import


def _parser():
    """lxml's parser with nothing from outside the file: no entity is substituted, no DTD
    loaded, nothing fetched over the network; libxml2's limits on text and depth stay on
    (no huge_tree); comments and processing instructions are not part of any words."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _parse(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_XLIFF_BYTES:
        raise XliffRefused(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; an answer's XLIFF file is far "
            f"smaller, and at most {MAX_XLIFF_BYTES // 1024 // 1024} MB is read: is it the "
            "right file?"
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise XliffRefused(f"The file is not well-formed XML: {error}.") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise XliffRefused(
            "The file declares a document type (<!DOCTYPE …>), which an XLIFF file from "
            "export_translation never has; its entities are not read. Export it again, or "
            "ask the translator to save it without one."
        )
    return root


def _structure(root):
    """The file element, or every reason the document is not an XLIFF 1.2 file we read."""
    if root.tag != q("xliff") or root.get("version") != "1.2":
        raise XliffRefused(
            'This is not an XLIFF 1.2 file (its root must be <xliff version="1.2"> in the '
            f"namespace {NS})."
        )
    files = root.findall(q("file"))
    if len(files) != 1:
        raise XliffRefused(f"The file must hold exactly one <file>; it holds {len(files)}.")
    file = files[0]
    problems = [
        f"<file> has no {name} attribute."
        for name in ("original", "source-language", "target-language", "datatype")
        if not file.get(name)
    ]
    if file.find(q("body")) is None:
        problems.append("<file> has no <body>.")
    if problems:
        raise XliffRefused(problems)
    return file


class _LocalSchemas(etree.Resolver):
    """The W3C schema the XLIFF schema imports, from schemas/ (never the network)."""

    def resolve(self, url, pubid, context):
        if url == "http://www.w3.org/2001/xml.xsd":
            return self.resolve_filename(str(SCHEMAS / "xml.xsd"), context)
        return None


@functools.cache
def xliff_schema(*, lax=False) -> etree.XMLSchema:
    """The OASIS XLIFF 1.2 strict schema with this CMS's extension (schemas/). `lax`: for
    files from outside, where translation tools add attributes and elements of their own
    namespaces, which the standard allows: those are skipped unless declared, while
    everything in XLIFF's and this CMS's namespaces is checked as strictly."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalSchemas())
    tree = etree.parse(str(SCHEMAS / "xliff-core-1.2-strict.xsd"), parser)
    xsd = "{http://www.w3.org/2001/XMLSchema}"
    declaration = etree.Element(f"{xsd}import", namespace=QA_NS, schemaLocation="qa-cms-xliff.xsd")
    tree.getroot().insert(0, declaration)
    if lax:
        for wildcard in tree.iter(f"{xsd}any", f"{xsd}anyAttribute"):
            if wildcard.get("processContents") == "strict":
                wildcard.set("processContents", "lax")
    return etree.XMLSchema(tree)


def _schema_problems(root, *, lax) -> list[str]:
    """Where the document breaks the XLIFF 1.2 schema, in words (at most five)."""
    schema = xliff_schema(lax=lax)
    if schema.validate(root):
        return []
    problems = []
    for error in list(schema.error_log)[:5]:
        message = error.message.replace(f"{{{NS}}}", "").replace(f"{{{QA_NS}}}", "cms:")
        problems.append(f"Line {error.line}: {message}")
    return problems


def _upgrade_legacy_header(file):
    """A file exported before the source version moved to <file>'s attributes names it in
    the header's <prop-group>: read it from there (the translator's work stays importable)."""
    for group in file.iter(q("prop-group")):
        for prop in group.iter(q("prop")):
            attribute = LEGACY_PROPS.get(prop.get("prop-type"))
            if attribute and file.get(attribute) is None:
                file.set(attribute, (prop.text or "").strip())
        group.getparent().remove(group)


def _shown(value, limit=60) -> str:
    """A value from the file, quoted and cut short, for a message."""
    value = str(value)
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _target_words(unit_id, target, expected_markers):
    """The target's words with each placeholder as its source marker; problems naming the unit."""
    problems = []
    pieces = [target.text or ""]
    found = []
    for child in target:
        if not isinstance(child.tag, str):
            problems.append(
                f"Unit {unit_label(unit_id)}: its translation holds an entity reference; only "
                "words and the file's <x> placeholders may be in a target."
            )
        elif child.tag != q("x") or child.get("ctype") != CITATION_CTYPE:
            problems.append(
                f"Unit {unit_label(unit_id)}: <{etree.QName(child).localname}> is not a "
                "citation placeholder; only the file's <x> placeholders may be in a target."
            )
        else:
            marker = expected_markers.get(child.get("id"))
            if marker is None:
                problems.append(
                    f"Unit {unit_label(unit_id)}: placeholder {_shown(child.get('id'))} is not "
                    "one of the English unit's."
                )
            else:
                found.append(child.get("id"))
                pieces.append(marker)
        pieces.append(child.tail or "")
    missing = [marker for key, marker in expected_markers.items() if key not in found]
    if missing:
        problems.append(
            f"Unit {unit_label(unit_id)}: the citation marker{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} {'are' if len(missing) > 1 else 'is'} missing. Keep every "
            "citation placeholder of the English unit in the translation."
        )
    duplicated = sorted({key for key in found if found.count(key) > 1})
    if duplicated:
        problems.append(
            f"Unit {unit_label(unit_id)}: the placeholder "
            f"{', '.join(expected_markers[key] for key in duplicated)} appears more than once."
        )
    words = " ".join("".join(pieces).split())
    if not problems and sorted(marker_sequence(words)) != sorted(
        label for key in found for label in marker_sequence(expected_markers[key])
    ):
        problems.append(
            f"Unit {unit_label(unit_id)}: its words would cite other references than its "
            "placeholders do. Type no citation numbers in brackets (the placeholders carry "
            "them), and do not follow a placeholder with “(”."
        )
    return words, problems


def read_xliff(data):
    """(sign-off, language, {unit id: translated words}) of a translated file, or
    XliffRefused with every reason, each naming its unit."""
    file = _structure(_parse(data))
    _upgrade_legacy_header(file)
    language = file.get("target-language").strip().lower()
    if file.get("source-language").strip().lower() not in ("en", "en-us", "en-gb"):
        raise XliffRefused("The file's source language is not English.")
    if language not in settings.CONTENT_LANGUAGES:
        offered = ", ".join(settings.CONTENT_LANGUAGES) or "none"
        raise XliffRefused(
            f"The file translates into {language}, which the site is not translated into "
            f"(languages: {offered})."
        )
    signoff_id = (file.get(SIGNOFF_ATTR) or "").strip()
    signoff = (
        SignOff.objects.select_related("answer", "revision").filter(pk=int(signoff_id)).first()
        if re.fullmatch(r"[0-9]{1,18}", signoff_id)
        else None
    )
    if signoff is None or signoff.content_hash != (file.get(HASH_ATTR) or "").strip():
        raise XliffRefused(
            "The file does not say which approved English version it translates (its "
            "header's source-version properties are missing or altered): export it again."
        )
    source = SourceVersion(signoff)
    expected = {unit_id: words for unit_id, words, _ in source_units(source)}
    problems, translated, seen = [], {}, set()
    for unit in file.find(q("body")).iter(q("trans-unit")):
        unit_id = unit.get("id", "")
        if unit_id not in expected:
            problems.append(f"Unit {_shown(unit_id)} is not in the English version: remove it.")
            continue
        if unit_id in seen:
            problems.append(f"Unit {unit_label(unit_id)} appears twice.")
            continue
        seen.add(unit_id)
        if len(unit.findall(q("target"))) > 1:
            problems.append(f"Unit {unit_label(unit_id)} has more than one translation.")
            continue
        target = unit.find(q("target"))
        if target is None or not "".join(target.itertext()).strip() and not len(target):
            problems.append(f"Unit {unit_label(unit_id)} has no translation.")
            continue
        markers = {
            f"c{n}": match.group(0)
            for n, match in enumerate(CITATION_MARKER_RE.finditer(expected[unit_id]), start=1)
        }
        words, unit_problems = _target_words(unit_id, target, markers)
        problems += unit_problems or _too_long(unit_id, words)
        translated[unit_id] = words
    problems += [
        f"Unit {unit_label(unit_id)} is missing from the file."
        for unit_id in expected
        if unit_id not in seen
    ]
    problems += _reshaped(source, translated)
    if problems:
        raise XliffRefused(problems)
    # Last, what the checks above do not name in a translator's words: anything else the
    # XLIFF 1.2 schema does not allow.
    invalid = _schema_problems(file.getroottree().getroot(), lax=True)
    if invalid:
        raise XliffRefused(
            [
                "The file is not valid XLIFF 1.2 (checked against the OASIS XLIFF 1.2 schema): "
                "was it changed by hand, or saved by a tool in another format?",
                *invalid,
            ]
        )
    return signoff, language, translated


def _too_long(unit_id, words):
    """The question and the headings are one line each, of a limited length."""
    if unit_id == "question":
        limit = Translation._meta.get_field("question_text").max_length
    elif unit_id.endswith("-heading"):
        limit = TranslatedSection._meta.get_field("heading").max_length
    else:
        return []
    if len(words) <= limit:
        return []
    return [
        f"Unit {unit_label(unit_id)}: its translation is {len(words)} characters long; it "
        f"holds at most {limit}."
    ]


def _reshaped(source, translated):
    """Units whose words would not stay that unit in the draft: a paragraph beginning with
    "- " would be read back as a list item, one that is a level line of "When to get help"
    as that level."""
    kinds = {f"section-{i}-body": s["kind"] for i, s in enumerate(source.sections, start=1)}
    return [
        f"Unit {unit_label(unit_id)}: its translation would not stay a paragraph of the "
        "draft (a paragraph beginning with “- ” reads as a list item, and a level line of "
        "“When to get help” as that level): reword its beginning."
        for unit_id, _, name in source_units(source)
        if re.fullmatch(r".+-p[0-9]+", unit_id)
        and unit_id in translated
        and (
            _LIST_ITEM.match(translated[unit_id])
            or (kinds.get(name) == GET_HELP and translated[unit_id] in LEVEL_LINES)
        )
    ]


def import_xliff(data, *, by, replace=False) -> Imported:
    """The translated file into its translation's draft (started if there is none). Words
    the draft has that the file would change are replaced only with `replace`; otherwise
    refused, naming them. The previous words stay in the translation's history."""
    signoff, language, translated = read_xliff(data)
    with transaction.atomic():
        return _import(signoff, language, translated, by=by, replace=replace)


def _import(signoff, language, translated, *, by, replace):
    answer = signoff.answer
    current = getattr(answer, "publication", None)
    if current is None or current.withdrawn_at is not None:
        raise XliffRefused("The English answer is not published: nothing is translated from it.")
    if current.signoff.content_hash != signoff.content_hash:
        raise XliffRefused(
            f"This file translates the English version approved on "
            f"{signoff.created_at:%d %b %Y}; the English answer was approved again since. "
            "Export the new version and translate that."
        )
    translation = Translation.objects.filter(answer=answer, language=language).first()
    result = Imported(translation=translation)
    if translation is None:
        translation = Translation.start(answer=answer, language=language, by=by)
        result = Imported(translation=translation, started=True)
    if translation.is_out_of_date or translation.source_signoff_id != current.signoff_id:
        translation.update_source(by=by)
    source = translation.source()
    kinds = {f"section-{i}-body": s["kind"] for i, s in enumerate(source.sections, start=1)}
    new_parts = {
        name: rebuild(name, text, translated, kind=kinds.get(name, "prose"))
        for name, text in source.parts()
    }
    old_parts = dict(translation.parts())
    result.replaced = [
        part_label(name)
        for name, text in new_parts.items()
        if old_parts.get(name, "").strip() and old_parts[name].strip() != text.strip()
    ]
    if result.replaced and not replace:
        raise XliffRefused(
            "Nothing was imported: the draft has its own words in "
            + ", ".join(result.replaced)
            + ", which the file would replace. Import again choosing to replace them (the "
            "draft's words stay in its history)."
        )
    comment = "Imported from XLIFF" + (
        f" (replaced {', '.join(result.replaced)})" if result.replaced else ""
    )
    with translation.editing(by=by, comment=comment) as locked:
        locked.question_text = new_parts["question"]
        locked.lead = new_parts["lead"]
        for index, section in enumerate(locked.ordered_sections(), start=1):
            section.heading = new_parts[f"section-{index}-heading"]
            section.body = new_parts[f"section-{index}-body"]
            section.save()
    translation.refresh_from_db()
    result.translation = translation
    return result
