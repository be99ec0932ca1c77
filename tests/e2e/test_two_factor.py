"""Two-factor sign-in in a real browser, with REQUIRE_2FA on: an editor is sent to set it up
after the password, scans (here: reads) the key, confirms with a code, keeps the recovery
codes; the next sign-in asks for the code after the password. A writer is not forced."""

import re
import time

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.helpers import PASSWORD, log_in, screenshot
from tests.factories import make_editor, make_writer, totp_code

pytestmark = pytest.mark.e2e


def type_password(page, username):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_editor_sets_up_two_factor_and_signs_in_with_a_code(browse, settings, artifacts):
    settings.REQUIRE_2FA = True
    editor = make_editor(username="editor", display_name="Test Editor")
    watch = browse("editor")
    page = watch.page

    # After the password, the editor must set up an app before anything else.
    type_password(page, "editor")
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.get_by_text("Medical reviewers and editors sign in with a code")).to_be_visible()
    page.goto("/admin/answers/answer/")
    expect(page).to_have_url(re.compile(r"/admin/two-factor/set-up/$"))
    qr = page.get_by_role("img", name="QR code to add this account to an authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    secret = page.locator("#two-factor-secret").text_content().replace(" ", "")
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    assert f"secret={secret}" in device.config_url
    screenshot(page, "2fa-01-set-up")

    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("Your recovery codes are shown only this once")).to_be_visible()
    codes = page.locator("ol.qa-recovery-codes li").all_text_contents()
    assert len(codes) == 10
    screenshot(page, "2fa-02-recovery-codes")
    page.get_by_role("link", name="Continue to the editorial desk").click()
    expect(page.get_by_role("heading", name="Editorial desk")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # The next sign-in asks for the code after the password; a wrong one is refused.
    type_password(page, "editor")
    expect(page.get_by_text("Your password was right.")).to_be_visible()
    page.get_by_label("Code").fill("000000" if totp_code(device) != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("That code was not right")
    screenshot(page, "2fa-03-wrong-code")
    time.sleep(1.1)  # django-otp's wait after a wrong code
    device.refresh_from_db()
    # The code that confirmed the app is spent; the app's next one is accepted.
    page.get_by_label("Code").fill(totp_code(device, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Editorial desk")).to_be_visible()
    watch.check()


def test_writer_is_not_forced_to_set_it_up(browse, settings):
    settings.REQUIRE_2FA = True
    make_writer(username="writer")
    watch = browse("writer")
    log_in(watch, "writer")
    watch.page.get_by_role("link", name="Two-factor sign-in").click()
    expect(watch.page.get_by_text("It is optional for your role")).to_be_visible()
    watch.check()
