"""Backup and restore end to end: publish through the real workflow, back up, restore into a
new empty database in another process, and find the same public pages, sign-off hashes and an
intact audit log. Runs on the suite's database engine (SQLite, or PostgreSQL with
DATABASE_URL)."""

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from answers.models import Answer, SignOff
from tests.factories import make_clinician, public_page, publish_answer

ROOT = Path(settings.BASE_DIR)
RESTORED_PG = "qa_cms_audit_restore_test"


@contextmanager
def empty_database(tmp_path):
    """A DATABASE_URL for a new, empty database of the suite's engine, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    params = connection.settings_dict
    server = dict(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with psycopg.connect(**server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{RESTORED_PG}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{RESTORED_PG}"')
    auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    try:
        yield f"postgres://{auth}@{server['host']}:{server['port']}/{RESTORED_PG}"
    finally:
        with psycopg.connect(**server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{RESTORED_PG}" WITH (FORCE)')


def manage(database_url, *args):
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_serves_the_same_site(tmp_path, groups):
    first = publish_answer()
    second = publish_answer(clinician=make_clinician(display_name="Dr Ann Lee"))
    slugs = [Answer.objects.get(pk=a.pk).question.slug for a in (first, second)]
    expected_pages = {}
    for answer, slug in zip((first, second), slugs, strict=True):
        response = public_page(answer)
        assert response.status_code == 200
        expected_pages[slug] = [200, response.content.decode()]
    expected_signoffs = sorted(SignOff.objects.values_list("pk", "content_hash"))
    assert len(expected_signoffs) == 2

    backup = tmp_path / "site.backup"
    call_command("backup", str(backup))
    assert backup.stat().st_size > 0

    with empty_database(tmp_path) as target:
        restored = manage(target, "manage.py", "restore", str(backup))
        assert restored.returncode == 0, restored.stderr
        assert "Restored " in restored.stdout
        assert "Audit log intact" in restored.stdout

        site = manage(target, "-m", "tests.audit.restored_site", *slugs)
        assert site.returncode == 0, site.stderr
        seen = json.loads(site.stdout)
        assert seen["signoffs"] == [list(s) for s in expected_signoffs]
        assert seen["pages"] == expected_pages
        assert seen["verify"].startswith("Audit log intact")


@pytest.mark.django_db(transaction=True)
def test_restore_with_force_replaces_what_the_database_holds(tmp_path, groups):
    kept = publish_answer()
    backup = tmp_path / "site.backup"
    call_command("backup", str(backup))
    later = publish_answer()
    later_slug = Answer.objects.get(pk=later.pk).question.slug

    out = StringIO()
    call_command("restore", str(backup), "--force", stdout=out)
    assert "Audit log intact" in out.getvalue()
    assert list(Answer.objects.values_list("pk", flat=True)) == [kept.pk]
    assert SignOff.objects.get().answer_id == kept.pk
    assert public_page(kept).status_code == 200
    assert Client().get(reverse("question", args=[later_slug])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    backup = tmp_path / "site.backup"
    call_command("backup", str(backup))
    with pytest.raises(CommandError, match="The database is not empty .* add --force"):
        call_command("restore", str(backup))


@pytest.mark.django_db(transaction=True)
def test_backup_does_not_overwrite_a_file_by_accident(tmp_path):
    backup = tmp_path / "site.backup"
    backup.write_text("an earlier backup")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(backup))
    assert backup.read_text() == "an earlier backup"


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, transactional_db):
    stray = tmp_path / "notes.txt"
    stray.write_text("not a backup")
    with pytest.raises(CommandError, match="not a backup made by"):
        call_command("restore", str(stray), "--force")
