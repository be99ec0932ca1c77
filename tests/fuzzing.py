"""Fuzzing the readers. Strategies for reference files: real sample files with lines replaced, added,
dropped or moved, and files built from each format's own tags with hostile values, so the
fuzz tests reach past "not UTF-8" into every reader. Shared by the reader and import tests."""

import json
from pathlib import Path

from hypothesis import strategies as st

from citations.models import Reference
from citations.readers import ReferenceFileError, read_references
from citations.readers.validation import clean_record

DATA = Path(__file__).parent / "citations" / "data"
SAMPLES = {
    "ris": (DATA / "sglt2-heart-failure.references.ris").read_text(),
    "bibtex": (DATA / "sglt2-heart-failure.references.bib").read_text(),
    "csl-json": (DATA / "car-t-multiple-sclerosis.references.json").read_text(),
    "medline": (DATA / "pubmed-records.nbib").read_text(),
}
FILENAMES = {
    "ris": ["refs.ris", "refs.txt", ""],
    "bibtex": ["refs.bib", "refs.bibtex", ""],
    "csl-json": ["refs.json", ""],
    "medline": ["refs.nbib", "refs.medline", ""],
}
HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "2020",
        "2020/13/45",
        "2020-02-30",
        "0",
        "99999",
        "10.1056/NEJMoa1911303",
        "10.1056/nejmoa1911303",
        "doi:10.1/x",
        "31535829",
        "PMC11446985",
        "\\'{e}",
        "%",
        "$x^2$",
        "\\",
        "\x00",
        "\ufeff",
        "\r",
        "\u2028",
        "<script>",
        "Smith, Jane",
        "[9]",
    ]
)
# Built by map so that statistics print the recipe, not a kilobyte of braces.
LONG = st.sampled_from([("x", 1200), ("{", 50), ("{", 700)]).map(lambda cn: cn[0] * cn[1])
# Long values are slow to read (pylatexenc on 700 braces): 1 in 20, so 10,000 examples stay
# within about two minutes per reader.
VALUE = st.integers(0, 19).flatmap(
    lambda n: LONG if n == 0 else HOSTILE if n < 10 else st.text(max_size=30)
)


def _mutated(text: str, line):
    @st.composite
    def build(draw):
        lines = text.split("\n")
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(lines)))
            action = draw(st.sampled_from(["replace", "insert", "drop", "move", "cut"]))
            if action == "insert" or not lines:
                lines.insert(at, draw(line))
            elif action == "replace":
                lines[min(at, len(lines) - 1)] = draw(line)
            elif action == "cut":
                index = min(at, len(lines) - 1)
                lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
            else:
                moved = lines.pop(min(at, len(lines) - 1))
                if action == "move":
                    lines.insert(draw(st.integers(0, len(lines))), moved)
        return "\n".join(lines)

    return build()


def _tagged(tags, separator, *, start, end=None):
    line = st.one_of(
        st.tuples(st.sampled_from(tags), VALUE).map(lambda tv: f"{tv[0]}{separator}{tv[1]}"),
        VALUE,
        VALUE.map(lambda v: "      " + v),
    )

    @st.composite
    def build(draw):
        lines = []
        for _ in range(draw(st.integers(1, 4))):
            lines.append(start + draw(VALUE))
            lines += draw(st.lists(line, max_size=12))
            if end and draw(st.booleans()):
                lines.append(end)
        return "\n".join(lines)

    return build(), line


RIS_TAGS = [
    "TY",
    "TI",
    "T1",
    "AU",
    "A1",
    "PY",
    "Y1",
    "DA",
    "JO",
    "JF",
    "JA",
    "T2",
    "J2",
    "VL",
    "IS",
    "SP",
    "EP",
    "DO",
    "AN",
    "UR",
    "ID",
    "ER",
    "N1",
    "M3",
    "PB",
    "CY",
    "XX",
]
RIS, RIS_LINE = _tagged(RIS_TAGS, "  - ", start="TY  - ", end="ER  - ")
MEDLINE_TAGS = [
    "PMID",
    "TI",
    "FAU",
    "AU",
    "CN",
    "DP",
    "LID",
    "AID",
    "JT",
    "TA",
    "VI",
    "IP",
    "PG",
    "PMC",
    "PT",
]
MEDLINE, MEDLINE_LINE = _tagged([f"{tag:<4}" for tag in MEDLINE_TAGS], "- ", start="PMID- ")

BIBTEX_FIELDS = [
    "author",
    "editor",
    "title",
    "journal",
    "journaltitle",
    "booktitle",
    "shortjournal",
    "year",
    "month",
    "date",
    "volume",
    "number",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "eprint",
    "eprinttype",
    "url",
    "type",
    "publisher",
    "address",
    "note",
]
BIBTEX_FIELD = st.tuples(st.sampled_from(BIBTEX_FIELDS), VALUE, st.sampled_from(["{}", '""', ""]))


