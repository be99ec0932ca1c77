"""Trust on the page (issue 12): contributor pages, the public change log and corrections,
the certainty of evidence, the about pages, "Cite this page", and which topic name an
answer page shows after a rename (issue 8, item 6). Test data only."""

import json
import re
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format

from answers.checklist import WARNING, review_checklist
from answers.models import Answer, PublishedAnswer, SitePage, WorkflowError
from answers.public.cite import page_citation
from citations.formatting import format_reference
from tests.factories import (
    answer_url,
    approval,
    approve,
    login,
    make_answer,
    make_clinician,
    make_editor,
    make_topic,
    make_writer,
    publish_answer,
    save_answer,
)
from tests.helpers import Elements

pytestmark = pytest.mark.django_db


def republish(answer, *, clinician=None, **approval):
    """A writer edits the published answer, resubmits it, and a clinician approves it again."""
    writer = answer.writers.first()
    answer.lead = answer.lead + " Test: a revised sentence [1]."
    answer.save()
    answer.note_edit(by=writer)
    answer.submit(by=writer)
    answer.approve(
        by=clinician or make_clinician(),
        shown_hash=answer.content_hash(),
        password="pw",
        sources_checked=True,
        wording_safe=True,
        **approval,
    )
    return PublishedAnswer.objects.get(answer=answer)


def json_ld(html):
    return [json.loads(script) for script in Elements(html).scripts]


# ---------------------------------------------------------------- the change log


def test_first_approval_is_logged_as_first_published():
    answer = publish_answer()
    [entry] = answer.publication.data["changes"]
    assert entry["summary"] == "First published"
    assert entry["correction"] is False
    assert entry["reviewer"]["name"] == answer.signoffs.get().reviewer.contributor.display_name


def test_republication_requires_a_summary_of_what_changed():
    answer = publish_answer()
    with pytest.raises(WorkflowError, match="Say in one line what changed"):
        republish(answer, change_summary="  ")
    answer.refresh_from_db()
    assert answer.status == Answer.Status.IN_REVIEW  # refused, nothing published
    assert answer.signoffs.count() == 1


def test_a_correction_is_flagged_in_the_change_log_on_the_page_and_in_the_feed(client):
    answer = publish_answer(question="Is the correction a test?")
    publication = republish(answer, change_summary="Test: fixed a dose.", is_correction=True)
    changes = publication.data["changes"]
    assert [(c["summary"], c["correction"]) for c in changes] == [
        ("Test: fixed a dose.", True),
        ("First published", False),
    ]
    html = client.get(answer.get_absolute_url()).content.decode()
    assert '<strong class="correction-flag">Correction.</strong> Test: fixed a dose.' in html
    assert html.count('<li class="change-log__correction">') == 1
    page = next(d for d in json_ld(html) if d["@type"] == "MedicalWebPage")
    assert page["dateModified"] == publication.approved_at.isoformat()
    assert page["datePublished"] == publication.first_published_at.isoformat()
    assert publication.approved_at > publication.first_published_at

    feed = ElementTree.fromstring(client.get("/feed/").content)
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    [entry] = feed.findall("atom:entry", ns)
    assert entry.find("atom:title", ns).text == "Correction: Is the correction a test?"
    assert entry.find("atom:summary", ns).text.startswith("Correction: Test: fixed a dose.")
    assert "Correction" in [c.get("term") for c in entry.findall("atom:category", ns)]


def test_a_first_publication_cannot_be_a_correction():
    writer = make_writer()
    answer = make_answer(writers=[writer])
    answer.submit(by=writer)
    with pytest.raises(WorkflowError, match="nothing to correct"):
        approve(answer, make_clinician(), is_correction=True)
    assert not PublishedAnswer.objects.exists()


# ---------------------------------------------------------------- certainty of evidence


def test_certainty_is_required_for_submission():
    writer = make_writer()
    answer = make_answer(writers=[writer], certainty="", certainty_reason="")
    with pytest.raises(WorkflowError, match="certainty of the evidence is not set"):
        answer.submit(by=writer)
    answer.certainty = Answer.Certainty.LOW
    answer.save()
    with pytest.raises(WorkflowError, match="why the evidence has this certainty"):
        answer.submit(by=writer)


