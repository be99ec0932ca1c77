"""read_references: format detection, whole-file errors and rejected records."""

import json
from pathlib import Path

import pytest

from citations.readers import ReferenceFileError, read_references

DATA = Path(__file__).parents[1] / "data"
RIS = DATA / "sglt2-heart-failure.references.ris"
CSL_JSON = DATA / "car-t-multiple-sclerosis.references.json"
BIBTEX = DATA / "sglt2-heart-failure.references.bib"
MEDLINE = DATA / "pubmed-records.nbib"
ARTICLE = DATA / "sglt2-heart-failure.txt"


def read(path: Path, **kwargs):
    return read_references(path.read_bytes(), filename=path.name, **kwargs)


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
    assert rejected.reason.startswith("“DOI”: ‘10.1056’ is not a DOI")


def test_bad_pmid_rejected():
    items = json.loads(CSL_JSON.read_text())
    items[0]["PMID"] = "PMID 37748491x"
    result = read_references(json.dumps(items, indent=2).encode())
    [rejected] = result.rejected
    assert (rejected.line, rejected.label) == (2, "9")
    assert rejected.reason.startswith("“PMID”: ‘PMID 37748491x’ is not a PubMed ID")


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
