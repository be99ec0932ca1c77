"""Brute force on the admin login (issue 8, item 1): a username from one address is locked
after AXES_FAILURE_LIMIT failures, told so, seen by administrators, and unlocked by command."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command

from tests.factories import make_editor, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


def log_in(client, username, password, address="127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    make_editor(username="editor")
    for _ in range(4):
        response = log_in(client, "editor", "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.text
    response = log_in(client, "editor", "wrong")
    assert response.status_code == 429

    response = log_in(client, "editor", "pw")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    text = response.text
    assert "This account is locked after 5 failed sign-in attempts" in text
    assert "“editor”" in text
    assert "Try again in 30 minutes" in text
    assert "ask an editor or the site administrator to unlock the account" in text


def test_the_lock_is_per_username_and_address(client):
    make_editor(username="editor")
    make_editor(username="other")
    for _ in range(5):
        log_in(client, "editor", "wrong")
    assert log_in(client, "other", "pw").status_code == 302
    client.logout()
    assert log_in(client, "editor", "pw", address="10.0.0.7").status_code == 302


def test_the_unlock_command_lets_the_person_in_again(client):
    make_editor(username="editor")
    for _ in range(5):
        log_in(client, "editor", "wrong")
    assert log_in(client, "editor", "pw").status_code == 429

    call_command("axes_reset_username", "editor", verbosity=0)

    response = log_in(client, "editor", "pw")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_the_lock_lifts_after_the_cool_off(client):
    make_editor(username="editor")
    for _ in range(5):
        log_in(client, "editor", "wrong")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=31)
    )
    assert log_in(client, "editor", "pw").status_code == 302


def test_a_success_resets_the_count(client):
    make_editor(username="editor")
    for _ in range(4):
        log_in(client, "editor", "wrong")
    assert log_in(client, "editor", "pw").status_code == 302
    client.logout()
    for _ in range(4):
        assert log_in(client, "editor", "wrong").status_code == 200


def test_administrators_see_the_lockouts_in_the_admin(client):
    make_editor(username="editor")
    for _ in range(5):
        log_in(client, "editor", "wrong")
    client.force_login(make_user(superuser=True))
    response = client.get("/admin/axes/accessattempt/")
    assert response.status_code == 200
    assert "editor" in response.text
    assert "127.0.0.1" in response.text
