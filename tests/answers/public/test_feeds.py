"""The Atom feed: live answers only, newest approval first, summaries as text."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from answers.models import PublishedAnswer
from tests.factories import approve, make_clinician, publish_answer

ATOM = "{http://www.w3.org/2005/Atom}"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_url")]


def test_feed_lists_live_answers_newest_approval_first(client, published_states):
    edited, withdrawn = published_states
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
    approve(first, make_clinician(), change_summary="Test: re-reviewed.")
    root = ET.fromstring(client.get("/feed/").content)
    titles = [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]
    assert titles[0] == "Was this test answer re-reviewed?"


def test_feed_is_advertised_on_every_page(client):
    html = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html
