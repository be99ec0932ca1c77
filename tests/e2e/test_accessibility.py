"""Accessibility of the public pages in Chromium: axe-core finds nothing on any page, at
desktop width and at 360 px (where nothing scrolls sideways either), and the keyboard
reaches the skip link, the main content, the citations and the references."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import axe_violations, describe_violations, make_public_pages, screenshot

pytestmark = pytest.mark.e2e

VIEWPORTS = {
    "desktop": {"width": 1280, "height": 900},
    "360px": {"width": 360, "height": 740},
}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_public_pages_have_no_axe_violations(browse, axe_source, artifacts, viewport):
    pages, _, _ = make_public_pages()
    watch = browse(f"reader at {viewport}", viewport=VIEWPORTS[viewport])
    page = watch.page
    found, counts, too_wide = {}, {}, []
    for name, (path, status) in pages.items():
        response = page.goto(path)
        assert response.status == status, f"{name} ({path}) answered {response.status}"
        screenshot(page, f"a11y-{viewport}-{re.sub(r'[^a-z0-9]+', '-', name).strip('-')}")
        violations = axe_violations(page, axe_source)
        counts[name] = len(violations)
        if violations:
            found[name] = violations
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > VIEWPORTS[viewport]["width"]:
            too_wide.append(f"{name} ({path}) is {width} px wide")
    print(f"\naxe-core violations at {viewport}: {counts}")
    watch.check()
    assert not found, "axe-core found:\n" + "\n".join(
        f"{name} ({pages[name][0]}):\n{describe_violations(violations)}"
        for name, violations in found.items()
    )
    assert not too_wide, "Pages scroll sideways: " + "; ".join(too_wide)


def test_keyboard_reaches_skip_link_main_content_and_references(browse):
    pages, answer, _ = make_public_pages()
    watch = browse("keyboard reader")
    page = watch.page
    page.goto(pages["answer"][0])

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")

    citations = page.locator("sup.citations a.citation")
    assert citations.count() >= 4
    for index in range(citations.count()):
        expect(citations.nth(index)).to_have_accessible_name(re.compile(r"^Reference \d+$"))
    backlinks = page.locator("ol.reference-list a.backlink")
    assert backlinks.count() == page.locator("ol.reference-list > li").count()
    for index in range(backlinks.count()):
        expect(backlinks.nth(index)).to_have_accessible_name(
            f"Back to the first citation of reference {index + 1}"
        )

    # Following a citation and its backlink by keyboard lands where it says.
    first = page.get_by_role("link", name="Reference 1", exact=True).first
    first.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#ref-1$"))
    backlink = page.get_by_role("link", name="Back to the first citation of reference 1")
    backlink.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#cite-1$"))
    watch.check()


def test_axe_reports_what_it_finds(chromium, axe_source):
    """The zero above means something only if axe runs and reports: on a page with known
    faults it names them."""
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.set_content("<html><body><img src='data:,'><a href='#x'></a></body></html>")
        rules = {violation["id"] for violation in axe_violations(page, axe_source)}
        assert {"image-alt", "link-name", "html-has-lang", "document-title"} <= rules
    finally:
        context.close()


def test_a_glossary_term_is_explained_by_keyboard_without_javascript(browse):
    pages, _, _ = make_public_pages()
    watch = browse("reader without JavaScript", java_script_enabled=False)
    page = watch.page
    page.goto(pages["answer"][0])
    link = page.locator("a.glossary-link")
    expect(link).to_have_count(1)  # the first use only
    expect(link).to_have_text(re.compile("ejection fraction", re.IGNORECASE))
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#define-ejection-fraction$"))
    definition = page.locator("#define-ejection-fraction + dd")
    expect(definition).to_contain_text("Test: a placeholder definition")
    page.get_by_role("link", name=re.compile("Back to the text")).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#use-ejection-fraction$"))
    watch.check()
