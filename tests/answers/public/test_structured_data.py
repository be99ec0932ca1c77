"""What search engines read on an answer page: JSON-LD, meta description, canonical and
Open Graph tags, all from the approved snapshot."""

import json

import pytest
from django.utils import timezone

from answers.public.structured_data import ld_json_script, meta_description
from tests.factories import (
    large_sections,
    make_clinician,
    make_reference,
    make_writer,
    publish_answer,
)
from tests.helpers import Elements

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_url")]


def structured_data(client, answer):
    elements = Elements(client.get(answer.get_absolute_url()).content.decode())
    assert len(elements.scripts) == 1
    return json.loads(elements.scripts[0])


def head_tags(client, answer):
    elements = Elements(client.get(answer.get_absolute_url()).content.decode())
    meta = {}
    for tag, attrs in elements.tags:
        if tag == "meta" and ("name" in attrs or "property" in attrs):
            meta[attrs.get("name") or attrs["property"]] = attrs["content"]
    canonical = [attrs["href"] for tag, attrs in elements.tags if attrs.get("rel") == "canonical"]
    return meta, canonical


def test_json_ld_describes_the_medical_web_page(client):
    writer = make_writer(display_name="Wendy Writer")
    clinician = make_clinician(display_name="Carl Clinician", credentials="MD, PhD")
    references = {
        "1": make_reference(pmid="90000001"),
        "2": make_reference(),
        "3": make_reference(doi=None, pmid="90000003"),
    }
    answer = publish_answer(
        question="Does the test page have structured data?",
        lead="Yes, it does [1].",
        sections=(
            ("What the tests say", "prose", "Two tests [2] agree [3]."),
            ("What to ask your doctor", "questions", "- Is it valid?"),
        ),
        references=references,
        writer=writer,
        clinician=clinician,
    )
    publication = answer.publication
    url = "https://answers.example.org/questions/does-the-test-page-have-structured-data/"
    data = structured_data(client, answer)

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["url"] == url
    assert data["name"] == "Does the test page have structured data?"
    assert data["about"]["name"] == answer.question.topic.name
    assert data["lastReviewed"] == timezone.localdate(publication.approved_at).isoformat()
    assert data["reviewedBy"] == {
        "@type": "Person",
        "name": "Carl Clinician",
        "honorificSuffix": "MD, PhD",
        "url": "https://answers.example.org/contributors/carl-clinician/",
    }
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Wendy Writer",
            "url": "https://answers.example.org/contributors/wendy-writer/",
        }
    ]
    assert data["datePublished"] == publication.first_published_at.isoformat()
    assert data["dateModified"] == publication.approved_at.isoformat()
    assert data["audience"]["audienceType"] == "Patient"
    assert data["mainEntity"]["@type"] == "Question"
    assert data["mainEntity"]["acceptedAnswer"] == {
        "@type": "Answer",
        "text": "Yes, it does.",
        "url": url,
    }

    citations = data["citation"]
    assert len(citations) == 3
    assert all(c["@type"] == "ScholarlyArticle" for c in citations)
    first = citations[0]
    assert first["name"] == references["1"].title
    assert first["author"] == [{"@type": "Person", "name": "Ann Tester"}]
    assert first["isPartOf"] == {"@type": "Periodical", "name": "Journal of Tests"}
    assert first["datePublished"] == "2024"
    assert first["sameAs"] == f"https://doi.org/{references['1'].doi}"
    assert first["identifier"] == [
        {"@type": "PropertyValue", "propertyID": "DOI", "value": references["1"].doi},
        {"@type": "PropertyValue", "propertyID": "PMID", "value": "90000001"},
    ]
    assert citations[2]["identifier"] == [
        {"@type": "PropertyValue", "propertyID": "PMID", "value": "90000003"}
    ]
    assert "sameAs" not in citations[2]

    crumbs = data["breadcrumb"]["itemListElement"]
    assert [c["position"] for c in crumbs] == [1, 2, 3]
    assert [c["name"] for c in crumbs] == ["Home", answer.question.topic.name, data["name"]]
    assert crumbs[0]["item"] == "https://answers.example.org/"
    assert crumbs[2]["item"] == url


def test_json_ld_lists_every_citation_of_a_long_answer(client):

    answer = publish_answer(lead="Long [1].", sections=large_sections(sections=10, citations=25))
    data = structured_data(client, answer)
    numbers = [r["number"] for r in answer.publication.data["references"]]
    assert numbers == list(range(1, 26))
    assert [c["name"] for c in data["citation"]] == [
        r["csl"]["title"] for r in answer.publication.data["references"]
    ]


def test_json_ld_escapes_what_could_close_the_script():
    html = ld_json_script({"name": "</script><script>alert(1)</script> & <!--"})
    assert html.count("<script") == 1 and html.count("</script>") == 1
    assert "\\u003C/script\\u003E" in html and "\\u0026" in html
    payload = html.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert json.loads(payload) == {"name": "</script><script>alert(1)</script> & <!--"}


def test_meta_description_canonical_and_open_graph(client):
    lead = "A test lead that goes on. " * 12 + "[1]."
    answer = publish_answer(question="Does the test page describe itself?", lead=lead)
    meta, canonical = head_tags(client, answer)
    url = "https://answers.example.org/questions/does-the-test-page-describe-itself/"
    assert canonical == [url]
    description = meta["description"]
    assert len(description) <= 160
    assert description.startswith("A test lead that goes on.")
    assert description.endswith("…")
    assert meta["og:title"] == "Does the test page describe itself?"
    assert meta["og:description"] == description
    assert meta["og:url"] == url
    assert meta["og:type"] == "article"


def test_meta_description_is_whole_when_short():
    assert meta_description("Short   test\nlead.") == "Short test lead."
    long = meta_description("word " * 100)
    assert len(long) <= 160 and long.endswith("…")
