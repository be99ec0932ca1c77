"""The writer's desk laid out for writing, at 1440 × 900: the question on one line with room
for 90 characters, the live preview beside the form as tall as the whole page it shows (its
references included, nothing scrolling inside a frame), the switch between form and
preview, form only and preview only (kept in the browser, worked by keyboard), and the
clinician's comments beside their fields, replied to and resolved in place while an
unsaved edit in the short answer stays as it was. axe finds nothing on the add, change and
import pages.

Text typed here and the references are fake test data (tests.factories).
"""

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from answers.models import Answer, ReviewComment
from tests.e2e.helpers import axe_everywhere, describe_violations, log_in, screenshot
from tests.factories import make_answer, make_clinician, make_reference, make_topic, make_writer

pytestmark = pytest.mark.e2e

WIDE = {"width": 1440, "height": 900}
QUESTION_90 = (
    "Test question of ninety characters: does the field show all of it on one line for writers?"
)
LONG_TITLE = (
    "Test reference with a long title, so long that a narrow column would cut it off "
    "before the writer could read which work it is"
)
LEAD = "Test short answer [1]."
LEAD_COMMENT = "Test comment on the short answer: say who this applies to."
SECTION = "What the research says"
SECTION_COMMENT = "Test comment on the section: give the number of people in the test study."
UNSAVED_LEAD = "Test short answer, edited and not saved yet [1]."
REPLY = "Test reply: the number is now in the section."


@pytest.fixture
def commented(groups):
    """A draft sent back by its clinician with a comment on the short answer and one on a
    section (placeholder signs, not medical content)."""
    writer = make_writer(username="writer", display_name="Test Writer")
    clinician = make_clinician(username="clinician", display_name="Test Clinician")
    answer = make_answer(
        question="Test question for the desk layout?",
        topic=make_topic(name="Test layout topic"),
        lead=LEAD,
        sections=(
            (SECTION, "prose", "A test sentence [1]. A second test sentence [2]."),
            ("What to ask your doctor", "questions", "- Test question one?"),
            (
                "When to get help",
                "get_help",
                "See a doctor soon:\n- Sign A\nGet help today:\n- Sign B\n"
                "Call the emergency number now:\n- Sign C",
            ),
        ),
        references={"1": make_reference(title=LONG_TITLE), "2": make_reference()},
        writers=[writer],
    )
    answer.submit(by=writer)
    section = answer.ordered_sections()[0]
    answer.request_changes(
        by=clinician,
        comment="Test: see the comments.",
        section_comments=[(None, LEAD_COMMENT), (section, SECTION_COMMENT)],
    )
    return answer, writer, clinician


def wait_for_preview(page):
    preview = page.frame_locator("#qa-desk-frame")
    expect(preview.locator("ol.reference-list")).to_contain_text(LONG_TITLE, timeout=20_000)
    expect(page.locator("#qa-desk-status")).to_contain_text("Preview updated")
    return preview


