"""Public pages cache whole: headers for shared caches, the in-app page cache, and the purges
every change sends (to a local server answering as Varnish does)."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from werkzeug import Response

from answers.models import Contributor, PublishedAnswer, SitePage
from answers.public.caching import purge_answer
from tests.factories import (
    approve,
    approve_new_english,
    login,
    make_editor,
    make_topic,
    make_writer,
    publish_answer,
)

pytestmark = pytest.mark.django_db

CACHE_CONTROL = (
    "public, max-age=60, s-maxage=86400, stale-while-revalidate=30, stale-if-error=86400"
)


@pytest.fixture(autouse=True)
def policy(settings):
    settings.PUBLIC_CACHE_MAX_AGE = 60
    settings.PUBLIC_CACHE_S_MAXAGE = 86400
    settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE = 30
    settings.PUBLIC_CACHE_STALE_IF_ERROR = 86400


@pytest.fixture
def answer():
    return publish_answer(question="Is the cached test answer fresh?")


def public_urls(answer):
    slug = answer.question.slug
    return [
        reverse("home"),
        reverse("topics"),
        answer.question.topic.get_absolute_url(),
        answer.get_absolute_url(),
        reverse("search") + "?q=cached",
        reverse("feed"),
        reverse("sitemap"),
        reverse("api_answer_list"),
        reverse("api_answer_detail", args=[slug]),
        reverse("api_openapi"),
        reverse("robots_txt"),
    ]


def test_anonymous_public_pages_are_cacheable_by_anyone(answer):
    for url in public_urls(answer):
        for method in ("get", "head"):
            response = getattr(Client(), method)(url)
            assert response.status_code == 200, url
            assert not response.cookies, url
            assert "cookie" not in response.get("Vary", "").lower(), url
            # Search pages are counted, so only the in-app cache keeps them (count_search).
            counted = url.startswith(reverse("search"))
            expected = "private, max-age=0" if counted else CACHE_CONTROL
            assert response["Cache-Control"] == expected, url
            assert re.fullmatch(r'"[0-9a-f]+"', response["ETag"]), url
            assert "all" in response["xkey"].split(), url


def test_surrogate_keys_name_the_answer_its_topic_and_the_listings(answer):
    client = Client()
    topic_id = answer.question.topic_id
    # "glossary": a definition signed off or taken down may change any answer page.
    assert client.get(answer.get_absolute_url())["xkey"] == f"answer-{answer.pk} glossary all"
    topic_page = client.get(answer.question.topic.get_absolute_url())
    assert topic_page["xkey"] == f"topic-{topic_id} all"
    for name in ("home", "feed", "sitemap", "api_answer_list"):
        assert client.get(reverse(name))["xkey"] == "listing all", name
    # The address of an answer not yet published: publishing purges "listing".
    missing = client.get("/questions/not-published-yet/")
    assert missing.status_code == 404
    assert missing["xkey"] == "listing all"


def test_conditional_requests_get_304(answer):
    client = Client()
    url = answer.get_absolute_url()
    first = client.get(url)
    assert first["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
    since = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_repeat_request_is_served_from_the_page_cache_with_one_query(
    answer, django_assert_num_queries
):
    url = answer.get_absolute_url()
    first = Client().get(url)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(1):  # the public generation
        again = Client().get(url)
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]


def test_browsers_revalidate_by_default(answer, settings):
    """A withdrawal must reach readers' browsers too, which no purge reaches: by default
    they keep nothing without asking, and never show a stale page while the site answers
    (stale-if-error: only a cache facing a failing site may show its last copy)."""
    import qa_cms.settings as defaults

    settings.PUBLIC_CACHE_MAX_AGE = defaults.PUBLIC_CACHE_MAX_AGE
    settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE = defaults.PUBLIC_CACHE_STALE_WHILE_REVALIDATE
    settings.PUBLIC_CACHE_STALE_IF_ERROR = defaults.PUBLIC_CACHE_STALE_IF_ERROR
    response = Client().get(answer.get_absolute_url())
    assert response["Cache-Control"] == ("public, max-age=0, s-maxage=86400, stale-if-error=86400")


def test_the_page_cache_can_be_turned_off(answer, settings):
    settings.PAGE_CACHE = False
    Client().get(answer.get_absolute_url())
    response = Client().get(answer.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert response["Cache-Control"] == CACHE_CONTROL


def test_staff_always_get_a_fresh_private_page(answer):
    Client().get(answer.get_absolute_url())  # now cached for readers
    staff = Client()
    staff.force_login(make_editor())
    response = staff.get(answer.get_absolute_url())
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "X-Page-Cache" not in response and "xkey" not in response


def test_withdrawal_answers_410_on_the_very_next_request(answer):
    client = Client()
    url = answer.get_absolute_url()
    api_url = reverse("api_answer_detail", args=[answer.question.slug])
    assert client.get(url).status_code == 200
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert client.get(api_url).status_code == 200
    home = client.get(reverse("home"))
    assert answer.question.text in home.text

    answer.withdraw(by=make_editor(), reason="Cache test withdrawal")

    assert client.get(url).status_code == 410
    assert client.get(api_url).status_code == 410
    assert answer.question.text not in client.get(reverse("home")).text


def test_a_new_approval_is_on_the_very_next_request(answer):
    client = Client()
    url = answer.get_absolute_url()
    client.get(url)
    assert "Re-approved lead" not in client.get(url).text
    writer = answer.writers.first()
    answer.lead = "Re-approved lead for the cache test [1]."
    answer.save()
    answer.note_edit(by=writer)
    answer.submit(by=writer)
    assert "Re-approved lead" not in client.get(url).text  # the approved version still
    approve(answer, answer.signoffs.first().reviewer, change_summary="Test: re-reviewed.")
    assert "Re-approved lead" in client.get(url).text


def test_a_topic_change_is_on_the_very_next_request(answer):
    client = Client()
    topic = answer.question.topic
    client.get(topic.get_absolute_url())
    client.get(answer.get_absolute_url())
    topic.name = "Renamed cache topic"
    topic.save()
    assert "Renamed cache topic" in client.get(topic.get_absolute_url()).text
    # The answer page keeps the topic name its clinician approved until its next approval
    # (test_trust.py); its link to the topic, the current address, is fresh all the same.
    assert topic.get_absolute_url() in client.get(answer.get_absolute_url()).text


def test_purge_answer_serves_changes_made_without_save(answer):
    """For code that updates rows in bulk (or pages that change at a set time)."""
    client = Client()
    url = answer.get_absolute_url()
    client.get(url)
    PublishedAnswer.objects.filter(answer=answer).update(question="Updated in bulk?")
    assert "Updated in bulk?" not in client.get(url).text
    purge_answer(PublishedAnswer.objects.get(answer=answer))
    assert "Updated in bulk?" in client.get(url).text


# ---------------------------------------------------------------- contributor and about pages


@pytest.fixture
def contributor_page(answer):
    """The clinician's page, cached for readers."""
    contributor = answer.signoffs.get().reviewer.contributor
    url = contributor.get_absolute_url()
    assert Client().get(url)["X-Page-Cache"] == "miss"
    assert Client().get(url)["X-Page-Cache"] == "hit"
    return contributor, url


