"""What search engines get: JSON-LD, meta description, canonical and Open Graph tags, the
sitemap, the Atom feed and robots.txt, all holding published content only."""

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from answers.models import PublishedAnswer
from answers.structured_data import ld_json_script, meta_description
from tests.answers.public_factories import publish_answer
from tests.answers.test_public import Elements
from tests.factories import make_answer, make_clinician, make_editor, make_reference, make_writer

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://answers.example.org"


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
    }
    assert data["author"] == [{"@type": "Person", "name": "Wendy Writer"}]
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
    from tests.answers.public_factories import large_sections

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


def _states():
    writer = make_writer()
    make_answer(question="Is the draft in the sitemap?", slug="draft-test", writers=[writer])
    in_review = make_answer(question="Is the in-review answer in the sitemap?", writers=[writer])
    in_review.submit(by=writer)
    withdrawn = publish_answer(question="Is the withdrawn answer in the sitemap?")
    withdrawn.withdraw(by=make_editor(), reason="Test withdrawal")
    edited = publish_answer(question="Is the edited answer in the sitemap?")
    edited.lead = "LEAKED DRAFT LEAD [1]."
    edited.save()
    edited.note_edit(by=edited.writers.first())
    return edited, withdrawn


def test_sitemap_lists_live_answers_with_last_reviewed(client):
    edited, withdrawn = _states()
    live = publish_answer(question="Is the live answer in the sitemap?")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    entries = {
        url.find(f"{SITEMAP}loc").text: url.find(f"{SITEMAP}lastmod").text
        for url in root.iter(f"{SITEMAP}url")
    }
    base = "https://answers.example.org"
    for answer in (edited, live):
        publication = PublishedAnswer.objects.get(answer=answer)
        assert (
            entries[base + answer.get_absolute_url()] == publication.approved_at.date().isoformat()
        )
    assert base + withdrawn.get_absolute_url() not in entries
    assert not any("draft-test" in loc or "in-review" in loc for loc in entries)
    topic_urls = {loc for loc in entries if "/topics/" in loc}
    assert topic_urls == {
        base + edited.question.topic.get_absolute_url(),
        base + live.question.topic.get_absolute_url(),
    }


def test_feed_lists_live_answers_newest_approval_first(client):
    edited, withdrawn = _states()
    older = publish_answer(question="Was the older test answer approved first?")
    PublishedAnswer.objects.filter(answer=older).update(
        approved_at=timezone.now() - dt.timedelta(days=3)
    )
    newest = publish_answer(question="Was the newest test answer approved last?")
    response = client.get("/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert b"LEAKED DRAFT" not in response.content
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert titles == [
        "Was the newest test answer approved last?",
        "Is the edited answer in the sitemap?",
        "Was the older test answer approved first?",
    ]
    first = entries[0]
    publication = PublishedAnswer.objects.get(answer=newest)
    assert first.find(f"{ATOM}link").get("href") == (
        "https://answers.example.org" + newest.get_absolute_url()
    )
    assert dt.datetime.fromisoformat(first.find(f"{ATOM}updated").text) == publication.approved_at
    assert dt.datetime.fromisoformat(first.find(f"{ATOM}published").text) == publication.approved_at
    assert first.find(f"{ATOM}summary").text == publication.data["lead_text"]


def test_feed_summaries_are_text_not_markup(client):
    """An Atom summary of type="html" is HTML once the XML is read: the plain-text lead
    must be escaped for it, or a feed reader would show hostile text as markup."""
    publish_answer(lead='Take less than 10 mg <script>alert("x")</script> & rest [1].')
    root = ET.fromstring(client.get("/feed/").content)
    summary = root.find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type") == "html"
    assert summary.text == (
        "Take less than 10 mg &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; rest."
    )


def test_feed_shows_a_re_reviewed_answer_on_top(client):
    first = publish_answer(question="Was this test answer re-reviewed?")
    publish_answer(question="Was this test answer published later?")
    writer = first.writers.first()
    first.lead = "Re-reviewed test lead [1]."
    first.save()
    first.note_edit(by=writer)
    first.submit(by=writer)
    first.approve(by=make_clinician(), password="pw", sources_checked=True, wording_safe=True)
    root = ET.fromstring(client.get("/feed/").content)
    titles = [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]
    assert titles[0] == "Was this test answer re-reviewed?"


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: https://answers.example.org/sitemap.xml" in lines
    assert "Disallow: /" not in lines


def test_feed_is_advertised_on_every_page(client):
    html = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html
