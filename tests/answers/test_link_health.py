"""Link health against a real local web server answering 200, 301, 404, 500 and never: the
real HTTP client, real timeouts, the real task worker for the writers' notifications."""

import socket
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from werkzeug import Response

from answers.link_health import check_links, is_checked
from answers.models import LinkStatus, OutboundLink
from notifications.models import Notification, NotificationKind
from tests.factories import login, make_editor, make_reference, make_writer, published

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def link_settings(settings, groups):
    settings.LINK_CHECK_ALLOW_PRIVATE = True
    settings.LINK_CHECK_TIMEOUT = 0.5
    settings.LINK_CHECK_RETRIES = 1
    settings.LINK_CHECK_HOST_INTERVAL = 0
    settings.LINK_CHECK_MAX_REDIRECTS = 3
    return settings


@pytest.fixture
def site(httpserver):
    """200, a 301 to it, 404, 500, a redirect loop, and a page that refuses HEAD."""
    httpserver.expect_request("/ok").respond_with_data("fine")
    httpserver.expect_request("/moved").respond_with_response(
        Response(status=301, headers={"Location": "/ok"})
    )
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    httpserver.expect_request("/error").respond_with_data("oops", status=500)
    httpserver.expect_request("/loop").respond_with_response(
        Response(status=302, headers={"Location": "/loop"})
    )
    httpserver.expect_request("/no-head", method="HEAD").respond_with_data("", status=405)
    httpserver.expect_request("/no-head", method="GET").respond_with_data("fine")
    return httpserver


def answer_linking(*urls, writer=None, question=None):
    links = " ".join(f"[link {n}]({url})" for n, url in enumerate(urls, start=1))
    answer, writer, _ = published(
        writer=writer,
        question=question or "Does this test answer link out?",
        lead=f"Test: see {links} [1].",
    )
    return answer, writer


def test_each_answer_of_the_server_is_recorded(link_settings, site, never):
    answer, _ = answer_linking(
        site.url_for("/ok"),
        site.url_for("/moved"),
        site.url_for("/gone"),
        site.url_for("/error"),
        site.url_for("/loop"),
        site.url_for("/no-head"),
        never,
    )
    report = check_links()
    assert report.checked == 7
    state = {link.url.rsplit("/", 1)[1]: link for link in OutboundLink.objects.all()}
    assert state["ok"].status == LinkStatus.OK
    assert state["no-head"].status == LinkStatus.OK  # HEAD refused, GET answered
    assert state["moved"].status == LinkStatus.REDIRECTED
    assert state["moved"].final_url == site.url_for("/ok")
    assert (state["gone"].status, state["gone"].http_status) == (LinkStatus.BROKEN, 404)
    assert (state["error"].status, state["error"].http_status) == (LinkStatus.BROKEN, 500)
    assert "more than 3 redirects" in state["loop"].error
    assert state["never"].status == LinkStatus.BROKEN
    assert "timed out" in state["never"].error
    assert all(list(link.answers.all()) == [answer] for link in state.values())


def test_a_references_web_address_is_checked_and_doi_and_pubmed_are_left_to_the_watch(
    link_settings, site
):
    work = make_reference(title="Test reference with a web page", url=site.url_for("/gone"))
    published(question="Does this answer cite a web page?", references={"1": work})
    check_links()
    link = OutboundLink.objects.get()
    assert link.status == LinkStatus.BROKEN and list(link.references.all()) == [work]
    assert not is_checked("https://doi.org/10.1000/xyz")
    assert not is_checked("https://pubmed.ncbi.nlm.nih.gov/123/")
    assert not is_checked("mailto:someone@example.org")


def test_local_addresses_are_refused_unless_allowed(link_settings, site):
    link_settings.LINK_CHECK_ALLOW_PRIVATE = False
    answer_linking(site.url_for("/ok"))
    check_links()
    link = OutboundLink.objects.get()
    assert link.status == LinkStatus.BROKEN
    assert "not a public internet address" in link.error
    assert len(site.log) == 0  # nothing was fetched


def test_a_name_that_turns_private_after_the_check_is_never_connected_to(
    link_settings, site, monkeypatch
):
    """DNS rebinding: the name resolves to a public address when first asked, then to this
    machine. The address is checked when the connection is made, and only that one is used."""
    link_settings.LINK_CHECK_ALLOW_PRIVATE = False
    real_getaddrinfo = socket.getaddrinfo
    asked = []

    def rebinding(host, port, *args, **kwargs):
        if host != "rebinding.example":
            return real_getaddrinfo(host, port, *args, **kwargs)
        asked.append(host)
        address = "93.184.215.14" if len(asked) == 1 else "127.0.0.1"
        return real_getaddrinfo(address, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    answer_linking(site.url_for("/ok").replace("localhost", "rebinding.example"))
    check_links()
    # The first connection went to the public address it was given (unreachable from
    # here); the retry's lookup said this machine, and was refused before connecting.
    link = OutboundLink.objects.get()
    assert link.status == LinkStatus.BROKEN
    assert "not a public internet address" in link.error
    assert len(site.log) == 0


def test_the_writers_are_told_once_when_a_link_breaks(link_settings, site, run_worker, groups):
    writer = make_writer()
    answer, _ = answer_linking(site.url_for("/gone"), writer=writer)
    run_worker()  # the approval's link check finds it broken and tells the writer
    call_command("check_links", stdout=StringIO())  # still broken: nobody is told again
    run_worker()
    told = Notification.objects.filter(kind=NotificationKind.LINK_BROKEN)
    assert [n.recipient for n in told] == [writer]
    assert site.url_for("/gone") in told.get().text
    assert told.get().answer == answer


def test_approval_checks_that_answers_links(link_settings, site, run_worker, groups):
    answer_linking(site.url_for("/gone"))
    assert not OutboundLink.objects.exists()
    run_worker()
    assert OutboundLink.objects.get().status == LinkStatus.BROKEN


def test_check_links_prints_the_broken_links_with_their_answers(link_settings, site):
    answer_linking(site.url_for("/gone"), question="Does this answer have a broken link?")
    out = StringIO()
    call_command("check_links", stdout=out)
    printed = out.getvalue()
    assert f"Broken: {site.url_for('/gone')} (HTTP 404)" in printed
    assert "in “Does this answer have a broken link?”" in printed
    assert "1 links checked: 1 broken, 0 redirected." in printed


def test_the_report_lists_broken_links_for_editors_only(link_settings, site, groups):
    answer_linking(site.url_for("/gone"), question="Is this answer in the link report?")
    check_links()
    url = "/admin/answers/outboundlink/?state=attention"
    page = login(make_editor()).get(url)
    assert page.status_code == 200
    assert "Is this answer in the link report?" in page.content.decode()
    assert login(make_writer()).get(url).status_code == 403
    assert Client().get(url).status_code == 302