def test_certainty_is_part_of_the_signed_off_content():
    answer = make_answer()
    before = answer.content_hash()
    answer.certainty = Answer.Certainty.HIGH
    assert answer.content_hash() != before
    answer.certainty = Answer.Certainty.MODERATE
    answer.certainty_reason = "Test: another reason."
    assert answer.content_hash() != before


def test_readers_see_the_certainty_in_plain_words_near_the_top(client):
    answer = publish_answer(certainty="low", certainty_reason="Test: only two small studies.")
    html = client.get(answer.get_absolute_url()).content.decode()
    assert "Low certainty of evidence." in html
    assert "further research is likely to change it" in html
    assert "Why: Test: only two small studies." in html
    assert html.index("How sure is this answer?") < html.index('class="answer-body"')


def test_the_clinician_can_change_the_certainty_at_approval():
    writer, clinician = make_writer(), make_clinician()
    answer = make_answer(writers=[writer], certainty="high", certainty_reason="Test: writer's.")
    answer.submit(by=writer)
    with pytest.raises(WorkflowError, match="why the evidence has this certainty"):
        approve(answer, clinician, certainty="low")
    signoff = approve(
        answer, clinician, certainty="low", certainty_reason="Test: the clinician's reason."
    )
    answer.refresh_from_db()
    assert (answer.certainty, answer.certainty_reason) == ("low", "Test: the clinician's reason.")
    assert signoff.content_hash == answer.content_hash() == answer.publication.content_hash
    assert signoff.revision.user == clinician
    assert answer.publication.data["certainty"]["level"] == "low"
    assert not answer.differs_from_publication


def test_approve_form_posts_certainty_change_summary_and_correction(client):
    answer = publish_answer()
    writer = answer.writers.first()
    answer.lead += " Test: more [1]."
    answer.save()
    answer.note_edit(by=writer)
    answer.submit(by=writer)
    clinician = make_clinician()
    data = {**approval(answer), "change_summary": "", "is_correction": "on"}
    response = login(clinician).post(answer_url("approve", answer), data, follow=True)
    assert "Say in one line what changed" in response.content.decode()
    data |= {
        "change_summary": "Test: corrected.",
        "certainty": "very_low",
        "certainty_reason": "Test: reason.",
    }
    login(clinician).post(answer_url("approve", answer), data)
    publication = PublishedAnswer.objects.get(answer=answer)
    assert publication.data["changes"][0]["summary"] == "Test: corrected."
    assert publication.data["changes"][0]["correction"] is True
    assert publication.data["certainty"]["label"] == "Very low"


NOT_GRADED_REASON = "Test: nobody has graded the evidence behind this test answer."


def test_not_yet_graded_is_a_choice_submission_accepts_with_a_warning():
    writer = make_writer()
    answer = make_answer(writers=[writer], certainty="not_graded", certainty_reason="")
    with pytest.raises(WorkflowError, match="why the evidence has this certainty"):
        answer.submit(by=writer)
    answer.certainty_reason = NOT_GRADED_REASON
    answer.save()
    checklist = review_checklist(answer)
    assert checklist.is_clear
    [warning] = [item for item in checklist.items if "not yet graded" in item.message]
    assert warning.level == WARNING
    answer.submit(by=writer)
    assert answer.status == Answer.Status.IN_REVIEW


def test_an_empty_certainty_names_not_yet_graded_as_a_choice():
    answer = make_answer(certainty="", certainty_reason="")
    [message] = [m for m in review_checklist(answer).blocking_submission() if "certainty" in m]
    assert "“Not yet graded” if nobody has graded the evidence" in message


def test_the_database_accepts_not_yet_graded_and_refuses_a_made_up_level():
    answer = make_answer()
    Answer.objects.filter(pk=answer.pk).update(certainty="not_graded")
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.filter(pk=answer.pk).update(certainty="probably_fine")
    answer.certainty = "probably_fine"
    with pytest.raises(ValidationError, match="not a valid choice"):
        answer.full_clean()


