"""A glossary definition from draft to the public page, in a real browser: a writer drafts
and submits it, a clinician signs it off with their password on the page showing it, and
the reader's answer explains the word. axe-core finds nothing on the admin pages. The
definition is a test placeholder, not medical content."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import axe_everywhere, describe_violations, log_in
from tests.factories import make_clinician, make_writer, publish_answer

pytestmark = pytest.mark.e2e

PLACEHOLDER = "Test: a placeholder definition, not medical advice."


def test_a_definition_goes_from_draft_to_the_readers_page(browse, groups, axe_source):
    make_writer(username="writer")
    make_clinician(username="clinician")
    answer = publish_answer(lead="Test: the widget score was measured [1].")

    writer = browse("writer")
    page = log_in(writer, "writer")
    page.goto("/admin/answers/glossaryterm/add/")
    page.get_by_label("Term").fill("Widget score")
    page.get_by_label("Definition").fill(PLACEHOLDER)
    page.get_by_role("button", name="Save and continue editing").click()
    page.get_by_role("button", name="Submit for medical review").click()
    expect(page.locator(".messagelist")).to_contain_text("Sent for medical review.")
    violations = axe_everywhere(writer, page, axe_source)
    assert not violations, "axe-core on the term page:\n" + describe_violations(violations)

    clinician = browse("clinician")
    page = log_in(clinician, "clinician")
    page.locator("#my-work-glossary").get_by_role("link", name="Widget score").click()
    expect(page.locator(".qa-glossary-workflow")).to_contain_text(PLACEHOLDER)
    violations = axe_everywhere(clinician, page, axe_source)
    assert not violations, "axe-core on the sign-off:\n" + describe_violations(violations)
    page.get_by_label("Your password, as your signature").fill("pw")
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messagelist")).to_contain_text("Signed off")

    reader = browse("reader")
    page = reader.page
    page.goto(answer.get_absolute_url())
    page.get_by_role("link", name="widget score", exact=True).click()
    expect(page.locator("#define-widget-score + dd")).to_contain_text(PLACEHOLDER)
    page.goto("/glossary/")
    expect(page.locator("#widget-score + dd")).to_have_text(PLACEHOLDER)
