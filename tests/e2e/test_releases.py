"""Releases in a real browser: an editor groups two answers and sets a time; a clinician
signs each off on its own (held, not public); at the set time a blocked checklist in one
stops both, and the release page says why; at the next set time both go live together;
then the release is taken back. A topic rename lists the answers keeping the old name and
sends them for review as a release. axe-core finds nothing on each new page.

The clock is moved with time-machine: the live server and the task worker run in this
process. Text typed here is fake test data.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from answers.models import Answer, Release
from citations.models import ReferenceNotice
from tests.e2e.helpers import PASSWORD, axe_everywhere, describe_violations, log_in, screenshot
from tests.factories import (
    make_answer,
    make_clinician,
    make_editor,
    make_topic,
    make_writer,
    published,
)

pytestmark = pytest.mark.e2e

FIRST = "Does the first test answer go live with the release?"
SECOND = "Does the second test answer go live with the release?"
RELEASE = "Test guideline release"


@pytest.fixture
def people(groups):
    return SimpleNamespace(
        writer=make_writer(username="writer", display_name="Test Writer"),
        clinician=make_clinician(
            username="clinician", display_name="Test Clinician", credentials="MD"
        ),
        editor=make_editor(username="editor", display_name="Test Editor"),
    )


def assert_axe_clean(watch, page, axe_source, what):
    violations = axe_everywhere(watch, page, axe_source)
    assert not violations, f"axe-core on {what}:\n" + describe_violations(violations)


def fill_go_live(page, moment):
    local = timezone.localtime(moment)
    page.locator("#id_publish_at_0").fill(local.strftime("%Y-%m-%d"))
    page.locator("#id_publish_at_1").fill(local.strftime("%H:%M:%S"))


def sign_off(page, answer):
    page.goto(f"/admin/answers/answer/{answer.pk}/approve/")
    page.get_by_label("I checked every source against the text").check()
    page.get_by_label("The wording is safe for patients").check()
    page.get_by_label("Your password, as your signature").fill(PASSWORD)
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator("ul.messagelist")).to_contain_text(f"It waits for release “{RELEASE}”")


def test_release_goes_live_together_or_not_at_all(
    browse, people, artifacts, axe_source, run_worker
):
    topic = make_topic(name="Test topic")
    answers = [
        make_answer(question=q, topic=topic, lead="Test short answer [1].", writers=[people.writer])
        for q in (FIRST, SECOND)
    ]
    for answer in answers:
        answer.submit(by=people.writer)
    first, second = answers
    paths = [f"/questions/{a.question.slug}/" for a in answers]
    editor, clinician, reader = browse("editor"), browse("clinician"), browse("reader")
    go_live = (timezone.now() + timedelta(hours=2)).replace(second=0, microsecond=0)

    # 1. The editor makes the release: both answers, a set time.
    page = log_in(editor, "editor")
    page.goto("/admin/answers/release/add/")
    assert_axe_clean(editor, page, axe_source, "the new release page")
    page.get_by_label("Name").fill(RELEASE)
    fill_go_live(page, go_live)
    for question in (FIRST, SECOND):  # typed into the admin's autocomplete, then chosen
        page.locator("#id_add_answers + .select2").click()
        page.locator(".select2-container--open .select2-search__field").fill(question[:30])
        page.locator(".select2-results__option", has_text=question).click()
    expect(page.locator("#id_add_answers + .select2 .select2-selection__choice")).to_have_count(2)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".qa-release")).to_contain_text("Will go live")
    release = Release.objects.get(name=RELEASE)
    assert release.publish_at == go_live

    # 2. The clinician signs each off on its own: held, not public.
    page = log_in(clinician, "clinician")
    for answer in answers:
        sign_off(page, answer)
    page.goto(f"/admin/answers/answer/{first.pk}/change/")
    expect(page.locator(".qa-status")).to_have_text(f"Approved, waiting for release “{RELEASE}”")
    for path in paths:
        assert reader.page.goto(path).status == 404

    # 3. The retraction watch finds a notice on the second answer's study: at the set
    # time neither goes live, and the release page says which and why.
    notice = ReferenceNotice.objects.create(
        reference=second.citations.get().reference,
        kind="retraction",
        source="test",
        notice_doi="10.5555/test.notice",
    )
    with time_machine.travel(go_live + timedelta(minutes=1)):
        run_worker()
        for path in paths:
            assert reader.page.goto(path).status == 404
        page = editor.page
        page.goto(f"/admin/answers/release/{release.pk}/change/")
        alert = page.locator(".qa-release [role=alert]")
        expect(alert).to_contain_text("nothing went live")
        expect(alert).to_contain_text(f"“{SECOND}”: blocked by its checklist")
        expect(alert).not_to_contain_text(FIRST)
        assert_axe_clean(editor, page, axe_source, "the release page after a failure")
        screenshot(page, "release-01-not-published")
        assert {a.status for a in Answer.objects.filter(pk__in=[first.pk, second.pk])} == {
            Answer.Status.APPROVED
        }

        # The clinician records how the notice was handled; the editor sets a new time.
        notice.acknowledged_at = timezone.now()
        notice.acknowledged_by = people.clinician
        notice.handling_note = "Test note: the notice concerns another figure."
        notice.save()
        page.goto(f"/admin/answers/release/{release.pk}/publish/")
        expect(page.locator("#content-main table")).not_to_contain_text("blocked")
        assert_axe_clean(editor, page, axe_source, "the publish confirmation")
        page.goto(f"/admin/answers/release/{release.pk}/change/")
        later = go_live + timedelta(hours=1)
        fill_go_live(page, later)
        page.get_by_role("button", name="Save and continue editing").click()
        expect(page.locator(".qa-release")).to_contain_text("Will go live")

    # 4. At the new time both go live together.
    with time_machine.travel(later + timedelta(minutes=1)):
        assert reader.page.goto(paths[0]).status == 404  # the worker has not run yet
        run_worker()
        for path in paths:
            assert reader.page.goto(path).status == 200
        page.goto(f"/admin/answers/release/{release.pk}/change/")
        expect(page.locator(".qa-release h2")).to_contain_text("Published")
        screenshot(page, "release-02-published")

        # 5. Taken back as a whole: neither had an earlier public version.
        page.get_by_role("link", name="Take back…").click()
        assert_axe_clean(editor, page, axe_source, "the take-back page")
        page.get_by_label("Why take it back").fill("Test reason: the guideline was delayed.")
        page.get_by_role("button", name="Take back the whole release").click()
        expect(page.locator("ul.messagelist")).to_contain_text("withdrawn")
        for path in paths:
            assert reader.page.goto(path).status == 410


def test_topic_rename_lists_answers_and_sends_them_as_a_release(
    browse, people, artifacts, axe_source
):
    topic = make_topic(name="Test heart topic")
    answer = published(
        question="Does the renamed topic show on the test answer?",
        topic=topic,
        writer=people.writer,
        clinician=people.clinician,
    )[0]
    editor = browse("editor")
    page = log_in(editor, "editor")
    page.goto(f"/admin/answers/topic/{topic.pk}/change/")
    page.get_by_label("Name:", exact=True).fill("Test heart and circulation topic")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#content-main table")).to_contain_text(answer.question.text)
    expect(page.locator("#content-main")).to_contain_text("Nothing is saved yet")
    assert_axe_clean(editor, page, axe_source, "the rename confirmation")
    page.get_by_role("button", name="Rename and send them for review together").click()
    expect(page.locator("ul.messagelist")).to_contain_text("was sent for medical review")
    release = Release.objects.get()
    page.goto(f"/admin/answers/release/{release.pk}/change/")
    expect(page.locator(".qa-release")).to_contain_text("in medical review")
    assert_axe_clean(editor, page, axe_source, "the release page")
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.IN_REVIEW
