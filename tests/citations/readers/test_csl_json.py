"""CSL-JSON: the CAR-T sample records and the shapes CSL-JSON files come in."""

import json
from pathlib import Path

import pytest
from hypothesis import given

from citations.readers import read_references
from tests.fuzzing import reads_or_refuses, reference_files

DATA = Path(__file__).parents[1] / "data"
CSL_JSON = DATA / "car-t-multiple-sclerosis.references.json"


def read(path: Path, **kwargs):
    return read_references(path.read_bytes(), filename=path.name, **kwargs)


def by_label(result):
    return {record.label: record for record in result.records}


# ---------------------------------------------------------------- CSL-JSON


def test_csl_json_reads_the_car_t_records():
    result = read(CSL_JSON)
    assert result.format == "csl-json"
    assert result.rejected == []
    assert [(record.label, record.line) for record in result.records] == [
        ("9", 2),
        ("10", 21),
        ("11", 32),
    ]
    original = json.loads(CSL_JSON.read_text())
    for record, item in zip(result.records, original, strict=True):
        assert "id" not in record.csl
        assert record.csl == {key: value for key, value in item.items() if key != "id"}


def test_csl_json_incomplete_record_10_is_kept_as_it_is():
    csl = by_label(read(CSL_JSON))["10"].csl
    assert "author" not in csl and "volume" not in csl and "page" not in csl
    assert csl["URL"] == "https://www.cell.com/cell/fulltext/S0092-8674(25)01088-8"
    assert csl["genre"] == "Clinical Trial, Phase I"


def test_csl_json_single_object():
    item = json.loads(CSL_JSON.read_text())[2]
    result = read_references(json.dumps(item, indent=2).encode(), filename="one.json")
    assert [(record.label, record.line) for record in result.records] == [("11", 1)]
    assert result.records[0].csl["PMCID"] == "PMC11446985"


def test_csl_json_identifiers_are_tidied():
    items = json.loads(CSL_JSON.read_text())
    items[0]["DOI"] = "https://doi.org/10.1016/S0140-6736(23)01126-1"
    items[2]["PMCID"] = "pmc11446985"
    result = read_references(json.dumps(items).encode())
    records = by_label(result)
    assert records["9"].csl["DOI"] == "10.1016/S0140-6736(23)01126-1"
    assert records["11"].csl["PMCID"] == "PMC11446985"


@pytest.mark.fuzz
@given(reference_files("csl-json"))
def test_fuzz_any_csl_json_file_is_read_or_refused_in_words(file):
    reads_or_refuses(*file)
