"""/sitemap.xml: an index of paginated sitemaps listing live answers with their last review,
topics with live answers, the contributor pages that exist and the published about pages;
queries constant in the number of answers."""

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest

from answers.models import PublishedAnswer, SitePage
from answers.public import sitemaps
from tests.factories import make_answer, make_editor, make_writer, publish_answer

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
    """Every address of every sitemap the index names, with its lastmod (None if none)."""
    entries = {}
    for location in sitemap_locations(client):
        assert location.startswith(BASE + "/sitemap-")
        parts = urlsplit(location)
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        assert response.status_code == 200
        for url in ET.fromstring(response.content).iter(f"{SITEMAP}url"):
            entries[url.find(f"{SITEMAP}loc").text] = url.findtext(f"{SITEMAP}lastmod")
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
    # The index counts each sitemap's pages and reads its newest lastmod (contributors have
    # none, the glossary one; the translations' two; the topics in other languages one per
    # language while none has a live translation, read once; the translated contributors'
    # one); +1: the public generation and the next scheduled change (the page cache).
    with django_assert_max_num_queries(13):
        locations = sitemap_locations(client)
    assert locations.count(f"{BASE}/sitemap-answers.xml") == 1
    assert f"{BASE}/sitemap-answers.xml?p=3" in locations
    assert f"{BASE}/sitemap-answers.xml?p=4" not in locations
    # +1: the page's answers' live translations (their hreflang alternates), one query.
    with django_assert_max_num_queries(4):
        page = client.get("/sitemap-answers.xml?p=3")
    assert len(list(ET.fromstring(page.content).iter(f"{SITEMAP}url"))) == 1
    entries = sitemap_entries(client)
    assert all(BASE + answer.get_absolute_url() in entries for answer in answers)
    assert client.get("/sitemap-answers.xml?p=4").status_code == 404


def test_contributor_pages_that_exist_are_listed_without_a_date(client):
    writer = make_writer(display_name="Wendy Sitemap")
    publish_answer(question="Is the sitemap contributor test live?", writer=writer)
    draft_only = make_writer(display_name="Dora Draft")
    make_answer(question="Is the draft writer in the sitemap?", writers=[draft_only])
    gone_writer = make_writer(display_name="Walter Withdrawn")
    gone = publish_answer(question="Is the withdrawn writer in the sitemap?", writer=gone_writer)
    gone.withdraw(by=make_editor(), reason="Test withdrawal")

    entries = sitemap_entries(client)
    contributors = {loc: lastmod for loc, lastmod in entries.items() if "/contributors/" in loc}
    reviewers = {
        publication.signoff.reviewer.contributor.slug
        for publication in PublishedAnswer.objects.live().select_related("signoff__reviewer")
    }
    assert contributors == {
        f"{BASE}/contributors/{slug}/": None for slug in {"wendy-sitemap", *reviewers}
    }
    # Each of them is a page, and the others are not.
    for location in contributors:
        assert client.get(urlsplit(location).path).status_code == 200
    assert client.get("/contributors/dora-draft/").status_code == 404
    assert client.get("/contributors/walter-withdrawn/").status_code == 404


def test_published_about_pages_and_their_list_are_listed(client):
    assert not [loc for loc in sitemap_entries(client) if "/about/" in loc]
    SitePage.objects.create(slug="draft-policy", title="Draft policy", body="Test: unpublished.")
    assert not [loc for loc in sitemap_entries(client) if "/about/" in loc]

    page = SitePage.objects.create(
        slug="editorial-policy", title="Editorial policy", body="Test.", is_published=True
    )
    about = {loc: mod for loc, mod in sitemap_entries(client).items() if "/about/" in loc}
    assert about == {
        f"{BASE}/about/": page.updated_at.date().isoformat(),
        f"{BASE}/about/editorial-policy/": page.updated_at.date().isoformat(),
    }
    for location in about:
        assert client.get(urlsplit(location).path).status_code == 200
