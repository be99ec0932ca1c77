"""Looking up a DOI or PubMed ID from the desk's cite dialog, a new answer's too: nothing
saved until the writer confirms; then the work's library id waits in the form."""

import pytest
from django.urls import reverse

from citations.models import Citation, Reference
from tests.citations.fake_services import SGLT2_DOIS
from tests.factories import login, make_clinician, make_writer

pytestmark = pytest.mark.django_db

URL = "admin:answers_answer_desk_lookup"


def test_a_lookup_saves_nothing_and_a_confirmed_one_adds_the_work_only(services):
    services.add_sglt2()
    client = login(make_writer())
    [found] = client.post(reverse(URL), {"identifiers": SGLT2_DOIS[0]}).json()["results"]
    assert found["status"] == "new" and found["work"] is None
    assert found["short"] == "McMurray 2019, N Engl J Med"
    assert not Reference.objects.exists()

    [added] = client.post(reverse(URL), {"identifiers": SGLT2_DOIS[0], "confirm": "1"}).json()[
        "results"
    ]
    reference = Reference.objects.get()
    assert added["status"] == "added"
    assert added["message"] == "Added to the library as McMurray 2019, N Engl J Med."
    assert added["work"]["id"] == str(reference.pk)
    assert added["work"]["short"] == "McMurray 2019, N Engl J Med"
    # Cited only when the answer is saved, with the work's id in its citation row.
    assert not Citation.objects.exists()

    [again] = client.post(reverse(URL), {"identifiers": SGLT2_DOIS[0]}).json()["results"]
    assert again["status"] == "matched"
    assert (
        again["message"] == "Already in the library as McMurray 2019, N Engl J Med: nothing to add."
    )


def test_an_outage_is_told_neutrally_with_the_form_to_fill_by_hand(services):
    services.crossref_down = True
    client = login(make_writer())
    [result] = client.post(reverse(URL), {"identifiers": SGLT2_DOIS[0], "confirm": "1"}).json()[
        "results"
    ]
    assert result["status"] == "unanswered"
    assert result["message"] == "Crossref did not answer; try again, or add the details by hand."
    assert result["handEntry"] == (
        reverse("admin:citations_reference_add") + "?doi=10.1056%2FNEJMoa1911303"
    )
    assert not Reference.objects.exists()


def test_only_those_who_write_answers_look_up_and_only_with_the_csrf_token(services):
    services.add_sglt2()
    assert login(make_clinician()).post(reverse(URL), {"identifiers": "x"}).status_code == 403
    client = login(make_writer())
    client.handler.enforce_csrf_checks = True
    assert client.post(reverse(URL), {"identifiers": SGLT2_DOIS[0]}).status_code == 403
    assert client.get(reverse(URL)).status_code == 405
    empty = login(make_writer()).post(reverse(URL), {"identifiers": ""})
    assert empty.status_code == 400 and empty.json()["error"] == "This field is required."
