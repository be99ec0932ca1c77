"""The reference library's admin form: identifiers checked with clear errors, duplicates
named, authors edited one per line, retraction with its notice, and the formatted
citation shown as the public list will show it."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from citations.admin import name_line, parse_name_line
from citations.models import Reference
from tests.factories import (
    make_clinician,
    make_reference,
    make_writer,
    reference_form_data,
)

pytestmark = pytest.mark.django_db

ADD_URL = "admin:citations_reference_add"


def login(user):
    client = Client()
    client.force_login(user)
    return client


def change_url(reference):
    return reverse("admin:citations_reference_change", args=[reference.pk])


def errors_of(response):
    return response.context["adminform"].form.errors


def test_writer_adds_a_reference_with_authors_one_per_line():
    client = login(make_writer())
    response = client.post(
        reverse(ADD_URL),
        reference_form_data(
            authors="Tester, Ann\nExample, Bo B\nTest Study Group",
            doi="https://doi.org/10.5555/Form.1",
            pmid="PMID: 12345",
        ),
    )
    assert response.status_code == 302, errors_of(response)
    reference = Reference.objects.get(title="Test reference from the form")
    assert reference.authors == [
        {"family": "Tester", "given": "Ann"},
        {"family": "Example", "given": "Bo B"},
        {"literal": "Test Study Group"},
    ]
    assert reference.doi == "10.5555/Form.1"
    assert reference.pmid == "12345"
    assert reference.is_complete


def test_authors_round_trip_through_the_textarea():
    authors = [
        {"family": "Tester", "given": "Ann"},
        {"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"},
        {"family": "Solo"},
        {"literal": "Test Consortium"},
    ]
    reference = make_reference(authors=authors)
    client = login(make_writer())
    page = client.get(change_url(reference))
    text = page.context["adminform"].form["authors"].value()
    shown = page.context["adminform"].form.fields["authors"].prepare_value(text)
    assert shown.splitlines() == ["Tester, Ann", "van Gogh, Vincent", "Solo,", "Test Consortium"]
    data = reference_form_data(title=reference.title, authors=shown, doi=reference.doi)
    response = client.post(change_url(reference), data)
    assert response.status_code == 302, errors_of(response)
    reference.refresh_from_db()
    assert reference.authors == authors  # the particle survives an unchanged line


def test_name_lines_parse_and_print():
    assert parse_name_line("Smith, Jane A") == {"family": "Smith", "given": "Jane A"}
    assert parse_name_line("Smith,") == {"family": "Smith"}
    assert parse_name_line("World Health Organization") == {"literal": "World Health Organization"}
    assert name_line({"family": "Smith", "given": "Jane", "suffix": "Jr"}) == "Smith, Jane, Jr"


def test_bad_doi_is_refused_with_an_example():
    response = login(make_writer()).post(
        reverse(ADD_URL), reference_form_data(doi="doi.org/nonsense")
    )
    assert response.status_code == 200
    [message] = errors_of(response)["doi"]
    assert "is not a DOI" in message
    assert "10.1056/NEJMoa1911303" in message
    assert not Reference.objects.exists()


def test_duplicate_doi_names_the_reference_that_holds_it():
    existing = make_reference(title="The reference already held", doi="10.5555/held.1")
    response = login(make_writer()).post(
        reverse(ADD_URL), reference_form_data(doi="https://doi.org/10.5555/HELD.1")
    )
    assert response.status_code == 200
    [message] = errors_of(response)["doi"]
    assert f"“{existing.short_citation}” already has this DOI" in message
    assert str(existing.pk) not in message
    assert Reference.objects.count() == 1


def test_bad_pmid_is_refused():
    response = login(make_writer()).post(reverse(ADD_URL), reference_form_data(pmid="123456789"))
    [message] = errors_of(response)["pmid"]
    assert "is not a PubMed ID" in message
    assert not Reference.objects.exists()


def test_duplicate_pmid_names_the_reference_that_holds_it():
    existing = make_reference(title="Held by PMID", pmid="31535829")
    response = login(make_writer()).post(reverse(ADD_URL), reference_form_data(pmid="31535829"))
    [message] = errors_of(response)["pmid"]
    assert f"“{existing.short_citation}” already has this PubMed ID" in message


def test_bad_pmcid_is_refused():
    response = login(make_writer()).post(reverse(ADD_URL), reference_form_data(pmcid="12345"))
    assert "is not a PubMed Central ID" in errors_of(response)["pmcid"][0]


def test_editing_a_reference_keeps_its_own_doi():
    reference = make_reference(doi="10.5555/own.1")
    response = login(make_writer()).post(
        change_url(reference),
        reference_form_data(title="Renamed test reference", doi="10.5555/OWN.1"),
    )
    assert response.status_code == 302, errors_of(response)
    reference.refresh_from_db()
    assert reference.title == "Renamed test reference"


def test_marking_retracted_needs_the_notice_doi():
    reference = make_reference()
    client = login(make_clinician())
    data = reference_form_data(title=reference.title, doi=reference.doi, retracted="on")
    response = client.post(change_url(reference), data)
    assert "Give the DOI of the retraction notice" in errors_of(response)["retraction_doi"][0]
    assert not Reference.objects.get(pk=reference.pk).retracted
    response = client.post(change_url(reference), data | {"retraction_doi": "10.5555/notice.1"})
    assert response.status_code == 302, errors_of(response)
    reference.refresh_from_db()
    assert reference.retracted
    assert reference.retraction_doi == "10.5555/notice.1"


def test_change_page_shows_the_formatted_citation_and_what_is_missing():
    complete = make_reference(title="Formatted test reference")
    html = login(make_writer()).get(change_url(complete)).content.decode()
    assert "Formatted test reference" in html
    assert '<a href="https://doi.org/10.5555/' in html  # citeproc output with its DOI link
    incomplete = make_reference(title="Only a title", complete=False)
    html = login(make_writer()).get(change_url(incomplete)).content.decode()
    assert "Missing: authors, journal, year, volume, pages, DOI, PMID or URL" in html


def test_list_shows_completeness_and_filters_retracted():
    make_reference(title="Whole test work")
    make_reference(title="Partial test work", complete=False)
    make_reference(title="Withdrawn test work", retracted=True, retraction_doi="10.5555/r.1")
    client = login(make_writer())
    url = reverse("admin:citations_reference_changelist")
    html = client.get(url).content.decode()
    assert "Missing: authors" in html
    assert "Complete" in html
    listed = client.get(url, {"retracted__exact": "1"}).context["cl"].result_list
    assert [r.title for r in listed] == ["Withdrawn test work"]


def test_citation_autocomplete_searches_the_library():
    make_reference(title="Searchable test work")
    make_reference(title="Other test work")
    response = login(make_writer()).get(
        reverse("admin:autocomplete"),
        {
            "app_label": "citations",
            "model_name": "citation",
            "field_name": "reference",
            "term": "Searchable",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [
        "Tester 2024, J Tests: Searchable test work"
    ]


@pytest.mark.parametrize(
    ("date", "field", "message"),
    [
        ({"year": 2020, "month": 13}, "month", "The date month 13 is not a month (1 to 12)."),
        ({"year": 2020, "month": 1, "day": 45}, "day", "The date day 45 is not a day of January"),
        ({"year": "", "month": 3}, "year", "The date has a month or day but no year."),
    ],
)
def test_impossible_dates_are_form_errors_on_their_field(date, field, message):
    client = login(make_writer())
    response = client.post(reverse(ADD_URL), reference_form_data(**date))
    assert response.status_code == 200
    assert errors_of(response)[field][0].startswith(message)
    assert not Reference.objects.exists()


def test_full_clean_refuses_authors_that_are_not_names():
    reference = Reference(title="A", authors="Smith, Jane")
    with pytest.raises(ValidationError) as caught:
        reference.full_clean()
    assert caught.value.message_dict["authors"] == [
        'Authors: must be a list of names such as [{"family": "Smith", "given": "Jane"}], not text.'
    ]
