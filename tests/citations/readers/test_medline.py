"""PubMed MEDLINE (.nbib): real PubMed records."""

from pathlib import Path

import pytest
from hypothesis import given

from citations.readers import read_references
from tests.fuzzing import reads_or_refuses, reference_files

DATA = Path(__file__).parents[1] / "data"
RIS = DATA / "sglt2-heart-failure.references.ris"
CSL_JSON = DATA / "car-t-multiple-sclerosis.references.json"
MEDLINE = DATA / "pubmed-records.nbib"


def read(path: Path, **kwargs):
    return read_references(path.read_bytes(), filename=path.name, **kwargs)


def by_label(result):
    return {record.label: record for record in result.records}


# ---------------------------------------------------------------- MEDLINE


def test_medline_transcription():
    result = read(MEDLINE)
    assert result.format == "medline"
    assert result.rejected == []
    assert [(record.label, record.line) for record in result.records] == [
        ("31535829", 1),
        ("36041474", 28),
        ("37748491", 56),
    ]
    records = by_label(result)
    assert records["31535829"].csl == {
        **by_label(read(RIS))["4"].csl,
    }
    lancet = records["36041474"].csl
    assert lancet["title"] == (
        "SGLT-2 inhibitors in patients with heart failure: a comprehensive meta-analysis "
        "of five randomised controlled trials"
    )
    assert lancet["genre"] == "Meta-Analysis"
    assert lancet["container-title-short"] == "Lancet"


def test_medline_matches_the_csl_json_of_car_t_record_9():
    medline = by_label(read(MEDLINE))["37748491"].csl
    csl_json = by_label(read(CSL_JSON))["9"].csl
    assert medline == csl_json


def test_medline_without_full_author_names_uses_au():
    text = "\n".join(
        line for line in MEDLINE.read_text().splitlines() if not line.startswith("FAU")
    )
    csl = by_label(read_references(text.encode()))["37748491"].csl
    assert csl["author"] == [
        {"family": "Schett", "given": "G"},
        {"family": "Mackensen", "given": "A"},
        {"family": "Mougiakakos", "given": "D"},
    ]


@pytest.mark.fuzz
@given(reference_files("medline"))
def test_fuzz_any_medline_file_is_read_or_refused_in_words(file):
    reads_or_refuses(*file)