def test_readers_are_told_plainly_the_evidence_is_not_graded_marked_incomplete(client):
    answer = publish_answer(certainty="not_graded", certainty_reason=NOT_GRADED_REASON)
    html = client.get(answer.get_absolute_url()).content.decode()
    [section] = re.findall(
        r'<section class="certainty certainty--incomplete".*?</section>', html, re.S
    )
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    assert text == (
        "How sure is this answer? Incomplete: not yet graded. The certainty of the evidence "
        f"behind this answer has not been graded yet. Why: {NOT_GRADED_REASON}"
    )
    for level in ("High", "Moderate", "Low", "Very low"):
        assert f"{level} certainty" not in html
    # Structured data states no certainty, graded or not.
    for data in json_ld(html):
        flat = json.dumps(data).lower()
        assert "certainty" not in flat and "grade" not in flat
    statement = answer.publication.data["certainty"]
    assert (statement["level"], statement["graded"]) == ("not_graded", False)


def test_a_clinician_may_confirm_or_choose_not_yet_graded_at_approval(client):
    writer, clinician = make_writer(), make_clinician()
    answer = make_answer(writers=[writer], certainty="low", certainty_reason="Test: writer's.")
    answer.submit(by=writer)
    data = {**approval(answer), "certainty": "not_graded", "certainty_reason": NOT_GRADED_REASON}
    login(clinician).post(answer_url("approve", answer), data)
    answer.refresh_from_db()
    assert (answer.certainty, answer.certainty_reason) == ("not_graded", NOT_GRADED_REASON)
    assert answer.publication.data["certainty"]["label"] == "Not yet graded"
    assert answer.publication.content_hash == answer.content_hash()


def test_the_approve_form_offers_not_yet_graded():
    writer = make_writer()
    answer = make_answer(writers=[writer])
    answer.submit(by=writer)
    html = login(make_clinician()).get(answer_url("approve", answer)).content.decode()
    assert '<option value="not_graded">Not yet graded</option>' in html


def test_a_writer_chooses_not_yet_graded_on_the_answer_page():
    writer = make_writer()
    answer = make_answer(writers=[writer], certainty="", certainty_reason="")
    client = login(writer)
    page = client.get(answer_url("change", answer)).content.decode()
    assert '<option value="not_graded">Not yet graded</option>' in page
    save_answer(client, answer, certainty="not_graded", certainty_reason=NOT_GRADED_REASON)
    answer.refresh_from_db()
    assert (answer.certainty, answer.certainty_reason) == ("not_graded", NOT_GRADED_REASON)
    response = save_answer(client, answer, certainty="probably_fine")
    assert "Select a valid choice" in response.content.decode()
    answer.refresh_from_db()
    assert answer.certainty == "not_graded"


# ---------------------------------------------------------------- contributor pages


def test_contributor_page_lists_live_answers_and_declared_interests(client):
    writer = make_writer(display_name="Wendy Writer")
    clinician = make_clinician(display_name="Carl Clinician")
    contributor = clinician.contributor
    contributor.bio = "Test bio."
    contributor.orcid = "0000-0002-1825-0097"
    contributor.role_title = "Test consultant"
    contributor.save()
    publish_answer(question="Is the live one a test?", writer=writer, clinician=clinician)
    gone = publish_answer(question="Is the withdrawn one a test?", writer=writer)
    gone.withdraw(by=make_editor(), reason="Test reason.")

    html = client.get("/contributors/carl-clinician/").content.decode()
    assert '<h1 id="contributor-name">Carl Clinician, MD</h1>' in html
    assert "Test consultant" in html and "Test bio." in html
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in html
    assert "No declaration on file" in html  # never invented
    assert "Is the live one a test?" in html
    data = json_ld(html)[0]
    assert data["@type"] == "ProfilePage"
    assert data["mainEntity"]["sameAs"] == "https://orcid.org/0000-0002-1825-0097"
    assert data["mainEntity"]["name"] == "Carl Clinician"

    writer.contributor.conflicts_of_interest = "None declared"
    writer.contributor.save()
    html = client.get("/contributors/wendy-writer/").content.decode()
    assert "None declared" in html and "No declaration on file" not in html
    assert "Is the live one a test?" in html
    assert "Is the withdrawn one a test?" not in html


