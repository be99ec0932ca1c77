"""An editor's view of what happens by the clock, in a real browser: the scheduled changes
on My work (one click to the answer's schedule), the daily jobs' last runs, and a
retraction check waiting for its retry. axe-core finds nothing on any of them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from answers.tasks import check_retractions
from ops.schedule import enqueue_due
from tests.e2e.helpers import axe_everywhere, describe_violations, log_in, screenshot
from tests.factories import make_editor, make_reference, published

pytestmark = pytest.mark.e2e


def test_an_editor_sees_what_is_scheduled_and_what_the_jobs_did(
    browse, groups, services, artifacts, axe_source
):
    editor = make_editor(username="editor")
    # A cited work whose source cannot be reached: the watch's run waits for its retry.
    work = make_reference(title="Test reference checked during an outage")
    answer, _, _ = published(question="Test question taken down soon?", references={"1": work})
    answer.reschedule(
        by=editor,
        take_down_at=timezone.now() + timedelta(days=2),
        take_down_reason="Test: guidance for one season only.",
    )
    services.crossref_down = True
    check_retractions.call()
    enqueue_due()

    watch = browse("editor")
    page = log_in(watch, "editor")
    scheduled = page.locator("#my-work-scheduled")
    expect(scheduled.get_by_role("heading")).to_contain_text("Scheduled changes")
    expect(scheduled).to_contain_text("(1)")
    expect(scheduled).to_contain_text("taken down ")
    violations = axe_everywhere(watch, page, axe_source)
    assert not violations, "axe-core on My work:\n" + describe_violations(violations)
    scheduled.get_by_role("link", name="Test question taken down soon?").click()
    expect(page.locator("#review-cycle")).to_contain_text("Test: guidance for one season only.")

    page.goto("/admin/ops/scheduledrun/")
    jobs = page.get_by_role("table", name="Daily jobs (times in UTC)")
    expect(jobs.get_by_role("row")).to_have_count(7)  # the heading and six jobs
    expect(jobs).to_contain_text("Waiting for the task worker")
    violations = axe_everywhere(watch, page, axe_source)
    assert not violations, "axe-core on the scheduled runs:\n" + describe_violations(violations)
    screenshot(page, "30-editor-sees-the-daily-jobs")

    page.goto("/admin/citations/retractioncheck/")
    expect(page.locator("#result_list")).to_contain_text("1 not checked: retry 2 of 4 at")
    expect(page.locator("#result_list .qa-bad")).to_have_text(
        "Failed: 1 of 1 reference could not be checked: Crossref could not be reached."
    )
    violations = axe_everywhere(watch, page, axe_source)
    assert not violations, "axe-core on the retraction checks:\n" + describe_violations(violations)