def test_room_to_write_and_comments_in_place(browse, commented, axe_source, artifacts):
    answer, writer, clinician = commented
    lead_comment = ReviewComment.objects.get(part=ReviewComment.LEAD)
    section_comment = ReviewComment.objects.get(part=SECTION)
    watch = browse("writer", viewport=WIDE)
    page = log_in(watch, "writer")
    page.goto(f"/admin/answers/answer/{answer.pk}/change/")
    preview = wait_for_preview(page)

    # 1. The question shows at least 90 characters on one line.
    question = page.locator("#id_question_text")
    question.fill(QUESTION_90)
    assert len(QUESTION_90) == 90
    room = question.evaluate(
        """(input) => {
          const style = getComputedStyle(input);
          const context = document.createElement("canvas").getContext("2d");
          context.font = style.font;
          const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
          return {
            client: input.clientWidth - padding,
            text: context.measureText(input.value).width,
            scroll: input.scrollWidth,
            clientWidth: input.clientWidth,
          };
        }"""
    )
    print(f"question field: {room}")
    assert room["scroll"] <= room["clientWidth"], room
    assert room["text"] <= room["client"], room

    # 2. The preview is beside the form, as tall as the page it shows: the references and
    # "When to get help" are in the frame's box, and nothing in the panel scrolls.
    expect(preview.get_by_role("heading", name="When to get help")).to_be_visible()
    sizes = page.evaluate(
        """() => {
          const frame = document.getElementById("qa-desk-frame");
          const panel = document.getElementById("qa-desk-panel");
          const editor = document.querySelector(".qa-desk-editor");
          const doc = frame.contentDocument;
          const list = doc.querySelector("ol.reference-list").getBoundingClientRect();
          const box = frame.getBoundingClientRect();
          return {
            frameHeight: frame.clientHeight,
            frameContent: doc.documentElement.scrollHeight,
            frameScrolls: doc.documentElement.scrollHeight > doc.documentElement.clientHeight,
            panelOverflow: getComputedStyle(panel).overflowY,
            panelClips: panel.scrollHeight > panel.clientHeight + 1,
            listBottom: box.top + list.bottom,
            frameBottom: box.bottom,
            editorLeft: editor.getBoundingClientRect().left,
            editorWidth: editor.getBoundingClientRect().width,
            panelLeft: panel.getBoundingClientRect().left,
            panelWidth: panel.getBoundingClientRect().width,
          };
        }"""
    )
    print(f"desk: {sizes}")
    assert not sizes["frameScrolls"], sizes
    assert sizes["frameHeight"] >= sizes["frameContent"] - 1, sizes
    assert sizes["panelOverflow"] == "visible" and not sizes["panelClips"], sizes
    assert sizes["listBottom"] <= sizes["frameBottom"], sizes
    assert sizes["panelLeft"] > sizes["editorLeft"] + sizes["editorWidth"], "side by side"
    # The cited work's title is whole in the form, not cut off.
    title = page.locator("#citations-group .select2-selection__rendered").first
    expect(title).to_contain_text(LONG_TITLE)
    assert title.evaluate("(el) => el.scrollWidth <= el.clientWidth"), "title cut off"
    # At the end of the form, the end of the preview (its references) is in view too.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(200)
    in_view = page.evaluate(
        """() => {
          const frame = document.getElementById("qa-desk-frame");
          const list = frame.contentDocument.querySelector("ol.reference-list");
          const top = frame.getBoundingClientRect().top + list.getBoundingClientRect().top;
          return top < window.innerHeight && top > -list.getBoundingClientRect().height;
        }"""
    )
    assert in_view, "the references are out of view at the end of the form"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "desk-layout-00-form-and-preview-1440x900.png"))
    screenshot(page, "desk-layout-01-form-and-preview")

    # 3. The switch, by keyboard: form only, then preview only; kept in this browser.
    switch = page.get_by_role("group", name="Show")
    both = switch.get_by_role("button", name="Form and preview")
    form_only = switch.get_by_role("button", name="Form only")
    preview_only = switch.get_by_role("button", name="Preview only")
    expect(both).to_have_attribute("aria-pressed", "true")
    form_only.focus()
    page.keyboard.press("Enter")
    expect(form_only).to_have_attribute("aria-pressed", "true")
    expect(both).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#qa-desk-panel")).to_be_hidden()
    expect(question).to_be_visible()
    width = question.evaluate("(el) => el.clientWidth")
    assert width > room["clientWidth"], "form only gives the form the page's width"
    screenshot(page, "desk-layout-02-form-only")
    page.keyboard.press("Tab")
    expect(preview_only).to_be_focused()
    page.keyboard.press("Space")
    expect(preview_only).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".qa-desk-editor")).to_be_hidden()
    expect(preview.locator("ol.reference-list")).to_be_visible()
    screenshot(page, "desk-layout-03-preview-only")
    second = watch.context.new_page()
    second.goto(f"/admin/answers/answer/{answer.pk}/change/")
    expect(second.get_by_role("button", name="Preview only")).to_have_attribute(
        "aria-pressed", "true"
    )
    second.close()
    both.click()
    expect(page.locator("#qa-desk-panel")).to_be_visible()
    expect(question).to_be_visible()

    # 4. Comments beside their fields, the short answer's included.
    lead_box = page.locator(".field-lead_comments")
    expect(lead_box).to_contain_text(LEAD_COMMENT)
    section_box = page.locator(".inline-related", has_text=SECTION).locator(
        ".field-clinician_comments"
    )
    expect(section_box).to_contain_text(SECTION_COMMENT)
    expect(page.locator("#review-comments")).to_contain_text("2 unresolved")

    # A reply to the section comment keeps the unsaved edit in the short answer: no reload,
    # no "leave page?" (the watch fails the test on any dialog), no restore banner.
    lead = page.locator("#id_lead")
    lead.fill(UNSAVED_LEAD)
    page.evaluate("window.qaSamePage = true")
    section_box.get_by_label("Reply").fill(REPLY)
    section_box.get_by_role("button", name="Reply").click()
    said = page.locator(f"#review-comment-{section_comment.pk}-said")
    expect(said).to_contain_text(f"Reply added to the comment on {SECTION}.")
    expect(section_box.locator(".qa-comment-reply")).to_contain_text(REPLY)
    expect(section_box.get_by_label("Reply")).to_have_value("")
    expect(section_box.get_by_label("Reply")).to_be_focused()
    expect(lead).to_have_value(UNSAVED_LEAD)
    expect(question).to_have_value(QUESTION_90)
    assert page.evaluate("window.qaSamePage === true"), "the page reloaded"
    expect(page.locator("#qa-desk-restore")).to_be_hidden()
    watch.check()
    assert section_comment.replies.get().text == REPLY
    assert section_comment.replies.get().author == writer

    # Refusals are said beside the comment, in words: an empty reply...
    lead_box.get_by_role("button", name="Reply").click()
    expect(page.locator(f"#review-comment-{lead_comment.pk}-said")).to_have_text(
        "No reply was added: Write a reply first: it is empty."
    )
    # ...and a comment someone else resolved meanwhile.
    section_comment.resolve(by=clinician)
    section_box.get_by_role("button", name="Mark resolved").click()
    expect(said).to_contain_text("already resolved by Test Clinician")
    expect(section_box.locator(".qa-comment")).to_contain_text("Resolved")
    expect(section_box.get_by_role("button", name="Mark resolved")).to_have_count(0)

    # Resolving the short answer's comment, in place as well.
    lead_box.get_by_role("button", name="Mark resolved").click()
    expect(page.locator(f"#review-comment-{lead_comment.pk}-said")).to_contain_text(
        "Comment on Short answer marked resolved."
    )
    expect(page.locator("#review-comments")).to_contain_text("0 unresolved")
    expect(page.get_by_role("button", name="Submit anyway")).to_be_hidden()
    expect(lead).to_have_value(UNSAVED_LEAD)
    assert page.evaluate("window.qaSamePage === true"), "the page reloaded"
    lead_comment.refresh_from_db()
    assert lead_comment.resolved_by == writer
    section_box.scroll_into_view_if_needed()
    screenshot(page, "desk-layout-04-comments-in-place")
    violations = axe_everywhere(watch, page, axe_source)
    assert not violations, "axe-core on the change page:\n" + describe_violations(violations)

    # On a narrow screen the preview follows the form.
    page.set_viewport_size({"width": 900, "height": 900})
    stacked = page.evaluate(
        """() => document.getElementById("qa-desk-panel").getBoundingClientRect().top
                 >= document.querySelector(".qa-desk-editor").getBoundingClientRect().bottom"""
    )
    assert stacked, "below 70rem the preview goes under the form"
    page.set_viewport_size(WIDE)

    # The unsaved edit saves as usual, and nothing of the comments' forms came with it.
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator("ul.messagelist")).to_contain_text("changed successfully", timeout=15_000)
    answer = Answer.objects.get(pk=answer.pk)
    assert answer.lead == UNSAVED_LEAD
    assert answer.question.text == QUESTION_90

    # axe on the add and import pages at this size too.
    for address in ("/admin/answers/answer/add/", "/admin/import/articles/"):
        page.goto(address)
        violations = axe_everywhere(watch, page, axe_source)
        assert not violations, f"axe-core on {address}:\n" + describe_violations(violations)


