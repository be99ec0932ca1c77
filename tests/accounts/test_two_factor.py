"""Two-factor sign-in for staff (issue 8, item 2): setting up an app from the admin, the code
after the password, single-use recovery codes, and REQUIRE_2FA for reviewers and editors."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_clinician, make_editor, make_user, make_writer, totp_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
ENROL = reverse("two_factor_enrol")
VERIFY = reverse("two_factor_verify")
QR = reverse("two_factor_qr")


def sign_in(user, password="pw"):
    """A password login on the admin's own page, as a person does it."""
    client = Client()
    response = client.post(LOGIN, {"username": user.username, "password": password, "next": INDEX})
    assert response.status_code == 302, response.text
    return client


def codes_on(page):
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.text)


def enrol(client, user):
    """Set up the app through the pages; returns the device and the recovery codes shown."""
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.post(ENROL, {"code": totp_code(device)})
    assert page.status_code == 200
    device.refresh_from_db()
    return device, codes_on(page)


def test_a_staff_member_sets_up_an_app_from_the_admin():
    writer = make_writer()
    client = sign_in(writer)
    assert 'href="/admin/two-factor/"' in client.get(INDEX).text
    page = client.get(ENROL)
    device = TOTPDevice.objects.get(user=writer, confirmed=False)
    assert f'src="{QR}"' in page.text
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page.text).group(1)
    assert secret.replace(" ", "") in device.config_url
    image = client.get(QR)
    assert image["Content-Type"] == "image/svg+xml"
    assert "no-store" in image["Cache-Control"]
    svg = image.content.decode()
    assert svg.lstrip().startswith("<?xml") or svg.lstrip().startswith("<svg")
    assert "<script" not in svg and "style=" not in svg

    wrong = client.post(ENROL, {"code": "000000" if totp_code(device) != "000000" else "111111"})
    assert "That code was not right" in wrong.text
    device.refresh_from_db()
    assert not device.confirmed
    # django-otp makes the next try wait, right code or not.
    throttled = client.post(ENROL, {"code": totp_code(device)})
    assert "Too many wrong codes in a row: wait 1 second, then type the code again." in (
        throttled.text
    )
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):  # past the wait
        done = client.post(ENROL, {"code": totp_code(device)})
    assert "Two-factor sign-in is on" in done.text
    assert "shown only this once" in done.text
    codes = codes_on(done)
    assert len(codes) == len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    # This session typed the code: the admin opens without asking again.
    assert client.get(INDEX).status_code == 200
    # The recovery codes are not shown again.
    overview = client.get(reverse("two_factor")).text
    assert "You have 10 unused recovery codes" in overview
    assert not set(codes) & set(re.findall(r"[a-z2-7]{8}", overview))


def test_after_the_password_the_admin_asks_for_the_code():
    editor = make_editor()
    device, _ = enrol(sign_in(editor), editor)
    client = sign_in(editor)
    for path in (INDEX, reverse("admin:answers_answer_changelist")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"{VERIFY}?next={path.replace('/', '%2F')}"
    page = client.get(VERIFY)
    assert "Your password was right" in page.text
    wrong = client.post(VERIFY, {"code": "12345", "next": INDEX})
    assert "That code was not right" in wrong.text
    assert client.get(INDEX).status_code == 302
    # The code used to enrol is spent: the app's next one is accepted, after django-otp's
    # wait following a wrong code.
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        response = client.post(VERIFY, {"code": totp_code(device, steps_ahead=1), "next": INDEX})
    assert response.status_code == 302 and response["Location"] == INDEX
    assert client.get(INDEX).status_code == 200


def test_the_code_page_sends_nobody_elsewhere():
    editor = make_editor()
    device, _ = enrol(sign_in(editor), editor)
    client = sign_in(editor)
    response = client.post(
        VERIFY, {"code": totp_code(device, steps_ahead=1), "next": "https://evil.example/"}
    )
    assert response["Location"] == INDEX


def test_a_recovery_code_works_once():
    clinician = make_clinician()
    _, codes = enrol(sign_in(clinician), clinician)
    first = sign_in(clinician)
    response = first.post(VERIFY, {"code": codes[0].upper(), "next": INDEX}, follow=True)
    assert response.status_code == 200
    assert "cannot be used again. 9 recovery codes left." in response.text

    second = sign_in(clinician)
    refused = second.post(VERIFY, {"code": codes[0], "next": INDEX})
    assert "That code was not right" in refused.text
    assert second.get(INDEX).status_code == 302
    assert StaticToken.objects.filter(device__user=clinician).count() == 9


def test_new_recovery_codes_replace_the_old_ones():
    writer = make_writer()
    client = sign_in(writer)
    _, old = enrol(client, writer)
    page = client.post(reverse("two_factor_recovery_codes"))
    new = codes_on(page)
    assert len(new) == 10 and not set(new) & set(old)
    assert "Your earlier codes no longer work" in page.text
    assert set(StaticToken.objects.filter(device__user=writer).values_list("token", flat=True)) == (
        set(new)
    )


@pytest.mark.parametrize("role", [make_clinician, make_editor])
def test_require_2fa_sends_reviewers_and_editors_to_set_it_up(settings, role):
    settings.REQUIRE_2FA = True
    user = role()
    client = sign_in(user)
    for path in (INDEX, reverse("admin:answers_answer_changelist"), reverse("two_factor")):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == ENROL
    page = client.get(ENROL)
    assert "Medical reviewers and editors sign in with a code" in page.text
    assert client.get(QR).status_code == 200
    enrol(client, user)
    assert client.get(INDEX).status_code == 200


def test_require_2fa_applies_to_superusers(settings):
    settings.REQUIRE_2FA = True
    client = sign_in(make_user(superuser=True))
    assert client.get(INDEX)["Location"] == ENROL


def test_require_2fa_does_not_force_writers(settings):
    settings.REQUIRE_2FA = True
    client = sign_in(make_writer())
    assert client.get(INDEX).status_code == 200
    assert "It is optional for your role" in client.get(reverse("two_factor")).text


def test_without_require_2fa_nobody_is_forced(settings):
    assert settings.REQUIRE_2FA is False
    for role in (make_clinician, make_editor):
        assert sign_in(role()).get(INDEX).status_code == 200


def test_public_pages_never_ask_for_a_code(settings):
    settings.REQUIRE_2FA = True
    client = sign_in(make_editor())
    assert client.get(reverse("home")).status_code == 200