def test_contributor_pages_are_cached_under_their_key_and_the_listings(contributor_page):
    contributor, url = contributor_page
    response = Client().get(url)
    assert response["xkey"] == f"contributor-{contributor.pk} listing all"
    assert response["Cache-Control"] == CACHE_CONTROL


def test_a_profile_edited_in_the_admin_is_on_the_very_next_request(contributor_page):
    contributor, url = contributor_page
    data = {
        "user": contributor.user_id,
        "display_name": contributor.display_name,
        "slug": contributor.slug,
        "credentials": contributor.credentials,
        "role_title": "Test consultant in cache freshness",
        "bio": "Test bio, edited in the admin.",
        "orcid": "",
        "conflicts_of_interest": "Test: none declared.",
    }
    change = reverse("admin:answers_contributor_change", args=[contributor.pk])
    response = login(make_editor()).post(change, data)
    assert response.status_code == 302, response.content.decode()[:500]
    page = Client().get(url)
    assert page["X-Page-Cache"] == "miss"
    for text in data["role_title"], data["bio"], data["conflicts_of_interest"]:
        assert text in page.text


def test_a_profile_changed_in_the_shell_is_on_the_very_next_request(contributor_page):
    contributor, url = contributor_page
    contributor.credentials = "MD PhD"
    contributor.save()
    assert f"{contributor.display_name}, MD PhD" in Client().get(url).text


