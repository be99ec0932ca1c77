"""The Crossref and NCBI clients against a local server answering as the services do."""

import json
import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from werkzeug import Response

from citations.sources import crossref, http, ncbi
from tests.citations.fake_services import (
    MEHRA,
    WAKEFIELD,
    cart_csl,
    crossref_from_ris,
    crossref_wakefield,
    pubmed_from_csl,
    sglt2_ris,
)

DAPA_HF = "10.1056/NEJMoa1911303"
WORKS = re.compile(r"^/works/")


def test_crossref_work_maps_to_csl_fields(services):
    services.add_work(crossref_from_ris(sglt2_ris()[0]))
    item = crossref.to_csl(crossref.fetch_work("https://doi.org/10.1056/nejmoa1911303"))
    assert item == {
        "type": "article-journal",
        "DOI": DAPA_HF,
        "title": "Dapagliflozin in patients with heart failure and reduced ejection fraction",
        "author": [
            {"family": "McMurray", "given": "John J V"},
            {"family": "Solomon", "given": "Scott D"},
            {"family": "Inzucchi", "given": "Silvio E"},
            {"family": "Køber", "given": "Lars"},
            {"family": "Kosiborod", "given": "Mikhail N"},
            {"family": "Martinez", "given": "Felipe A"},
            {"family": "Ponikowski", "given": "Piotr"},
        ],
        "container-title": "New England Journal of Medicine",
        "container-title-short": "N Engl J Med",
        "issued": {"date-parts": [[2019]]},
        "volume": "381",
        "issue": "21",
        "page": "1995-2008",
    }


def test_a_field_crossref_leaves_out_stays_out(services):
    message = crossref_from_ris(sglt2_ris()[0])
    del message["page"], message["author"], message["issued"]
    services.add_work(message)
    item = crossref.to_csl(crossref.fetch_work(DAPA_HF))
    assert "page" not in item and "author" not in item and "issued" not in item


def test_crossref_update_notices(services):
    services.add_work(crossref_wakefield())
    notices = crossref.notices(crossref.fetch_work(WAKEFIELD["DOI"]))
    assert notices == [
        {
            "kind": "retraction",
            "doi": "10.1016/S0140-6736(10)60175-4",
            "date": "2010-02",
            "source": "Crossref (retraction-watch)",
        }
    ]


def test_crossref_404_is_not_found(services):
    with pytest.raises(
        http.NotFound, match="Crossref has no record of the DOI 10.1056/NEJMoa1911303"
    ):
        crossref.fetch_work(DAPA_HF)


def test_429_waits_for_retry_after_then_succeeds(services, httpserver):
    services.add_work(crossref_from_ris(sglt2_ris()[0]))
    calls = []

    def limited(request):
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Response("Too Many Requests", status=429, headers={"Retry-After": "1"})
        return services._work(request)

    httpserver.clear()
    httpserver.expect_request(WORKS).respond_with_handler(limited)
    assert crossref.fetch_work(DAPA_HF)["DOI"] == DAPA_HF
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.9


def test_retry_after_as_http_date_is_capped():
    later = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    assert http.retry_after_seconds(later, cap=30) == 30
    assert http.retry_after_seconds("5", cap=30) == 5
    assert http.retry_after_seconds("soon", cap=30) is None


def test_500_is_retried_then_reported_unreachable(services, httpserver):
    httpserver.clear()
    calls = []

    def failing(request):
        calls.append(1)
        return Response("Internal Server Error", status=500)

    httpserver.expect_request(WORKS).respond_with_handler(failing)
    with pytest.raises(http.Unreachable, match="HTTP 500 after 3 attempts; nothing was saved"):
        crossref.fetch_work(DAPA_HF)
    assert len(calls) == 3


def test_a_slow_service_times_out(services, httpserver, settings):
    settings.SOURCE_TIMEOUT = 0.2
    settings.SOURCE_RETRIES = 0
    httpserver.clear()

    def slow(request):
        time.sleep(0.5)
        return Response("{}", content_type="application/json")

    httpserver.expect_request(WORKS).respond_with_handler(slow)
    with pytest.raises(http.Unreachable, match="did not answer within 0.2 seconds"):
        crossref.fetch_work(DAPA_HF)


def test_malformed_json_is_refused(services, httpserver):
    httpserver.clear()
    httpserver.expect_request(WORKS).respond_with_data(
        '{"status": "ok", "message-type": "work", "message": {', content_type="application/json"
    )
    with pytest.raises(http.Malformed, match="not valid JSON"):
        crossref.fetch_work(DAPA_HF)


