"""What the browser tests share: where the tools are, watched browser profiles, logging in,
screenshots, the injected-markup probe, axe-core and the Nu HTML Checker."""

import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS") or ROOT / "test-artifacts" / "e2e")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PASSWORD = "pw"  # tests/factories.make_user's


def require(ok, reason):
    """Skip a test whose tool is missing, except in CI, where that is a failure."""
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason}. CI must run the browser and HTML checks.", pytrace=False)
    pytest.skip(reason)


class BrowserWatch:
    """A browser profile (its own cookies) with one page, recording every dialog, uncaught
    script error and Content Security Policy violation on any of its pages or frames."""

    def __init__(self, context, name):
        self.context = context
        self.name = name
        self.problems = []
        self._watched = set()
        context.on("page", self._watch)
        self.page = context.new_page()
        self._watch(self.page)

    def _watch(self, page):
        if id(page) in self._watched:
            return
        self._watched.add(id(page))
        page.on("dialog", lambda dialog: self._dialog(page, dialog))
        page.on("pageerror", lambda error: self._note(f"script error on {page.url}: {error}"))
        page.on("console", lambda message: self._console(page, message))

    def _note(self, problem):
        self.problems.append(f"[{self.name}] {problem}")

    def _dialog(self, page, dialog):
        self._note(f"a {dialog.type} dialog opened on {page.url}: {dialog.message!r}")
        dialog.dismiss()

    def _console(self, page, message):
        if "Content Security Policy" in message.text:
            self._note(f"CSP violation on {page.url}: {message.text}")

    def check(self):
        """Fail now, at the step that caused it, rather than at the end of the test."""
        assert not self.problems, "The browser saw:\n" + "\n".join(self.problems)


def log_in(watch, username, password=PASSWORD):
    """Log in through the admin's login page, as a person does."""
    page = watch.page
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Editorial desk")).to_be_visible()
    return page


def screenshot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


# Looks for markup that could only have come from hostile content: any inline event
# handler, a javascript: URL, an element carrying the payload's class, or an executable
# script mentioning the payload. Data blocks (JSON-LD, the admin's JSON) are text.
_INJECTED_JS = """(marker) => {
  const found = [];
  const executable = ["", "text/javascript", "application/javascript", "module"];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const value = attr.value.trim().toLowerCase();
      if (attr.name.startsWith("on")) found.push(`<${el.localName} ${attr.name}="${attr.value}">`);
      if (["href", "src", "action", "formaction", "xlink:href"].includes(attr.name)
          && value.replace(/\\s/g, "").startsWith("javascript:"))
        found.push(`<${el.localName} ${attr.name}="${attr.value}">`);
    }
    if (el.classList.contains(marker)) found.push(`<${el.localName} class="${marker}">`);
    if (el.localName === "script" && executable.includes((el.type || "").toLowerCase())
        && (el.textContent.includes(marker) || el.textContent.includes("alert(")))
      found.push(`<script>${el.textContent.slice(0, 80)}</script>`);
  }
  return found;
}"""


def injected_markup(page, marker):
    """Elements or attributes from the payload found in the page and all its frames."""
    found = []
    for frame in page.frames:
        found += [f"{frame.url}: {item}" for item in frame.evaluate(_INJECTED_JS, marker)]
    return found


# ------------------------------------------------------------------ axe-core


