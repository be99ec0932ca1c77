"""Issue 23's queues in a real browser: the link report lists what a real local server did
(a 404, and a socket that never answers), and an editor works a reader's problem report from
assignment to closing with an outcome. axe-core finds nothing on any of those pages."""

import pytest
from playwright.sync_api import expect

from answers.link_health import check_links
from answers.models import ReaderFeedback
from tests.e2e.helpers import axe_everywhere, describe_violations, log_in
from tests.factories import make_editor, published

pytestmark = pytest.mark.e2e


def assert_no_axe(watch, page, axe_source, where):
    violations = axe_everywhere(watch, page, axe_source)
    assert not violations, f"axe-core on {where}:\n" + describe_violations(violations)


def test_the_link_report_lists_a_404_and_a_timeout(browse, axe_source, settings, httpserver, never):
    settings.LINK_CHECK_ALLOW_PRIVATE = True
    settings.LINK_CHECK_TIMEOUT = 0.5
    settings.LINK_CHECK_RETRIES = 0
    settings.LINK_CHECK_HOST_INTERVAL = 0
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    gone = httpserver.url_for("/gone")
    published(
        question="Does this test answer link out?",
        lead=f"Test: see [the first page]({gone}) and [the second]({never}) [1].",
    )
    check_links()
    make_editor(username="editor")

    watch = browse("editor")
    page = log_in(watch, "editor")
    page.goto("/admin/answers/outboundlink/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    gone_row = rows.filter(has_text=gone)
    expect(gone_row).to_contain_text("HTTP 404")
    expect(gone_row).to_contain_text("Does this test answer link out?")
    expect(rows.filter(has_text=never)).to_contain_text("no answer in time")
    assert_no_axe(watch, page, axe_source, "the link report")


def test_an_editor_assigns_a_problem_report_and_closes_it_with_an_outcome(browse, axe_source):
    answer, _, _ = published(question="Is this test answer reported?")
    report = ReaderFeedback.record(
        publication=answer.publication,
        kind=ReaderFeedback.Kind.PROBLEM,
        message="Test: the second paragraph is unclear.",
    )
    editor = make_editor(username="editor")

    watch = browse("editor")
    page = log_in(watch, "editor")
    page.goto("/admin/answers/problemreport/")
    expect(page.locator("#result_list")).to_contain_text("the second paragraph is unclear")
    assert_no_axe(watch, page, axe_source, "the problem report queue")
    page.goto(f"/admin/answers/problemreport/{report.pk}/change/")
    assert_no_axe(watch, page, axe_source, "a problem report")

    page.get_by_label("Assign to").select_option(value=str(editor.pk))
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()
    page.get_by_label("Outcome").select_option(label="No change needed")
    page.get_by_role("button", name="Close report").click()
    expect(page.locator(".messagelist")).to_contain_text("Report closed.")
    assert_no_axe(watch, page, axe_source, "a closed report")

    report.refresh_from_db()
    assert report.resolved and report.outcome == "no_change"
    assert report.assigned_to == editor
