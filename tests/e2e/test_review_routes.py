"""A topic with a two-clinician review route, in real browsers: an editor sets the route on
the topic's page; a changed answer is signed by one clinician (the public page still shows
the approved version), then by a second, different clinician, which publishes it. axe-core
finds nothing on the new admin pages. Text typed here is fake test data."""

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from answers.models import Answer, PublishedAnswer, ReviewStep, ReviewStepRecord
from tests.e2e.helpers import PASSWORD, axe_everywhere, describe_violations, log_in, screenshot
from tests.e2e.test_journey import approve, decision_form
from tests.factories import (
    approve as approve_in_shell,
)
from tests.factories import (
    make_answer,
    make_clinician,
    make_editor,
    make_topic,
    make_writer,
)

pytestmark = pytest.mark.e2e

OLD_LEAD = "Test short answer as first approved [1]."
NEW_LEAD = "Test short answer after the change two clinicians review [1]."


@pytest.fixture
def people(groups):
    return SimpleNamespace(
        writer=make_writer(username="writer", display_name="Test Writer"),
        editor=make_editor(username="editor", display_name="Test Editor"),
        first=make_clinician(username="clinician", display_name="Clinician One"),
        second=make_clinician(username="second", display_name="Clinician Two"),
        earlier=make_clinician(username="earlier", display_name="Earlier Clinician"),
    )


def no_axe_violations(watch, page, name):
    violations = axe_everywhere(watch, page, watch.axe_source)
    assert not violations, f"axe-core found on {name}:\n" + describe_violations(violations)


def test_two_clinician_route_publishes_only_after_the_second_signs(
    browse, people, artifacts, axe_source, live_server
):
    topic = make_topic(name="Test routed topic")
    answer = make_answer(
        question="Does a two-clinician route hold in the test?",
        topic=topic,
        lead=OLD_LEAD,
        sections=(("Test findings", "prose", "A test sentence [1]."),),
        writers=[people.writer],
    )
    answer.submit(by=people.writer)
    approve_in_shell(answer, people.earlier)  # the default route: one clinician published it
    public_url = answer.get_absolute_url()

    # 1. The editor sets the topic's route: one step, two different medical reviewers.
    editor = browse("editor")
    editor.axe_source = axe_source
    page = log_in(editor, "editor")
    page.goto(f"/admin/answers/topic/{topic.pk}/change/")
    expect(
        page.get_by_text("Review route (no steps: one medical reviewer signs it off")
    ).to_be_visible()
    page.get_by_role("button", name="Add another Review step").click()
    page.locator("#id_review_steps-0-position").fill("1")
    page.locator("#id_review_steps-0-group").select_option(label="Medical reviewers")
    page.locator("#id_review_steps-0-kind").select_option(label="Sign-off (password-signed)")
    page.locator("#id_review_steps-0-quorum").select_option(label="Two different people")
    no_axe_violations(editor, page, "the topic's page with a review step")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    [step] = ReviewStep.objects.filter(topic=topic)
    assert (step.group.name, step.kind, step.quorum) == (
        "Medical reviewers",
        "sign_off",
        "two_people",
    )
    screenshot(page, "review-route-topic")

    # 2. The writer changes the answer and submits it.
    with answer.editing(by=people.writer, comment="Test change") as locked:
        locked.lead = NEW_LEAD
        locked.save()
    answer.submit(by=people.writer)

    reader = browse("reader").page
    reader.goto(public_url)
    expect(reader.locator("main")).to_contain_text(OLD_LEAD.removesuffix(" [1]."))

    # 3. The first clinician signs the step: recorded, still in review, public unchanged.
    one = browse("clinician one")
    one.axe_source = axe_source
    page = log_in(one, "clinician")
    page.goto(f"/admin/answers/answer/{answer.pk}/review/")
    expect(page.locator("#qa-route-heading")).to_have_text(
        "Review route: Step 1 of 1: Medical reviewers"
    )
    expect(page.get_by_role("heading", name="Approve and publish")).to_have_count(0)
    no_axe_violations(one, page, "the review page with its route")
    form = decision_form(page, "Sign this step")
    form.get_by_label("Comment (optional)").fill("Test comment from the first clinician.")
    form.get_by_label("Your password, as your signature").fill(PASSWORD)
    form.get_by_role("button", name="Sign this step").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Your step is recorded")
    expect(page.locator("ul.messagelist")).to_contain_text(
        "the public site does not change until the last step is signed"
    )
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.IN_REVIEW
    assert ReviewStepRecord.objects.filter(answer=answer, reviewer=people.first).count() == 1
    reader.goto(public_url)
    expect(reader.locator("main")).to_contain_text(OLD_LEAD.removesuffix(" [1]."))
    expect(reader.locator("main")).not_to_contain_text(NEW_LEAD.removesuffix(" [1]."))

    # The sign-step form page, drawn on its own, is clean too; the first clinician may not
    # sign again.
    page.goto(f"/admin/answers/answer/{answer.pk}/review/")
    expect(page.locator("#qa-route")).to_contain_text("Clinician One")
    expect(page.get_by_text("You already took a step of this answer's review")).to_be_visible()
    page.goto(f"/admin/answers/answer/{answer.pk}/sign-step/")
    no_axe_violations(one, page, "the sign-step page")

    # 4. The second, different clinician approves: now it is published.
    two = browse("clinician two")
    two.axe_source = axe_source
    page = log_in(two, "second")
    page.goto(f"/admin/answers/answer/{answer.pk}/review/")
    expect(page.locator("#qa-route")).to_contain_text("Test comment from the first clinician.")
    approve(page, "Test approval.", change_summary="Test: reworded the short answer.")
    screenshot(page, "review-route-published")
    publication = PublishedAnswer.objects.get(answer=answer)
    assert publication.signoff.reviewer == people.second
    assert (
        publication.content_hash == ReviewStepRecord.objects.get(reviewer=people.first).content_hash
    )
    reader.goto(public_url)
    expect(reader.locator("main")).to_contain_text(NEW_LEAD.removesuffix(" [1]."))

    # The editor reads the steps taken, in the list and one by one.
    page = editor.page
    page.goto("/admin/answers/reviewsteprecord/")
    expect(page.locator("#result_list")).to_contain_text("Clinician One")
    expect(page.locator("#result_list")).to_contain_text("Clinician Two")
    no_axe_violations(editor, page, "the list of review steps taken")
    page.get_by_role("link", name="Does a two-clinician route hold in the test?").first.click()
    expect(page.locator("#content")).to_contain_text("Signed off step 1 of 1: Medical reviewers")
    no_axe_violations(editor, page, "a review step taken")
