"""The writer's desk as production serves it: collectstatic's content-hashed modules served
by WhiteNoise (not the development static handler), in a real browser. Each step crosses a
module boundary of static/js/desk/: a kept draft comes back (drafts -> form -> preview), the
preview follows typing (main -> preview), and citing numbers a new work after a marker
typed but not saved (cite -> markers, with the grammar the server sent).

Text and references here are fake test data (tests.factories)."""

import re
import threading

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.testcases import LiveServerThread
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP
from tests.e2e.helpers import BrowserWatch, log_in
from tests.factories import draft, make_reference
from tests.ops.test_serving import DESK_MODULES, HASHED_MODULE_RE, PRODUCTION_STORAGE

pytestmark = pytest.mark.e2e

TYPED = " Test sentence typed on the hashed desk [4]."
RESTORED = "- Test question kept across the reload?"


@pytest.fixture
def production_server(settings, tmp_path, transactional_db):
    """A live server whose static files come only from STATIC_ROOT, through WhiteNoise."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    settings.WHITENOISE_USE_FINDERS = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    call_command("collectstatic", interactive=False, verbosity=0)
    shared = {
        conn.alias: conn
        for conn in connections.all()
        if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }
    for conn in shared.values():
        conn.inc_thread_sharing()
    # No static handler in front: WhiteNoise, in the middleware, serves /static/ as in production.
    thread = LiveServerThread(
        "localhost", static_handler=lambda app: app, connections_override=shared
    )
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()
    # Request threads are daemons the server does not wait for; one still closing its
    # connection would use the shared in-memory database after it stops being shared.
    for request_thread in threading.enumerate():
        if "process_request_thread" in request_thread.name:
            request_thread.join(timeout=10)
    for conn in shared.values():
        conn.dec_thread_sharing()


@pytest.fixture
def desk_context(chromium, production_server):
    """A browser profile on the production server, closed before the server stops."""
    context = chromium.new_context(viewport=DESKTOP, base_url=production_server)
    context.set_default_timeout(15_000)
    yield context
    context.close()


def test_the_desk_works_from_hashed_static_files(desk_context, groups):
    answer, writer = draft(
        lead="Test short answer [1].",
        sections=[
            ("What the research says", "prose", "Test finding [1]."),
            ("What to ask your doctor", "questions", "- Test question?"),
        ],
        references={"1": make_reference(title="Test reference already cited")},
    )
    make_reference(title="Test reference for the hashed desk")
    context = desk_context
    watch = BrowserWatch(context, "writer")
    scripts = []
    context.on(
        "response",
        lambda r: scripts.append((r.url, r.status)) if "/static/js/desk/" in r.url else None,
    )
    page = log_in(watch, writer.username)
    change_url = f"/admin/answers/answer/{answer.pk}/change/"
    page.goto(change_url)

    # The preview follows typing.
    body = page.locator("#id_sections-0-body")
    preview = page.frame_locator("#qa-desk-frame")
    body.focus()
    page.keyboard.press("End")
    page.keyboard.type(TYPED)
    expect(preview.locator("section.answer-section").first).to_contain_text(
        "Test sentence typed on the hashed desk", timeout=15_000
    )
    expect(page.locator("#qa-desk-status")).to_contain_text("Preview updated")

    # Every module came from a content-hashed name, all ten of them.
    loaded = {HASHED_MODULE_RE.search(url).group(1) for url, status in scripts if status == 200}
    assert all(HASHED_MODULE_RE.search(url) and status == 200 for url, status in scripts), scripts
    assert loaded == DESK_MODULES

    # Citing a new work: [4] typed (no row yet) is taken, so the work becomes [5].
    page.locator("#id_sections-0-body-cite").click()
    dialog = page.get_by_role("dialog", name="Cite from the library")
    dialog.get_by_label("Search the reference library").fill("hashed desk")
    result = dialog.get_by_role("listitem").get_by_role("button")
    expect(result).to_contain_text("cite as [5]")
    result.click()
    expect(body).to_have_value("Test finding [1]." + TYPED + " [5]")
    expect(page.locator("#id_citations-1-label")).to_have_value("5")
    # The work already cited keeps its number.
    page.locator("#id_sections-0-body-cite").click()
    dialog.get_by_label("Search the reference library").fill("already cited")
    expect(result).to_contain_text("already cited as [1]")
    result.click()
    expect(body).to_have_value(re.compile(r"\[5\] \[1\]$"))
    expect(page.locator("#id_citations-2-label")).to_have_count(0)

    # The next visit offers the kept draft back; restoring it updates the preview.
    page.locator("#id_sections-1-body").fill(RESTORED)
    page.close()  # not a reload: leaving with unsaved changes asks first
    page = context.new_page()
    page.goto(change_url)
    preview = page.frame_locator("#qa-desk-frame")
    expect(page.locator("#id_sections-1-body")).to_have_value("- Test question?")
    restore = page.get_by_role("button", name="Restore my unsaved changes")
    expect(restore).to_be_focused()
    restore.click()
    expect(page.locator("#id_sections-1-body")).to_have_value(RESTORED)
    expect(page.locator("#id_citations-1-label")).to_have_value("5")
    expect(preview.locator("section.answer-section").nth(1)).to_contain_text(
        "Test question kept across the reload?"
    )
    watch.check()
