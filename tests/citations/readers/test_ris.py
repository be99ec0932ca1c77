"""RIS: the SGLT2 sample records and the ways RIS files go wrong."""

from pathlib import Path

import pytest
from hypothesis import given

from citations.readers import read_references
from tests.fuzzing import reads_or_refuses, reference_files

DATA = Path(__file__).parents[1] / "data"
RIS = DATA / "sglt2-heart-failure.references.ris"

MCMURRAY_AUTHORS = [
    {"family": "McMurray", "given": "John J V"},
    {"family": "Solomon", "given": "Scott D"},
    {"family": "Inzucchi", "given": "Silvio E"},
    {"family": "Køber", "given": "Lars"},
    {"family": "Kosiborod", "given": "Mikhail N"},
    {"family": "Martinez", "given": "Felipe A"},
    {"family": "Ponikowski", "given": "Piotr"},
]


def read(path: Path, **kwargs):
    return read_references(path.read_bytes(), filename=path.name, **kwargs)


def by_label(result):
    return {record.label: record for record in result.records}


# ---------------------------------------------------------------- RIS


def test_ris_reads_the_four_sglt2_records_in_file_order():
    result = read(RIS)
    assert result.format == "ris"
    assert result.rejected == []
    assert [record.label for record in result.records] == ["4", "7", "2", "5"]
    assert [record.line for record in result.records] == [1, 23, 44, 65]


def test_ris_fields_of_the_dapagliflozin_trial():
    csl = by_label(read(RIS))["4"].csl
    assert csl == {
        "type": "article-journal",
        "title": "Dapagliflozin in patients with heart failure and reduced ejection fraction",
        "author": MCMURRAY_AUTHORS,
        "container-title": "New England Journal of Medicine",
        "container-title-short": "N Engl J Med",
        "issued": {"date-parts": [[2019]]},
        "volume": "381",
        "issue": "21",
        "page": "1995-2008",
        "DOI": "10.1056/NEJMoa1911303",
        "PMID": "31535829",
        "genre": "Randomized Controlled Trial",
    }


def test_ris_record_without_accession_number_has_no_pmid():
    records = by_label(read(RIS))
    assert "PMID" not in records["7"].csl
    assert records["5"].csl["PMID"] == "36041474"
    assert records["5"].csl["genre"] == "Meta-Analysis"
    assert records["5"].csl["page"] == "757-767"
    assert records["5"].csl["author"][4] == {"family": "de Boer", "given": "Rudolf A"}
    assert records["2"].csl["author"][3] == {"family": "Ferreira", "given": "João Pedro"}


def test_ris_non_numeric_accession_number_is_not_a_pmid():
    text = RIS.read_text().replace("AN  - 31535829", "AN  - WOS:000498234500001")
    csl = by_label(read_references(text.encode()))["4"].csl
    assert "PMID" not in csl


def test_ris_record_missing_its_er_line_ends_at_the_next_record():
    text = RIS.read_text().replace("ER  - \n\nTY  - JOUR\nID  - 7", "\nTY  - JOUR\nID  - 7", 1)
    result = read_references(text.encode())
    assert [record.label for record in result.records] == ["4", "7", "2", "5"]
    assert by_label(result)["4"].csl["PMID"] == "31535829"


@pytest.mark.fuzz
@given(reference_files("ris"))
def test_fuzz_any_ris_file_is_read_or_refused_in_words(file):
    reads_or_refuses(*file)


def test_unicode_digits_are_not_a_year_or_a_pmid():
    """Found by make fuzz: "²".isdigit() is true, int("²") raises."""
    data = "TY  - JOUR\nTI  - A\nPY  - ²\nAN  - ١٢٣\nER  - \n".encode()
    [record] = read_references(data, filename="refs.ris").records
    assert record.csl == {"type": "article-journal", "title": "A"}
