"""EMAIL_URL: the outgoing mail server in one variable."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from qa_cms.email_url import CONSOLE, SMTP, parse_email_url


def test_starttls_with_credentials():
    assert parse_email_url("smtp://mailer:p%40ss@mail.example.org:587?tls=1&timeout=5") == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 5.0,
    }


def test_implicit_tls_and_default_ports():
    config = parse_email_url("smtps://u:p@mail.example.org")
    assert (config["EMAIL_PORT"], config["EMAIL_USE_SSL"], config["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )
    assert parse_email_url("smtp://relay")["EMAIL_PORT"] == 25
    assert parse_email_url("smtp://relay?tls=true")["EMAIL_PORT"] == 587
    assert parse_email_url("console://") == {"EMAIL_BACKEND": CONSOLE}


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://mail.example.org", "must start with smtp://"),
        ("smtps://h?tls=1", "not both"),
        ("smtp://h?tls=maybe", "tls='maybe'"),
        ("smtp://h:notaport", "EMAIL_URL"),
        ("smtp://h?timeout=soon", "timeout must be a number"),
    ],
)
def test_a_bad_url_says_what_is_wrong(url, says):
    with pytest.raises(ImproperlyConfigured, match=says):
        parse_email_url(url)


def _settings_in(env):
    import os
    import subprocess
    import sys

    code = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.DEFAULT_FROM_EMAIL, sep='|')"
    )
    environ = {k: v for k, v in os.environ.items() if k not in ("EMAIL_URL", "DEBUG")}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        env={**environ, "SECRET_KEY": "x", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1].split("|")


def test_make_run_prints_mail_and_production_reads_email_url():
    assert _settings_in({"DEBUG": "1"})[0] == CONSOLE
    backend, host, port, sender = _settings_in(
        {
            "DEBUG": "0",
            "EMAIL_URL": "smtp://u:p@mail.example.org:2525?tls=1",
            "DEFAULT_FROM_EMAIL": "Desk <desk@example.org>",
        }
    )
    assert (backend, host, port, sender) == (
        SMTP,
        "mail.example.org",
        "2525",
        "Desk <desk@example.org>",
    )