def test_a_new_address_moves_the_page_on_the_very_next_request(contributor_page):
    contributor, old_url = contributor_page
    contributor.slug = "moved-test-clinician"
    contributor.save()
    # Bylines approved before the change keep the old address: it leads to the new one.
    moved = Client().get(old_url)
    assert (moved.status_code, moved["Location"]) == (301, "/contributors/moved-test-clinician/")
    assert Client().get("/contributors/moved-test-clinician/").status_code == 200


def test_a_writer_named_on_the_draft_is_listed_only_once_approved(answer):
    """The contributor page follows the approved byline, not the draft's writers."""
    other = publish_answer(question="Is the other cached test answer live?")
    writer = other.writers.get()
    url = writer.contributor.get_absolute_url()
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    answer.writers.add(writer)
    assert answer.question.text not in Client().get(url).text
    answer.lead = "Yes, and now with a second writer [1]."
    answer.save()
    answer.note_edit(by=writer)
    answer.submit(by=writer)
    approve(
        answer, answer.publication.signoff.reviewer, change_summary="Test: a second writer named."
    )
    assert answer.question.text in Client().get(url).text


def test_an_approval_naming_them_is_on_the_very_next_request(contributor_page):
    contributor, url = contributor_page
    publish_answer(question="Is the second cached test answer listed?", clinician=contributor.user)
    assert "Is the second cached test answer listed?" in Client().get(url).text


def test_about_pages_are_cached_and_an_edit_is_on_the_very_next_request():
    page = SitePage.objects.create(
        slug="editorial-policy", title="Editorial policy", body="Test: first.", is_published=True
    )
    for url in ("/about/", "/about/editorial-policy/"):
        assert Client().get(url)["X-Page-Cache"] == "miss"
        cached = Client().get(url)
        assert cached["X-Page-Cache"] == "hit"
        assert cached["xkey"] == "about all"
    page.title = "Test: editorial policy, edited"
    page.body = "Test: second."
    page.save()
    assert "Test: editorial policy, edited" in Client().get("/about/").text
    assert "Test: second." in Client().get("/about/editorial-policy/").text
    page.is_published = False
    page.save()
    assert Client().get("/about/editorial-policy/").status_code == 404
    assert "Test: editorial policy, edited" not in Client().get("/about/").text


# ------------------------------------------------------------ purges sent to the edge


@pytest.fixture
def varnish(httpserver, settings):
    """A local server answering PURGE as deploy/varnish/default.vcl does."""
    settings.PURGE_BACKENDS = {
        "varnish": {"BACKEND": "ops.purge.VarnishXkeyBackend", "URL": httpserver.url_for("/")},
        "cdn": {"BACKEND": "ops.purge.URLPurgeBackend", "ENDPOINT": httpserver.url_for("/cdn")},
    }
    settings.PURGE_REPEAT_SECONDS = 0
    settings.PURGE_BACKOFF = 0
    settings.SITE_URL = "https://answers.example.org"
    from ops.purge import _backend

    _backend.cache_clear()
    httpserver.expect_request("/", method="PURGE").respond_with_data("Purged 3 objects")
    httpserver.expect_request(re.compile("^/cdn/"), method="PURGE").respond_with_data("ok")
    yield httpserver
    _backend.cache_clear()


def purges(httpserver):
    sent = [(request.path, request.headers) for request, _ in httpserver.log]
    keys = [set(h["xkey-purge"].split()) for path, h in sent if path == "/"]
    urls = {(h["Host"], path.removeprefix("/cdn")) for path, h in sent if path != "/"}
    return keys, urls


