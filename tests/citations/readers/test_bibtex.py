"""BibTeX: the SGLT2 records transcribed, LaTeX and broken entries."""

from pathlib import Path

import pytest
from hypothesis import given

from citations.readers import read_references
from tests.fuzzing import reads_or_refuses, reference_files

DATA = Path(__file__).parents[1] / "data"
RIS = DATA / "sglt2-heart-failure.references.ris"
BIBTEX = DATA / "sglt2-heart-failure.references.bib"


def read(path: Path, **kwargs):
    return read_references(path.read_bytes(), filename=path.name, **kwargs)


def by_label(result):
    return {record.label: record for record in result.records}


# ---------------------------------------------------------------- BibTeX


def test_bibtex_transcription_reads_like_the_ris():
    result = read(BIBTEX)
    assert result.format == "bibtex"
    assert result.rejected == []
    assert [(record.label, record.line) for record in result.records] == [
        ("4", 4),
        ("7", 17),
        ("2", 29),
        ("5", 41),
    ]
    ris = by_label(read(RIS))
    for label, record in by_label(result).items():
        expected = {key: value for key, value in ris[label].csl.items() if key != "genre"}
        assert record.csl == expected, label


def test_bibtex_latex_is_decoded():
    records = by_label(read(BIBTEX))
    assert records["4"].csl["author"][3] == {"family": "Køber", "given": "Lars"}
    assert records["2"].csl["author"][5] == {"family": "Böhm", "given": "Michael"}
    assert records["5"].csl["title"].startswith("SGLT-2 inhibitors in patients")
    assert records["4"].csl["page"] == "1995-2008"


@pytest.mark.fuzz
@given(reference_files("bibtex"))
def test_fuzz_any_bibtex_file_is_read_or_refused_in_words(file):
    reads_or_refuses(*file)
