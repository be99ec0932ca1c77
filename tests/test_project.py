"""Project-wide guarantees: migrations match the models, settings refuse unsafe starts,
the roles have exactly the permissions they need, and the README stays short and leads to
every document."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from answers.roles import GROUP_PERMISSIONS


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='qa_cms.settings'; django.setup()",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def site_url_with(**env):
    base = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT")}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='qa_cms.settings'; "
            "django.setup(); from django.conf import settings; print(settings.SITE_URL)",
        ],
        env={**base, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_the_address_follows_the_port_unless_site_url_is_set():
    assert site_url_with() == "http://127.0.0.1:8000"
    assert site_url_with(PORT="8702") == "http://127.0.0.1:8702"
    assert site_url_with(PORT="8702", SITE_URL="https://answers.example.org/") == (
        "https://answers.example.org"
    )


def test_make_passes_the_port_and_the_address_to_what_it_runs(tmp_path):
    """Every process make starts (honcho gives the worker and the scheduler other PORTs)
    links to the served port."""
    probe = tmp_path / "probe.mk"
    probe.write_text('include Makefile\nprobe-port:\n\t@echo "$$PORT $$SITE_URL"\n')
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT")}
    result = subprocess.run(
        ["make", "-s", "-f", str(probe), "probe-port", "PORT=8702"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "8702 http://127.0.0.1:8702"


@pytest.mark.django_db
def test_groups_have_exactly_their_permissions():
    for name, perms in GROUP_PERMISSIONS.items():
        group = Group.objects.get(name=name)
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert granted == set(perms)
    reviewers = GROUP_PERMISSIONS["Medical reviewers"]
    assert "answers.change_answer" not in reviewers
    assert "answers.submit_answer" not in reviewers
    assert "answers.review_answer" not in GROUP_PERMISSIONS["Writers"]
    assert "answers.review_answer" not in GROUP_PERMISSIONS["Editors"]


ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_stays_short_and_indexes_every_document():
    """A newcomer reads the README in ten minutes and finds the rest from its index. Links
    to documents not in this tree are not checked: the index may name a document a branch
    still being merged adds."""
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 250, "move the detail into docs/"
    linked = set(re.findall(r"\]\((docs/[^)#\s]+\.md)", readme))
    present = {f"docs/{path.name}" for path in (ROOT / "docs").glob("*.md")}
    assert present - linked == set(), "add each document to the README's index"