def test_contributor_page_lists_are_paged_and_read_a_fixed_number_of_rows(
    client, settings, monkeypatch, django_assert_max_num_queries
):
    settings.PAGE_CACHE = False
    monkeypatch.setattr("answers.public.views.CONTRIBUTOR_PAGE_SIZE", 2)
    writer = make_writer(display_name="Pat Paged")
    clinician = make_clinician(display_name="Rita Reviewer")
    for letter in "ABC":
        publish_answer(question=f"Is {letter} a paged test?", writer=writer, clinician=clinician)

    # Both lists' sizes are counted in one query over the live answers.
    with django_assert_max_num_queries(8):
        first = client.get("/contributors/pat-paged/").content.decode()
    assert "Is A a paged test?" in first and "Is B a paged test?" in first
    assert "Is C a paged test?" not in first
    assert "Page 1 of 2" in first and 'href="?written=2"' in first
    second = client.get("/contributors/pat-paged/?written=2").content.decode()
    assert "Is C a paged test?" in second and "Is A a paged test?" not in second
    assert 'rel="prev" href="/contributors/pat-paged/"' in second

    # Each list is paged on its own: a link keeps the other list's page.
    html = client.get("/contributors/rita-reviewer/?reviewed=2").content.decode()
    assert "Is C a paged test?" in html and "Is A a paged test?" not in html
    assert "Pages of answers medically reviewed" in html
    assert "Pages of answers written" not in html  # she wrote none
    assert 'rel="prev" href="/contributors/rita-reviewer/"' in html
    kept = client.get("/contributors/rita-reviewer/?written=1&reviewed=2").content.decode()
    assert 'rel="prev" href="?written=1"' in kept
    # Out-of-range page numbers show the last page, as on topic pages.
    assert (
        "Is C a paged test?" in client.get("/contributors/pat-paged/?written=99").content.decode()
    )


def test_contributor_without_a_live_answer_has_no_page(client):
    writer = make_writer(display_name="Nora Nobody")
    make_answer(writers=[writer])  # a draft only
    assert client.get("/contributors/nora-nobody/").status_code == 404
    assert client.get("/contributors/no-such-person/").status_code == 404


def test_contributor_slugs_are_unique_and_made_from_the_name():
    first = make_writer(display_name="Sam Same")
    second = make_writer(display_name="Sam Same")
    assert first.contributor.slug == "sam-same"
    assert second.contributor.slug == "sam-same-2"


def test_a_former_address_stays_with_its_person():
    """Bylines approved before an address change link to the old address: nobody else may
    take it, by the name-made address, the admin form or the shell."""
    moved = make_writer(display_name="Mo Moved").contributor
    moved.slug = "mo-moved-elsewhere"
    moved.save()
    assert list(moved.former_slugs.values_list("slug", flat=True)) == ["mo-moved"]
    newcomer = make_writer(display_name="Mo Moved").contributor
    assert newcomer.slug == "mo-moved-2"
    newcomer.slug = "mo-moved"
    with pytest.raises(ValidationError, match="another contributor's page address"):
        newcomer.full_clean()
    with pytest.raises(ValidationError, match="another contributor's page address"):
        newcomer.save()
    # Its own person may take it back; it is then no longer a former address.
    moved.slug = "mo-moved"
    moved.save()
    assert list(moved.former_slugs.values_list("slug", flat=True)) == ["mo-moved-elsewhere"]


# ---------------------------------------------------------------- about pages