def axe_violations(page, axe_source):
    """Run axe-core on the page. page.evaluate is not subject to the page's CSP, so the
    site's policy stays as strict as it is for real visitors."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    return page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )


def axe_everywhere(watch, page, axe_source):
    """axe-core over the page and its frames (the live preview is a frame). axe sets style
    attributes while it checks, which the page's policy reports: those reports, and only
    those, are axe's and not the page's."""
    before = len(watch.problems)
    for frame in page.frames:
        if not frame.evaluate("typeof window.axe !== 'undefined'"):
            frame.evaluate(axe_source)
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    during = watch.problems[before:]
    del watch.problems[before:]
    assert all("Applying inline style violates" in problem for problem in during), during
    return violations


def describe_violations(violations):
    lines = []
    for violation in violations:
        lines.append(
            f"  {violation['id']} ({violation['impact']}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = re.sub(r"\s+", " ", node.get("failureSummary") or "")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


# ------------------------------------------------------------------ Nu HTML Checker


def nu_check(pages, vnu_command):
    """Check every page with one Java run (the JVM is slow to start). `pages` maps a name
    to its HTML; returns {name: [error messages]} (warnings are left out)."""
    errors = {name: [] for name in pages}
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for index, (name, html) in enumerate(pages.items()):
            path = Path(folder) / f"page-{index}.html"
            path.write_text(html, encoding="utf-8")
            files[path.name] = name
        paths = sorted(str(Path(folder) / filename) for filename in files)
        result = subprocess.run(
            [*vnu_command, "--format", "json", "--stdout", *paths],
            capture_output=True,
            text=True,
            timeout=600,
        )
    try:
        messages = json.loads(result.stdout)["messages"]
    except (json.JSONDecodeError, KeyError) as error:
        raise AssertionError(
            f"The Nu HTML Checker gave no report ({error}):\n"
            f"{result.stdout[:2000]}{result.stderr[:2000]}"
        ) from error
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        name = files.get(Path(message.get("url", "")).name)
        errors.setdefault(name or "(the checker)", []).append(message)
    return errors


def describe_nu_errors(errors, pages):
    lines = []
    for name, messages in errors.items():
        source = pages.get(name, "").splitlines()
        for message in messages:
            line = message.get("lastLine")
            text = source[line - 1].strip()[:200] if line and line <= len(source) else ""
            lines.append(f"  {name} line {line}: {message['message']}")
            if message.get("extract"):
                lines.append(f"      {message['extract'].strip()[:200]}")
            elif text:
                lines.append(f"      {text}")
    return "\n".join(lines)


# ------------------------------------------------------------------ pages to check

DEMO_CONTENT = ROOT / "answers" / "demo_content"
NOT_GRADED_REASON = "Test: nobody has graded the evidence behind this test answer."


def make_public_pages():
    """Data behind every kind of public page, and {name: (path, status)} of those pages.

    The answer is the real SGLT2 sample article with its RIS references, imported and
    approved through the workflow, so the checks see real formatted references; the
    withdrawn answer is fake test data.
    """
    from django.apps import apps

    from answers.importing import import_article
    from answers.models import GlossaryTerm, SitePage
    from answers.roles import sync_groups
    from citations.readers import read_references
    from tests.factories import (
        approve,
        make_answer,
        make_clinician,
        make_editor,
        make_topic,
        make_writer,
    )

    sync_groups(apps)  # idempotent; transactional tests empty the database between tests
    writer = make_writer(display_name="Test Writer")
    clinician = make_clinician(display_name="Test Clinician")
    editor = make_editor(display_name="Test Editor")
    make_topic(name="Cardiology")  # topics are the editors' to create
    report = import_article(
        (DEMO_CONTENT / "sglt2-heart-failure.txt").read_bytes(),
        filename="sglt2-heart-failure.txt",
        references=read_references(
            (DEMO_CONTENT / "sglt2-heart-failure.references.ris").read_bytes(),
            filename="sglt2-heart-failure.references.ris",
        ),
        references_name="sglt2-heart-failure.references.ris",
        author=writer,
    )
    assert report.ok, report.lines()
    answer = report.answer
    # As the demo does: nobody has graded the sample's evidence, and the page says so.
    answer.certainty = "not_graded"
    answer.certainty_reason = NOT_GRADED_REASON
    answer.save()
    answer.submit(by=writer)
    approve(answer, clinician, change_summary="Test: re-reviewed.")

    # Placeholder signs, not medical content: the section's layout is what is checked.
    get_help = make_answer(
        question="Test question with a help section?",
        writers=[writer],
        sections=(
            ("What the research says", "prose", "A study found it [1]."),
            (
                "When to get help",
                "get_help",
                "See a doctor soon:\n- Sign A\nGet help today:\n- Sign B\n"
                "Call the emergency number now:\n- Sign C\n- Sign D",
            ),
        ),
    )
    get_help.submit(by=writer)
    approve(get_help, clinician, change_summary="Test: first review.")
    # A second live answer in the topic: the answer page lists it under "Related questions".
    related = make_answer(
        question="Test question of a related answer?",
        topic=answer.question.topic,
        writers=[writer],
    )
    related.submit(by=writer)
    approve(related, clinician, change_summary="Test: re-reviewed.")

    withdrawn = make_answer(question="Test question of a withdrawn answer?", writers=[writer])
    withdrawn.submit(by=writer)
    approve(withdrawn, clinician, change_summary="Test: re-reviewed.")
    withdrawn.withdraw(by=editor, reason="Test reason.")
    # A glossary term used by the sample, signed off through the workflow. Its definition is
    # a test placeholder, not medical content.
    term = GlossaryTerm(
        term="Ejection fraction",
        definition="Test: a placeholder definition, not medical advice.",
        other_names="Test-EF",
    )
    term._history_user = writer
    term.save()
    term.submit(by=writer)
    term.approve(by=clinician, password="pw", shown_hash=term.content_hash())
    SitePage.objects.create(
        slug="editorial-policy",
        title="Editorial policy",
        summary="Test: how answers are written and reviewed.",
        body="## How answers are written\n\nTest text, not a real policy.\n\n- Test item",
        is_published=True,
    )

    pages = {
        "home": ("/", 200),
        "topics": ("/topics/", 200),
        "topic": (answer.question.topic.get_absolute_url(), 200),
        "answer": (answer.get_absolute_url(), 200),
        "answer with when to get help": (get_help.get_absolute_url(), 200),
        "search with results": ("/search/?q=heart+failure", 200),
        "search without results": ("/search/?q=zzqxv", 200),
        "search with a suggestion": ("/search/?q=hart+failure", 200),
        "search form": ("/search/", 200),
        "not found (404)": ("/questions/no-such-answer/", 404),
        "withdrawn (410)": (withdrawn.get_absolute_url(), 410),
        "contributor (writer)": (writer.contributor.get_absolute_url(), 200),
        "contributor (clinician)": (clinician.contributor.get_absolute_url(), 200),
        "about pages": ("/about/", 200),
        "about page": ("/about/editorial-policy/", 200),
        "glossary": ("/glossary/", 200),
    }
    people = {"writer": writer, "clinician": clinician, "editor": editor}
    return pages, answer, people
