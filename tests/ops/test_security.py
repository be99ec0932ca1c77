"""Secure by default (issue 8, item 11): with DEBUG off and only SECRET_KEY and ALLOWED_HOSTS
set, `check --deploy` finds nothing and every HTTPS protection is on; the environment can
turn one off, never has to turn one on. Each test starts Django afresh in a subprocess
with exactly the environment it names."""

import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

# GETs the admin login page (no database query) and prints what a browser would see.
FETCH = """
import json, django
django.setup()
from django.test import Client
result = {}
for name, kwargs in {"http": {}, "https": {"secure": True},
                     "proxied": {"headers": {"x-forwarded-proto": "https"}}}.items():
    response = Client().get("/admin/login/", **kwargs)
    result[name] = {
        "status": response.status_code,
        "location": response.get("Location"),
        "hsts": response.get("Strict-Transport-Security"),
        "cookie_secure": bool(response.cookies["csrftoken"]["secure"]) if "csrftoken" in response.cookies else None,
    }
print(json.dumps(result))
"""


def run(args, **env):
    """Runs Python in the project with only PATH, the settings module and `env`."""
    base = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "qa_cms.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver,example.org",
    }
    return subprocess.run(
        [sys.executable, *args],
        env={**base, **env},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def fetch(**env):
    # Rendering a page needs static file names; the suite runs no collectstatic.
    result = run(["-c", FETCH], STATIC_MANIFEST="0", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_finds_nothing_with_only_secret_key_and_allowed_hosts():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_https_protections_are_on_by_default():
    pages = fetch()
    assert pages["http"]["status"] == 301
    assert pages["http"]["location"] == "https://testserver/admin/login/"
    assert pages["https"]["status"] == 200
    assert pages["https"]["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert pages["https"]["cookie_secure"] is True
    # Without SECURE_PROXY_SSL_HEADER a forwarded header proves nothing.
    assert pages["proxied"]["status"] == 301


def test_the_proxy_header_is_trusted_only_when_named():
    pages = fetch(SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https")
    assert pages["proxied"]["status"] == 200
    assert pages["proxied"]["hsts"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.parametrize(
    ("env", "expected_hsts"),
    [
        ({"SECURE_HSTS_SECONDS": "300"}, "max-age=300; includeSubDomains; preload"),
        (
            {"SECURE_HSTS_INCLUDE_SUBDOMAINS": "0", "SECURE_HSTS_PRELOAD": "0"},
            "max-age=31536000",
        ),
        ({"SECURE_HSTS_SECONDS": "0"}, None),
    ],
)
def test_hsts_can_be_turned_down_from_the_environment(env, expected_hsts):
    assert fetch(**env)["https"]["hsts"] == expected_hsts


def test_redirect_and_secure_cookies_can_be_turned_off_for_plain_http():
    pages = fetch(SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0")
    assert pages["http"]["status"] == 200
    assert pages["http"]["cookie_secure"] is False
