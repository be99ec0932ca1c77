"""/sitemap.xml: an index of paginated sitemaps listing live answers with their last review,
and topics with live answers; queries constant in the number of answers."""

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest

from answers.models import PublishedAnswer
from answers.public import sitemaps
from tests.factories import publish_answer

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://answers.example.org"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_url")]


def sitemap_locations(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}sitemapindex"
    return [entry.find(f"{SITEMAP}loc").text for entry in root.iter(f"{SITEMAP}sitemap")]


def sitemap_entries(client):
    """Every address of every sitemap the index names, with its lastmod."""
    entries = {}
    for location in sitemap_locations(client):
        assert location.startswith(BASE + "/sitemap-")
        parts = urlsplit(location)
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        assert response.status_code == 200
        for url in ET.fromstring(response.content).iter(f"{SITEMAP}url"):
            entries[url.find(f"{SITEMAP}loc").text] = url.find(f"{SITEMAP}lastmod").text
    return entries


def test_sitemap_lists_live_answers_with_last_reviewed(client, published_states):
    edited, withdrawn = published_states
    live = publish_answer(question="Is the live answer in the sitemap?")
    entries = sitemap_entries(client)
    for answer in (edited, live):
        publication = PublishedAnswer.objects.get(answer=answer)
        assert (
            entries[BASE + answer.get_absolute_url()] == publication.approved_at.date().isoformat()
        )
    assert BASE + withdrawn.get_absolute_url() not in entries
    assert not any("draft-test" in loc or "in-review" in loc for loc in entries)
    topic_urls = {loc for loc in entries if "/topics/" in loc}
    assert topic_urls == {
        BASE + edited.question.topic.get_absolute_url(),
        BASE + live.question.topic.get_absolute_url(),
    }


def test_sitemaps_are_paginated_with_constant_queries(
    client, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(sitemaps.SiteUrlSitemap, "limit", 2)
    answers = [publish_answer(question=f"Is paged sitemap answer {n} listed?") for n in range(5)]
    # +1 on each: the public generation and the next scheduled change (the page cache).
    with django_assert_max_num_queries(5):
        locations = sitemap_locations(client)
    assert locations.count(f"{BASE}/sitemap-answers.xml") == 1
    assert f"{BASE}/sitemap-answers.xml?p=3" in locations
    assert f"{BASE}/sitemap-answers.xml?p=4" not in locations
    with django_assert_max_num_queries(3):
        page = client.get("/sitemap-answers.xml?p=3")
    assert len(list(ET.fromstring(page.content).iter(f"{SITEMAP}url"))) == 1
    entries = sitemap_entries(client)
    assert all(BASE + answer.get_absolute_url() in entries for answer in answers)
    assert client.get("/sitemap-answers.xml?p=4").status_code == 404