def test_an_answer_of_the_wrong_shape_is_refused(services, httpserver):
    httpserver.clear()
    body = {"status": "ok", "message-type": "work-list", "message": {"items": []}}
    httpserver.expect_request(WORKS).respond_with_data(
        json.dumps(body), content_type="application/json"
    )
    with pytest.raises(http.Malformed, match="not a work record"):
        crossref.fetch_work(DAPA_HF)


def test_successful_lookups_are_cached(services):
    services.add_work(crossref_from_ris(sglt2_ris()[0]))
    crossref.fetch_work(DAPA_HF)
    crossref.fetch_work(DAPA_HF.upper())
    assert len([path for path in services.requests if path.startswith("/works/")]) == 1


def test_failures_are_not_cached(services):
    with pytest.raises(http.NotFound):
        crossref.fetch_work(DAPA_HF)
    services.add_work(crossref_from_ris(sglt2_ris()[0]))
    assert crossref.fetch_work(DAPA_HF)["DOI"] == DAPA_HF


def test_pubmed_record_maps_to_csl_fields(services):
    schett = cart_csl()[0]
    services.pubmed[schett["PMID"]] = pubmed_from_csl(schett)
    record = ncbi.fetch_article("PMID: 37748491")
    assert record["notices"] == []
    assert record["csl"] == {
        "type": "article-journal",
        "PMID": "37748491",
        "title": "CAR T-cell therapy in autoimmune diseases",
        "author": [
            {"family": "Schett", "given": "Georg"},
            {"family": "Mackensen", "given": "Andreas"},
            {"family": "Mougiakakos", "given": "Dimitrios"},
        ],
        "container-title": "The Lancet",
        "container-title-short": "Lancet",
        "volume": "402",
        "issue": "10416",
        "page": "2034-2044",
        "issued": {"date-parts": [[2023, 11, 25]]},
        "DOI": "10.1016/S0140-6736(23)01126-1",
        "genre": "Review",
    }


def test_pubmed_notices_retraction_concern_and_erratum(services):
    services.pubmed[MEHRA["PMID"]] = MEHRA
    notices = ncbi.fetch_article(MEHRA["PMID"])["notices"]
    assert [(n["kind"], n["doi"], n["pmid"]) for n in notices] == [
        ("correction", "10.1016/S0140-6736(20)31249-6", "32485145"),
        ("concern", "10.1016/S0140-6736(20)31290-3", "32504543"),
        ("retraction", "10.1016/S0140-6736(20)31324-6", "32511943"),
    ]


def test_unknown_pmid_is_not_found(services):
    with pytest.raises(http.NotFound, match="PubMed has no record with PMID 1"):
        ncbi.fetch_article("1")


def test_pubmed_xml_that_is_not_xml_is_refused(services, httpserver):
    httpserver.clear()
    httpserver.expect_request("/eutils/efetch.fcgi").respond_with_data(
        "<PubmedArticleSet><PubmedArticle>", content_type="text/xml"
    )
    with pytest.raises(http.Malformed, match="not valid XML"):
        ncbi.fetch_article("9500320")


def test_ncbi_requests_carry_the_api_key_and_keep_the_rate(services, settings):
    services.pubmed[MEHRA["PMID"]] = MEHRA
    settings.NCBI_API_KEY = ""
    start = time.monotonic()
    for pmid in ("1", "2", "3", "4"):
        with pytest.raises(http.NotFound):
            ncbi.fetch_article(pmid)
    assert time.monotonic() - start >= 0.9  # 3 a second without a key
    settings.NCBI_API_KEY = "test-key"
    ncbi.fetch_article(MEHRA["PMID"])
    assert "api_key=test-key" in services.requests[-1]


def test_doi_to_pmid_and_pmc_id_converter(services):
    services.add_work(crossref_from_ris(sglt2_ris()[0]), pmid="31535829")
    assert ncbi.pmid_for_doi(DAPA_HF) == "31535829"
    konitsioti = cart_csl()[2]
    services.pmc["PMC11446985"] = {"pmcid": "PMC11446985", "doi": konitsioti["DOI"]}
    assert ncbi.convert_pmcid("pmc11446985") == {"pmid": "", "doi": konitsioti["DOI"]}
    with pytest.raises(http.NotFound, match="PubMed Central has no article PMC1"):
        ncbi.convert_pmcid("PMC1")


@pytest.mark.parametrize("body", ["[]", '{"status": "error"}', '{"status": "ok", "records": {}}'])
def test_an_id_converter_answer_without_records_is_refused(services, httpserver, body):
    httpserver.clear()
    httpserver.expect_request("/idconv/").respond_with_data(body, content_type="application/json")
    with pytest.raises(http.Malformed, match="has no records"):
        ncbi.convert_pmcid("PMC11446985")