@pytest.mark.django_db(transaction=True)
def test_approve_and_withdraw_purge_their_pages_after_commit(groups, varnish, run_worker):
    topic = make_topic(name="Purge test topic")
    run_worker()
    assert purges(varnish)[0] == [{f"topic-{topic.pk}", "listing"}]  # a new topic
    varnish.clear_log()
    answer = publish_answer(question="Is the purged test answer gone?", topic=topic)
    run_worker()
    keys, urls = purges(varnish)
    expected = {f"answer-{answer.pk}", f"topic-{topic.pk}", "listing"}
    assert keys == [expected]
    host = "answers.example.org"
    assert {
        (host, answer.get_absolute_url()),
        (host, topic.get_absolute_url()),
        (host, "/"),
        (host, "/feed/"),
        (host, "/sitemap.xml"),
        (host, f"/api/answers/{answer.question.slug}/"),
    } <= urls

    varnish.clear_log()
    answer.withdraw(by=make_editor(), reason="Purge test")
    run_worker()
    assert purges(varnish)[0] == [expected]


@pytest.mark.django_db(transaction=True)
def test_a_profile_edit_purges_its_page_and_a_move_the_listings_too(groups, varnish, run_worker):
    answer = publish_answer(question="Is the purged contributor test answer live?")
    contributor = answer.signoffs.get().reviewer.contributor
    run_worker()
    varnish.clear_log()
    contributor.bio = "Test bio, edited."
    contributor.save()
    run_worker()
    host = "answers.example.org"
    assert purges(varnish) == (
        [{f"contributor-{contributor.pk}"}],
        {
            (host, contributor.get_absolute_url()),
            (host, f"/es/contributors/{contributor.slug}/"),  # their page for Spanish readers
        },
    )

    varnish.clear_log()
    old_url = contributor.get_absolute_url()
    contributor.slug = "purged-moved-clinician"
    contributor.save()
    run_worker()
    keys, urls = purges(varnish)
    assert keys == [{f"contributor-{contributor.pk}", "listing"}]
    assert {(host, old_url), (host, "/contributors/purged-moved-clinician/")} <= urls
    assert (host, "/sitemap.xml") in urls

    # Profiles come and go: a page, and the sitemap, only for someone named on a live answer.
    varnish.clear_log()
    user, deleted_pk = contributor.user, contributor.pk
    contributor.delete()
    make_writer()  # a new profile, named on nothing: no page, nothing to purge
    run_worker()
    assert purges(varnish)[0] == [{f"contributor-{deleted_pk}", "listing"}]
    varnish.clear_log()
    again = Contributor.objects.create(user=user, display_name="Test Clinician Again")
    run_worker()
    assert purges(varnish)[0] == [{f"contributor-{again.pk}", "listing"}]


@pytest.mark.django_db(transaction=True)
def test_a_failed_purge_is_retried_and_never_blocks_the_editorial_action(
    groups, httpserver, settings, run_worker
):
    from django_tasks_db.models import DBTaskResult

    from ops.purge import _backend

    settings.PURGE_BACKENDS = {
        "varnish": {"BACKEND": "ops.purge.VarnishXkeyBackend", "URL": httpserver.url_for("/")}
    }
    settings.PURGE_REPEAT_SECONDS = 0
    settings.PURGE_BACKOFF = 0
    _backend.cache_clear()
    answered = []

    def busy_once(request):
        answered.append(request.headers["xkey-purge"])
        return Response("busy", status=503) if len(answered) == 1 else Response("Purged 1")

    httpserver.expect_request("/", method="PURGE").respond_with_handler(busy_once)

    topic = make_topic(name="Retried purge topic")
    answer = publish_answer(question="Is the retried purge sent?", topic=topic)
    assert answer.publication.withdrawn_at is None  # published, whatever the cache said
    run_worker()
    # The topic's purge met a busy Varnish and went again; then the answer's.
    assert answered[0] == f"listing topic-{topic.pk}"
    assert sorted(answered) == sorted(
        [answered[0], answered[0], f"answer-{answer.pk} listing topic-{topic.pk}"]
    )
    purges = DBTaskResult.objects.filter(task_path__startswith="ops.purge")
    assert list(purges.values_list("status", flat=True)) == ["SUCCESSFUL"] * 3
    _backend.cache_clear()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_purges_nothing(groups, varnish, run_worker):
    from django.db import transaction

    answer = publish_answer(question="Is the rolled-back withdrawal purged?")
    run_worker()
    varnish.clear_log()
    with pytest.raises(RuntimeError), transaction.atomic():
        answer.withdraw(by=make_editor(), reason="Rolled back")
        raise RuntimeError
    run_worker()
    assert varnish.log == []
    assert Client().get(answer.get_absolute_url()).status_code == 200


