"""Adding references by identifier: the lookup, the admin page and the command, against
the local Crossref/NCBI stand-in."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from citations.formatting import format_reference
from citations.lookup import look_up, look_up_all, parse_identifier, save_new
from citations.models import Citation, Reference
from tests.citations.fake_services import (
    SGLT2_DOIS,
    cart_csl,
    crossref_from_csl,
    pubmed_from_csl,
    ris_formatted,
)
from tests.factories import make_answer, make_clinician, make_editor, make_writer

pytestmark = pytest.mark.django_db

PAGE = "admin:citations_reference_add_by_identifier"


@pytest.fixture
def sglt2(services):
    """Crossref holds the four SGLT2 references as the RIS file gives them; PubMed knows
    the PMIDs the RIS file gives (AN)."""
    return services.add_sglt2()


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.1056/NEJMoa1911303", ("doi", "10.1056/NEJMoa1911303")),
        ("https://doi.org/10.1056/NEJMoa1911303", ("doi", "10.1056/NEJMoa1911303")),
        ("doi:10.1016/S0140-6736(22)01429-5", ("doi", "10.1016/S0140-6736(22)01429-5")),
        ("31535829", ("pmid", "31535829")),
        ("PMID: 31535829", ("pmid", "31535829")),
        ("https://pubmed.ncbi.nlm.nih.gov/31535829/", ("pmid", "31535829")),
        ("pmc11446985", ("pmcid", "PMC11446985")),
        ("https://pmc.ncbi.nlm.nih.gov/articles/PMC11446985/", ("pmcid", "PMC11446985")),
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC11446985/", ("pmcid", "PMC11446985")),
    ],
)
def test_identifiers_in_every_accepted_spelling(text, expected):
    assert parse_identifier(text) == expected


def test_the_four_sglt2_dois_format_exactly_as_from_the_ris_file(sglt2):
    lookups = save_new(look_up_all("\n".join(SGLT2_DOIS)))
    assert [lookup.status for lookup in lookups] == ["added"] * 4
    expected = ris_formatted()
    for lookup in lookups:
        reference = Reference.objects.get(pk=lookup.reference.pk)
        assert format_reference(reference.to_csl()) == expected[reference.doi.lower()]
    # Cross-filled from PubMed where it has the DOI, and nothing where it does not.
    assert set(Reference.objects.values_list("pmid", flat=True)) == {"31535829", "36041474", None}


def test_a_pmid_gives_the_pubmed_record(services):
    schett = cart_csl()[0]
    services.pubmed[schett["PMID"]] = pubmed_from_csl(schett)
    lookup = look_up("https://pubmed.ncbi.nlm.nih.gov/37748491/")
    assert lookup.status == "new"
    expected = Reference.from_csl(schett)
    assert format_reference(lookup.reference.to_csl()) == format_reference(expected.to_csl())
    assert lookup.reference.publication_type == "Review"


def test_a_pmcid_goes_through_the_id_converter(services):
    konitsioti = cart_csl()[2]
    services.pmc["PMC11446985"] = {"pmcid": "PMC11446985", "doi": konitsioti["DOI"]}
    services.add_work(crossref_from_csl(konitsioti))
    lookup = look_up("PMC11446985")
    assert lookup.status == "new"
    assert lookup.reference.pmcid == "PMC11446985"
    assert lookup.reference.doi == konitsioti["DOI"]
    assert lookup.reference.pmid is None  # the converter gave none: none is invented
    assert format_reference(lookup.reference.to_csl()) == format_reference(
        Reference.from_csl(konitsioti).to_csl()
    )


def test_a_work_already_held_is_matched_not_created(sglt2):
    held = Reference.objects.create(title="Held", doi="10.1056/nejmoa1911303")
    by_pmid = Reference.objects.create(title="Held by PMID", pmid="36041474")
    lookups = save_new(look_up_all("10.1056/NEJMOA1911303\n10.1016/S0140-6736(22)01429-5"))
    assert [(lookup.status, lookup.reference.pk) for lookup in lookups] == [
        ("matched", held.pk),
        ("matched", by_pmid.pk),
    ]
    assert Reference.objects.count() == 2
    # The first was matched without asking Crossref at all.
    assert not any("nejmoa1911303" in path.lower() for path in sglt2.requests)


def test_what_is_not_an_identifier_is_refused_and_saves_nothing(services):
    [lookup] = save_new(look_up_all("not-an-id"))
    assert (lookup.status, lookup.reason) == ("refused", "invalid")
    assert "is not a DOI, PubMed ID or PubMed Central ID" in lookup.message
    assert not Reference.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "10.1056/NEJMoa0000000",
            "Crossref has no record of DOI 10.1056/NEJMoa0000000: check the identifier, or "
            "add the details by hand.",
        ),
        ("99999999", "PubMed has no record of PMID 99999999: check the identifier"),
        ("PMC1", "PubMed Central has no record of PMCID PMC1: check the identifier"),
    ],
)
def test_a_source_without_a_record_says_what_to_do_and_saves_nothing(services, text, message):
    [lookup] = save_new(look_up_all(text))
    assert (lookup.status, lookup.reason) == ("unanswered", "not_found")
    assert message in lookup.message
    assert not Reference.objects.exists()


def test_an_unreachable_service_is_told_in_neutral_words(services, settings):
    settings.CROSSREF_API_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.SOURCE_RETRIES = 0
    [lookup] = save_new(look_up_all(SGLT2_DOIS[0]))
    assert (lookup.status, lookup.reason) == ("unanswered", "unreachable")
    assert lookup.message == "Crossref did not answer; try again, or add the details by hand."
    assert "Error" not in lookup.message and "Refused" not in lookup.message
    assert not Reference.objects.exists()


def test_an_outage_offers_the_hand_entry_form_prefilled_not_a_red_refusal(services):
    services.crossref_down = True
    client = login(make_writer())
    page = client.post(reverse(PAGE), {"identifiers": SGLT2_DOIS[0]}).text
    assert "Crossref did not answer; try again, or add the details by hand." in page
    assert "Refused" not in page and "qa-bad" not in page and "Exception" not in page
    assert "Unavailable" not in page and "HTTP 503" not in page
    hand = reverse("admin:citations_reference_add") + "?doi=10.1056%2FNEJMoa1911303"
    assert f'href="{hand}"' in page
    form = client.get(hand)
    assert form.context["adminform"].form.initial["doi"] == "10.1056/NEJMoa1911303"
    assert 'value="10.1056/NEJMoa1911303"' in form.text


def test_a_partly_described_work_offers_the_form_with_all_that_is_known(services):
    item = {
        "type": "article-journal",
        "DOI": "10.5555/test.partial",
        "title": "Test: a work its source describes only in part",
        "container-title": ["Journal of Tests"],
    }
    services.add_work(
        {
            "DOI": item["DOI"],
            "type": "journal-article",
            "title": [item["title"]],
            "container-title": item["container-title"],
        }
    )
    client = login(make_writer())
    page = client.post(reverse(PAGE), {"identifiers": item["DOI"]})
    [row] = page.context["rows"]
    assert row["lookup"].status == "new"
    initial = client.get(row["hand_entry"]).context["adminform"].form.initial
    assert initial["doi"] == "10.5555/test.partial"
    assert initial["title"] == item["title"]
    assert initial["container_title"] == "Journal of Tests"


def test_admin_page_previews_in_ama_then_saves_on_confirm(sglt2):
    client = login(make_writer())
    changelist = client.get(reverse("admin:citations_reference_changelist"))
    assert reverse(PAGE) in changelist.text
    preview = client.post(reverse(PAGE), {"identifiers": "\n".join(SGLT2_DOIS), "preview": "1"})
    assert preview.status_code == 200
    assert not Reference.objects.exists()
    for formatted in ris_formatted().values():
        assert formatted in preview.text
    assert 'name="confirm"' in preview.text
    done = client.post(reverse(PAGE), {"identifiers": "\n".join(SGLT2_DOIS), "confirm": "1"})
    assert done.status_code == 302
    assert Reference.objects.count() == 4
    again = client.post(reverse(PAGE), {"identifiers": SGLT2_DOIS[0], "preview": "1"})
    assert "Already in the library" in again.text and 'name="confirm"' not in again.text


def test_admin_page_shows_refusals(services):
    response = login(make_editor()).post(
        reverse(PAGE), {"identifiers": "10.1056/NEJMoa0000000\nnonsense", "confirm": "1"}
    )
    assert response.status_code == 200
    assert "Crossref has no record of DOI 10.1056/NEJMoa0000000" in response.text
    assert "‘nonsense’ is not a DOI" in response.text
    assert not Reference.objects.exists()


def test_admin_page_needs_add_reference_permission(services):
    clinician = login(make_clinician())
    assert clinician.get(reverse(PAGE)).status_code == 403
    assert clinician.post(reverse(PAGE), {"identifiers": "31535829"}).status_code == 403
    assert reverse(PAGE) not in clinician.get(reverse("admin:citations_reference_changelist")).text


def test_admin_page_checks_csrf(sglt2):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_writer())
    response = client.post(reverse(PAGE), {"identifiers": SGLT2_DOIS[0], "confirm": "1"})
    assert response.status_code == 403
    assert not Reference.objects.exists()


def test_command_reports_added_matched_and_refused(sglt2):
    Reference.objects.create(title="Held", pmid="31535829")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 identifier refused"):
        call_command(
            "add_references",
            "31535829",
            SGLT2_DOIS[1],
            "10.1056/NEJMoa0000000",
            stdout=out,
            stderr=err,
        )
    assert "31535829: matched “Held” (no author or year): Held" in out.getvalue()
    assert "NEJMoa2022190: added Packer 2020, N Engl J Med: Cardiovascular and renal outcomes" in (
        out.getvalue()
    )
    assert "10.1056/NEJMoa0000000: not added: Crossref has no record" in err.getvalue()


def test_command_cites_the_reference_in_an_answer(sglt2):
    answer = make_answer(references={})
    out = StringIO()
    call_command(
        "add_references",
        SGLT2_DOIS[0],
        "--answer",
        answer.question.slug,
        "--label",
        "1",
        stdout=out,
    )
    citation = Citation.objects.get(answer=answer)
    assert (citation.label, citation.reference.doi) == ("1", "10.1056/NEJMoa1911303")
    assert "cited as [1]" in out.getvalue()