def test_comments_reply_without_javascript(browse, commented):
    """The same forms post as plain forms: back on the change page, at the comment."""
    answer, _, _ = commented
    section_comment = ReviewComment.objects.get(part=SECTION)
    watch = browse("writer", viewport=WIDE, java_script_enabled=False)
    page = log_in(watch, "writer")
    page.goto(f"/admin/answers/answer/{answer.pk}/change/")
    section_box = page.locator(".inline-related", has_text=SECTION).locator(
        ".field-clinician_comments"
    )
    section_box.get_by_label("Reply").fill(REPLY)
    section_box.get_by_role("button", name="Reply").click()
    expect(page.locator("ul.messagelist")).to_contain_text(
        f"Reply added to the comment on {SECTION}"
    )
    assert page.url.endswith(f"/change/#review-comment-{section_comment.pk}")
    expect(section_box.locator(".qa-comment-reply")).to_contain_text(REPLY)
    section_box.get_by_role("button", name="Mark resolved").click()
    expect(page.locator("ul.messagelist")).to_contain_text("marked resolved")
    section_comment.refresh_from_db()
    assert section_comment.resolved_at is not None


def test_a_reply_after_the_session_expired_loses_nothing(browse, commented):
    answer, _, _ = commented
    section_comment = ReviewComment.objects.get(part=SECTION)
    watch = browse("writer", viewport=WIDE)
    page = log_in(watch, "writer")
    page.goto(f"/admin/answers/answer/{answer.pk}/change/")
    wait_for_preview(page)
    lead = page.locator("#id_lead")
    lead.fill(UNSAVED_LEAD)
    section_box = page.locator(".inline-related", has_text=SECTION).locator(
        ".field-clinician_comments"
    )
    section_box.get_by_label("Reply").fill(REPLY)
    Session.objects.all().delete()
    section_box.get_by_role("button", name="Reply").click()
    said = page.locator(f"#review-comment-{section_comment.pk}-said")
    expect(said).to_contain_text("Not sent: your session has expired.")
    expect(said.get_by_role("link", name="Log in again (opens a new tab)")).to_be_visible()
    expect(section_box.get_by_label("Reply")).to_have_value(REPLY)
    expect(lead).to_have_value(UNSAVED_LEAD)
    assert not section_comment.replies.exists()
