"""Reading reference files: the real sample records in each format, and bad inputs."""

import json
from pathlib import Path

import pytest

from citations.readers import ReferenceFileError, read_references

DATA = Path(__file__).parent / "data"
RIS = DATA / "sglt2-heart-failure.references.ris"
CSL_JSON = DATA / "car-t-multiple-sclerosis.references.json"
BIBTEX = DATA / "sglt2-heart-failure.references.bib"
MEDLINE = DATA / "pubmed-records.nbib"
ARTICLE = DATA / "sglt2-heart-failure.txt"

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


# ---------------------------------------------------------------- detection


def test_extension_is_only_a_hint():
    result = read_references(RIS.read_bytes(), filename="references.txt")
    assert result.format == "ris"
    assert read_references(MEDLINE.read_bytes()).format == "medline"
    assert read_references(BIBTEX.read_bytes(), filename="refs.ris").format == "bibtex"


def test_crlf_and_bom_are_accepted():
    data = b"\xef\xbb\xbf" + RIS.read_bytes().replace(b"\n", b"\r\n")
    result = read_references(data)
    assert [record.label for record in result.records] == ["4", "7", "2", "5"]
    assert result.records[0].csl["title"].endswith("ejection fraction")


# ---------------------------------------------------------------- whole-file errors


def file_error(data: bytes, filename: str = "") -> ReferenceFileError:
    with pytest.raises(ReferenceFileError) as caught:
        read_references(data, filename=filename)
    return caught.value


@pytest.mark.parametrize("data", [b"", b"  \n\n "])
def test_empty_file(data):
    assert file_error(data).message == "The file is empty."


def test_binary_file():
    error = file_error(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "refs.ris")
    assert "binary" in error.message


def test_latin1_text_is_refused_with_its_line():
    data = RIS.read_text().encode("latin-1")  # "Køber" on line 6
    error = file_error(data, "refs.ris")
    assert error.line == 6
    assert "not UTF-8" in error.message
    assert "0xf8" in error.message


def test_article_text_is_not_a_reference_file():
    error = file_error(ARTICLE.read_bytes(), "sglt2-heart-failure.txt")
    assert error.message.startswith(
        "‘sglt2-heart-failure.txt’ does not contain references in a format the CMS reads."
    )
    assert error.line is None


def test_wrong_format_for_extension_is_named():
    error = file_error(ARTICLE.read_bytes(), "refs.ris")
    assert "It is named as RIS but does not look like it." in error.message


def test_malformed_json_reports_its_line():
    text = CSL_JSON.read_text().replace('"id": "10",', '"id": "10"', 1)
    error = file_error(text.encode(), "refs.json")
    # The comma is missing at the end of line 22; JSON notices on the next line.
    assert error.line == 23
    assert "not valid JSON: Expecting ',' delimiter (line 23, column 5)" in error.message
    assert str(error).startswith("Line 23: ")


def test_json_that_is_not_a_list_of_items():
    assert "list of items" in file_error(b'"just a string"').message


def test_too_large_is_the_import_setting(settings):
    settings.IMPORT_MAX_BYTES = 2_000_000
    error = file_error(b"TY  - JOUR\n" + b" " * 2_000_000)
    assert "too large (2.0 MB)" in error.message
    assert "at most 2 MB" in error.message


def test_empty_json_list_has_no_references():
    assert "no references" in file_error(b"[]", "refs.json").message


# ---------------------------------------------------------------- rejected records


def test_bad_doi_rejected_with_record_line():
    text = RIS.read_text().replace("DO  - 10.1056/NEJMoa2022190", "DO  - 10.1056")
    result = read_references(text.encode())
    assert [record.label for record in result.records] == ["4", "2", "5"]
    [rejected] = result.rejected
    assert (rejected.line, rejected.label) == (23, "7")
    assert rejected.reason.startswith("‘10.1056’ is not a DOI")


def test_bad_pmid_rejected():
    items = json.loads(CSL_JSON.read_text())
    items[0]["PMID"] = "PMID 37748491x"
    result = read_references(json.dumps(items, indent=2).encode())
    [rejected] = result.rejected
    assert (rejected.line, rejected.label) == (2, "9")
    assert "is not a PubMed ID" in rejected.reason


def test_record_without_title_or_identifier_rejected():
    items = json.loads(CSL_JSON.read_text())
    del items[1]["title"]  # record 10 has no DOI or PMID either
    result = read_references(json.dumps(items, indent=2).encode())
    assert [record.label for record in result.records] == ["9", "11"]
    [rejected] = result.rejected
    assert rejected.label == "10"
    assert "no title and no DOI, PMID or PMCID" in rejected.reason


def test_duplicate_ris_id_rejects_the_later_record():
    text = RIS.read_text().replace("ID  - 2\n", "ID  - 4\n")
    result = read_references(text.encode())
    assert [record.label for record in result.records] == ["4", "7", "5"]
    [rejected] = result.rejected
    assert (rejected.line, rejected.label) == (44, "4")
    assert "Duplicate record id ‘4’" in rejected.reason
    assert "line 1" in rejected.reason


def test_duplicate_csl_json_id():
    text = CSL_JSON.read_text().replace('"id": "11"', '"id": "9"')
    result = read_references(text.encode())
    assert [record.label for record in result.records] == ["9", "10"]
    assert result.rejected[0].label == "9"
    assert result.rejected[0].line == 32


def test_duplicate_bibtex_key_and_broken_entry():
    text = (
        BIBTEX.read_text().replace("@article{2,", "@article{4,")
        + "\n@article{broken,\n  title = {x"
    )
    result = read_references(text.encode())
    assert [record.label for record in result.records] == ["4", "7", "5"]
    duplicate, broken = result.rejected
    assert (duplicate.line, duplicate.label) == (29, "4")
    assert "Duplicate record id ‘4’: the record starting on line 4" in duplicate.reason
    assert broken.line == 54
    assert broken.reason.startswith("This BibTeX entry could not be read")