@st.composite
def _bibtex(draw):
    entries = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["article", "book", "misc", "inproceedings", "x"]))
        key = draw(st.one_of(st.sampled_from(["1", "4", "a", ""]), st.text(max_size=5)))
        fields = []
        for name, value, quote in draw(st.lists(BIBTEX_FIELD, max_size=10)):
            opening, closing = (quote[0], quote[1]) if quote else ("", "")
            fields.append(f"  {name} = {opening}{value}{closing}")
        entries.append(f"@{kind}{{{key},\n" + ",\n".join(fields) + "\n}")
    return "\n\n".join(entries)


BIBTEX_LINE = st.one_of(
    VALUE,
    BIBTEX_FIELD.map(lambda f: f"  {f[0]} = {{{f[1]}}},"),
    st.sampled_from(["@article{x,", "}", "@comment{", "@string{a = {b}}", "@preamble{"]),
)

JSON_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), VALUE)
# Two levels, not st.recursive: cheaper to draw, and deeper nesting is one whole-file test.
JSON_VALUE = st.one_of(
    JSON_SCALAR,
    st.lists(JSON_SCALAR, max_size=3),
    st.dictionaries(st.text(max_size=4), st.one_of(JSON_SCALAR, st.lists(JSON_SCALAR)), max_size=3),
)
CSL_KEYS = [
    "id",
    "type",
    "title",
    "author",
    "editor",
    "container-title",
    "container-title-short",
    "issued",
    "volume",
    "issue",
    "page",
    "DOI",
    "PMID",
    "PMCID",
    "URL",
    "genre",
    "publisher",
    "publisher-place",
    "note",
]
NAME = st.one_of(
    st.fixed_dictionaries({}, optional={"family": JSON_VALUE, "given": JSON_VALUE}),
    st.fixed_dictionaries({"literal": VALUE}),
    JSON_VALUE,
)
CSL_VALUE = st.one_of(
    JSON_VALUE,
    st.lists(NAME, max_size=3),
    st.fixed_dictionaries({"date-parts": JSON_VALUE}),
    st.fixed_dictionaries({"date-parts": st.lists(st.lists(st.integers(-5, 3000), max_size=4))}),
)


@st.composite
def _csl_json(draw):
    items = draw(st.lists(st.dictionaries(st.sampled_from(CSL_KEYS), CSL_VALUE), max_size=4))
    return json.dumps(draw(st.sampled_from([items, items[:1] and items[0]])), indent=1)


CSL_JSON_LINE = st.one_of(VALUE, st.sampled_from(["[", "]", "{", "}", ",", '"id": "1",', "[[[[["]))

GENERATED = {"ris": RIS, "medline": MEDLINE, "bibtex": _bibtex(), "csl-json": _csl_json()}
LINES = {"ris": RIS_LINE, "medline": MEDLINE_LINE, "bibtex": BIBTEX_LINE, "csl-json": CSL_JSON_LINE}


def _encoded(text_strategy):
    return st.one_of(
        text_strategy.map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.tuples(text_strategy, st.sampled_from(["\r\n", "\r"])).map(
            lambda tn: tn[0].replace("\n", tn[1]).encode("utf-8", "surrogatepass")
        ),
    )


def reference_files(fmt: str):
    """(bytes, filename) for one format: mutated samples, generated files, any bytes."""
    data = st.one_of(
        _encoded(_mutated(SAMPLES[fmt], LINES[fmt])),
        _encoded(GENERATED[fmt]),
        st.binary(max_size=200),
    )
    return st.tuples(data, st.sampled_from(FILENAMES[fmt]))


def any_reference_files():
    return st.one_of(*(reference_files(fmt) for fmt in SAMPLES))


def reads_or_refuses(data: bytes, filename: str):
    """The property every reader holds: a ReadResult whose records can all be stored and
    edited, or ReferenceFileError with a message; never another exception."""
    try:
        result = read_references(data, filename=filename)
    except ReferenceFileError as error:
        assert error.message.strip()
        return None
    for record in result.records:
        assert clean_record(record.csl) == record.csl
        Reference.from_csl(record.csl).full_clean(validate_unique=False, validate_constraints=False)
    for rejected in result.rejected:
        assert rejected.reason.strip()
    return result


ARTICLES_DIR = Path(__file__).parents[1] / "answers" / "demo_content"
ARTICLE_SAMPLES = [
    (ARTICLES_DIR / "sglt2-heart-failure.txt").read_text(),
    (ARTICLES_DIR / "car-t-multiple-sclerosis.txt").read_text(),
]
ARTICLE_LINE = st.one_of(
    VALUE,
    st.sampled_from(["- ", "[9]", "of 18.", "Trial 4.", "MS 4, 4.", "Heading", "<b>"]),
    st.sampled_from(["Why " + "very " * 70 + "long?", "Q" * 301 + "?"]),
    st.sampled_from(["This question is drawn from common patient questions about " + "T" * 101]),
)


def article_files():
    """Bytes of the sample articles with lines replaced, added, dropped, cut or moved."""
    mutated = st.one_of(*(_mutated(text, ARTICLE_LINE) for text in ARTICLE_SAMPLES))
    return st.one_of(_encoded(mutated), st.binary(max_size=200))
