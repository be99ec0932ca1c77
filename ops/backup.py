"""Consistent backups of the site's state, and restoring one into an empty database.

The database is the whole state: imports are read in memory and nothing is uploaded to
MEDIA_ROOT (a backup warns if files appear there). One backup is one file:
- SQLite: a copy made with SQLite's online backup API (a consistent snapshot while the site
  runs; WAL mode lets writers go on meanwhile), itself a SQLite database;
- PostgreSQL: `pg_dump --format=custom` (one snapshot), restored with `pg_restore`.
"""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    pass


def engine_of(alias) -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def kind_of_file(path: Path) -> str:
    with open(path, "rb") as file:
        start = file.read(16)
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a backup made by `manage.py backup`.")


def media_files() -> list[Path]:
    """Files under MEDIA_ROOT, which the database backup does not hold."""
    root = getattr(settings, "MEDIA_ROOT", "")
    if not root or not Path(root).is_dir():
        return []
    return [p for p in Path(root).rglob("*") if p.is_file()]


def _pg_command(program, alias):
    """`program` with the connection options of database `alias`, and its environment."""
    params = connections[alias].settings_dict
    args = [program, "--no-password"]
    if params.get("HOST"):
        args += ["--host", params["HOST"]]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", params["USER"]]
    env = dict(os.environ)
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]
    return args, env, params["NAME"]


def _run(args, env):
    if shutil.which(args[0]) is None:
        raise BackupError(f"{args[0]} is not installed (PostgreSQL's client programs).")
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed: {done.stderr.strip()}")


def back_up(path: Path, *, alias="default") -> str:
    """Write a consistent backup of database `alias` to `path` (through a temporary file in
    the same folder, so a failed backup never leaves a partial file under that name)."""
    vendor = engine_of(alias)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if vendor == "sqlite":
            with _sqlite(alias) as source, closing(sqlite3.connect(partial)) as target:
                source.backup(target)
        else:
            args, env, name = _pg_command("pg_dump", alias)
            _run([*args, "--format=custom", "--file", str(partial), name], env)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return vendor


def _sqlite(alias):
    """A connection of its own to database `alias` (a file, or the tests' shared in-memory
    database): the backup reads what is committed, as any other reader does."""
    params = connections[alias].settings_dict
    timeout = params.get("OPTIONS", {}).get("timeout", 20)
    return closing(sqlite3.connect(str(params["NAME"]), uri=True, timeout=timeout))


def table_names(alias) -> list[str]:
    with connections[alias].cursor() as cursor:
        return connections[alias].introspection.table_names(cursor)


def restore(path: Path, *, alias="default", force=False) -> str:
    """Restore backup `path` into database `alias`, which must be empty unless `force`
    (then everything in it is dropped first)."""
    vendor = engine_of(alias)
    kind = kind_of_file(path)
    if kind != vendor:
        raise BackupError(
            f"{path} is a {kind} backup, but the database is {vendor}: restore it into a "
            f"{kind} database."
        )
    tables = table_names(alias)
    if tables and not force:
        raise BackupError(
            f"The database is not empty ({len(tables)} tables), so nothing was restored. "
            "Restore into an empty database, or add --force to replace everything in it."
        )
    connection = connections[alias]
    connection.close()
    if vendor == "sqlite":
        with closing(sqlite3.connect(path)) as source, _sqlite(alias) as target:
            source.backup(target)
    else:
        if tables:
            _drop_everything(alias)
            connection.close()
        args, env, name = _pg_command("pg_restore", alias)
        _run(
            [
                *args,
                "--dbname",
                name,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                str(path),
            ],
            env,
        )
    connection.close()
    return vendor


def _drop_everything(alias):
    """--force on PostgreSQL: drop every table, view and sequence of the schema in use."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        cursor.execute(
            "SELECT format('DROP %%s IF EXISTS %%I.%%I CASCADE', kind, schemaname, name) FROM ("
            " SELECT 'TABLE' AS kind, schemaname, tablename AS name FROM pg_tables"
            " UNION ALL SELECT 'VIEW', schemaname, viewname FROM pg_views"
            " UNION ALL SELECT 'SEQUENCE', schemaname, sequencename FROM pg_sequences"
            ") AS objects WHERE schemaname = %s",
            [schema],
        )
        for (statement,) in cursor.fetchall():
            cursor.execute(statement)
