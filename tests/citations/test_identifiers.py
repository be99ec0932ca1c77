"""Identifier normalisers and validators, with identifiers from the sample records."""

import pytest
from django.core.exceptions import ValidationError

from citations.identifiers import (
    normalize_doi,
    normalize_orcid,
    normalize_pmcid,
    normalize_pmid,
    orcid_check_digit,
    strip_doi,
    validate_doi,
    validate_orcid,
    validate_pmcid,
    validate_pmid,
)


def error_message(validator, value) -> str:
    with pytest.raises(ValidationError) as caught:
        validator(value)
    return caught.value.messages[0]


@pytest.mark.parametrize(
    "value",
    [
        "10.1056/NEJMoa1911303",
        " 10.1056/NEJMoa1911303\n",
        "https://doi.org/10.1056/NEJMoa1911303",
        "http://dx.doi.org/10.1056/NEJMoa1911303",
        "https://dx.doi.org/10.1056/NEJMoa1911303",
        "doi:10.1056/NEJMoa1911303",
        "DOI: 10.1056/NEJMoa1911303",
    ],
)
def test_normalize_doi_strips_prefixes_and_lowercases(value):
    assert normalize_doi(value) == "10.1056/nejmoa1911303"
    validate_doi(value)


def test_strip_doi_keeps_case_for_display():
    assert strip_doi("https://doi.org/10.1016/S0140-6736(23)01126-1") == (
        "10.1016/S0140-6736(23)01126-1"
    )


@pytest.mark.parametrize(
    "value",
    [
        "10.1016/S0140-6736(23)01126-1",
        "10.1007/s00415-024-12642-4",
        "10.1016/S0140-6736(22)01429-5",
    ],
)
def test_validate_doi_accepts_real_dois(value):
    validate_doi(value)


@pytest.mark.parametrize(
    "value", ["10.1016", "10.1016/", "11.1056/NEJMoa1911303", "NEJMoa1911303", "10.10/x", ""]
)
def test_validate_doi_rejects(value):
    message = error_message(validate_doi, value)
    assert message.startswith(f"‘{value}’ is not a DOI")


def test_doi_message_explains_the_shape():
    assert error_message(validate_doi, "10.1016") == (
        "‘10.1016’ is not a DOI: a DOI starts with 10. followed by a registrant code, "
        "a slash and a suffix, e.g. 10.1056/NEJMoa1911303."
    )


@pytest.mark.parametrize("value", ["31535829", " 31535829 ", "PMID: 31535829", "1", "12345678"])
def test_validate_pmid_accepts(value):
    validate_pmid(value)
    assert normalize_pmid(value) == value.strip().removeprefix("PMID: ")


@pytest.mark.parametrize("value", ["123456789", "3153582a", "", "0", "PMC11446985", "-1"])
def test_validate_pmid_rejects(value):
    assert "is not a PubMed ID" in error_message(validate_pmid, value)


@pytest.mark.parametrize(
    "value", ["PMC11446985", "pmc11446985", " Pmc11446985 ", "PMCID: PMC11446985"]
)
def test_pmcid_normalised_to_upper_case_prefix(value):
    validate_pmcid(value)
    assert normalize_pmcid(value) == "PMC11446985"


@pytest.mark.parametrize("value", ["11446985", "PMC", "PMC1144698x", "PMID11446985", ""])
def test_validate_pmcid_rejects(value):
    assert "is not a PubMed Central ID" in error_message(validate_pmcid, value)


def test_orcid_check_digit_of_the_orcid_documentation_example():
    assert orcid_check_digit("000000021825009") == "7"
    validate_orcid("0000-0002-1825-0097")
    validate_orcid("https://orcid.org/0000-0002-1825-0097")
    assert normalize_orcid("https://orcid.org/0000-0002-1825-0097") == "0000-0002-1825-0097"


def test_orcid_with_x_check_character():
    # ORCID's documentation example of an iD whose check character is X.
    assert orcid_check_digit("000000021694233") == "X"
    validate_orcid("0000-0002-1694-233X")
    validate_orcid("0000-0002-1694-233x")


def test_orcid_wrong_check_digit():
    message = error_message(validate_orcid, "0000-0002-1825-0098")
    assert "check digit" in message
    assert message.startswith("‘0000-0002-1825-0098’ is not a valid ORCID iD")


@pytest.mark.parametrize(
    "value", ["0000-0002-1825-009", "0000000218250097", "0000-0002-1825-00X7", ""]
)
def test_orcid_wrong_format(value):
    assert "four groups of four digits" in error_message(validate_orcid, value)


def test_validation_error_codes_for_the_django_layer():
    with pytest.raises(ValidationError) as caught:
        validate_doi("10.1016")
    assert caught.value.code == "invalid_doi"
    assert caught.value.params == {"value": "10.1016"}