def test_about_pages_show_only_what_the_editors_published(client):
    assert "has not published these pages yet" in client.get("/about/").content.decode()
    page = SitePage.objects.create(
        slug="editorial-policy", title="Editorial policy", body="Test *policy*."
    )
    assert client.get("/about/editorial-policy/").status_code == 404
    page.is_published = True
    page.body = "Test <script>alert(1)</script> *policy*."
    page.save()
    html = client.get("/about/editorial-policy/").content.decode()
    assert "<em>policy</em>" in html and "<script>alert" not in html
    assert json_ld(html)[0]["publisher"]["@type"] == "Organization"
    assert 'href="/about/editorial-policy/"' in client.get("/about/").content.decode()
    assert page.history.count() == 2  # every version kept, with who made it
    # Every page's footer links to them.
    assert 'href="/about/">About us and editorial policy</a>' in client.get("/").content.decode()


def test_publisher_in_json_ld_comes_from_settings(client, settings):
    settings.PUBLISHER_NAME = "Test Publisher Ltd"
    settings.PUBLISHER_URL = "https://publisher.example.org/"
    answer = publish_answer()
    html = client.get(answer.get_absolute_url()).content.decode()
    publisher = json_ld(html)[0]["publisher"]
    assert publisher["@type"] == "Organization"
    assert publisher["name"] == "Test Publisher Ltd"
    assert publisher["url"] == "https://publisher.example.org/"


def test_editors_manage_about_pages_and_writers_do_not(client):
    assert login(make_editor()).get("/admin/answers/sitepage/add/").status_code == 200
    assert login(make_writer()).get("/admin/answers/sitepage/add/").status_code == 403


# ---------------------------------------------------------------- cite this page


def test_cite_this_page_is_citeprocs_ama_webpage_citation(client, settings):
    writer = make_writer(display_name="Wendy Writer")
    answer = publish_answer(question="Is the citation a test?", writer=writer)
    publication = answer.publication
    html = client.get(answer.get_absolute_url()).content.decode()
    today = timezone.localdate()
    record = {
        "id": "expected",
        "type": "webpage",
        "title": "Is the citation a test?",
        "container-title": settings.SITE_NAME,
        "publisher": settings.PUBLISHER_NAME,
        "author": [{"literal": "Wendy Writer"}],
        "issued": {"date-parts": [[*timezone.localdate(publication.approved_at).timetuple()[:3]]]},
        "accessed": {"date-parts": [[today.year, today.month, today.day]]},
        "URL": settings.SITE_URL + publication.get_absolute_url(),
    }
    expected = format_reference(record, style="american-medical-association")
    assert page_citation(publication) == expected
    assert f'<p class="cite-box__text" id="page-citation">{expected}</p>' in html
    assert expected.startswith("Wendy Writer. Is the citation a test?")
    assert f"Accessed {date_format(today, 'F j, Y')}" in expected
    assert '<script src="/static/js/cite.js" defer></script>' in html


# ---------------------------------------------------------------- topic rename (issue 8.6)


def test_a_topic_rename_reaches_an_answer_page_only_with_its_next_approval(client):
    topic = make_topic(name="Testology")
    answer = publish_answer(question="Is the rename a test?", topic=topic)
    topic.name = "Renamed testology"
    topic.save()

    # The answer page, its JSON-LD and the API keep the approved name, with the disclaimer.
    html = client.get(answer.get_absolute_url()).content.decode()
    assert "Renamed testology" not in html
    assert "about Testology" in html  # the disclaimer, as approved
    page = json_ld(html)[0]
    assert page["about"]["name"] == "Testology"
    assert page["breadcrumb"]["itemListElement"][1]["name"] == "Testology"
    detail = client.get(f"/api/answers/{answer.question.slug}/").json()
    assert detail["topic"]["name"] == "Testology"
    assert "Testology" in detail["disclaimer"]
    listed = client.get("/api/answers/").json()["results"][0]
    assert listed["topic"]["name"] == "Testology"
    # The topic's own listing shows its current name.
    assert "<h1>Renamed testology</h1>" in client.get(topic.get_absolute_url()).content.decode()

    # The rename changed the content a clinician signs off: approved again, the page follows.
    answer.refresh_from_db()
    assert answer.differs_from_publication
    republish(answer, change_summary="Test: the topic was renamed.")
    html = client.get(answer.get_absolute_url()).content.decode()
    assert "about Renamed testology" in html
    assert json_ld(html)[0]["about"]["name"] == "Renamed testology"