def test_purge_cache_command_after_a_deploy(answer):
    from io import StringIO

    from django.core.management import call_command

    client = Client()
    client.get(answer.get_absolute_url())
    assert client.get(answer.get_absolute_url())["X-Page-Cache"] == "hit"
    out = StringIO()
    call_command("purge_cache", stdout=out)
    assert "Purged all" in out.getvalue()
    assert client.get(answer.get_absolute_url())["X-Page-Cache"] == "miss"


def test_a_304_keeps_the_public_cache_control(answer):
    """The API answers conditional requests itself; its 304 must not say "no-store"."""
    url = reverse("api_answer_detail", args=[answer.question.slug])
    etag = Client().get(url)["ETag"]
    cache.clear()
    from_view = Client().get(url, headers={"If-None-Match": etag})
    assert "X-Page-Cache" not in from_view
    Client().get(url)
    from_cache = Client().get(url, headers={"If-None-Match": etag})
    for response in (from_view, from_cache):
        assert response.status_code == 304
        assert response["Cache-Control"] == CACHE_CONTROL


# ---------------------------------------------------------------- scheduled changes


def test_no_cache_outlives_a_scheduled_go_live_or_take_down():
    """An embargo lifts and a take-down lands at their minute, with no purge and no job:
    every cached page and every shared cache's lifetime stops at the next scheduled change."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from tests.factories import make_answer, make_clinician, make_writer

    writer = make_writer()
    embargoed = make_answer(question="Is the embargoed cached test answer live?", writers=[writer])
    embargoed.submit(by=writer)
    go_live = timezone.now() + timedelta(hours=2)
    approve(embargoed, make_clinician(), go_live_at=go_live)
    home, page = reverse("home"), embargoed.get_absolute_url()
    first = Client().get(home)
    assert first["X-Page-Cache"] == "miss"
    assert "embargoed cached test answer" not in first.content.decode()
    max_age = int(re.search(r"s-maxage=(\d+)", first["Cache-Control"]).group(1))
    assert 7000 < max_age <= 7200  # capped at the go-live, not a day
    assert Client().get(home)["X-Page-Cache"] == "hit"
    assert Client().get(page).status_code == 404

    with time_machine.travel(go_live + timedelta(seconds=1)):
        after = Client().get(home)
        assert after["X-Page-Cache"] == "miss"
        assert "embargoed cached test answer" in after.content.decode()
        assert Client().get(page).status_code == 200

        take_down = timezone.now() + timedelta(hours=1)
        embargoed.reschedule(
            by=make_editor(), take_down_at=take_down, take_down_reason="Test: season over."
        )
        assert Client().get(page).status_code == 200
        assert Client().get(page)["X-Page-Cache"] == "hit"

    with time_machine.travel(take_down + timedelta(seconds=1)):
        assert Client().get(page).status_code == 410


@pytest.mark.django_db(transaction=True)
def test_a_new_english_approval_purges_its_translations_addresses(
    groups, varnish, run_worker, settings
):
    """The out-of-date notice reaches an edge that purges by URL: the English approval names
    the translated page's address, not only the answer's key."""
    from django.utils import translation

    from tests.factories import published_translation

    settings.CONTENT_LANGUAGES = ["es"]
    answer, translated = published_translation()
    run_worker()
    varnish.clear_log()
    approve_new_english(answer)
    run_worker()
    with translation.override("es"):
        spanish = reverse("translated_question", args=[translated.slug])
    assert spanish.startswith("/es/")
    keys, urls = purges(varnish)
    assert f"answer-{answer.pk}" in set().union(*keys)
    assert ("answers.example.org", spanish) in urls
