"""/sitemap.xml: live answers with their last review, and topics with live answers."""

import xml.etree.ElementTree as ET

import pytest

from answers.models import PublishedAnswer
from tests.factories import publish_answer

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_url")]


def test_sitemap_lists_live_answers_with_last_reviewed(client, published_states):
    edited, withdrawn = published_states
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
