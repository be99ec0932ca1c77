"""On SQLite only: the FTS5 search index of the publication snapshots, the triggers keeping it
in step, and the covering indexes of the public listings (see answers.public.sqlite_search).
PostgreSQL searches its GIN-indexed search_vector and needs none of them."""

from django.db import migrations


def install(apps, schema_editor):
    from answers.public.sqlite_search import install

    install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from answers.public.sqlite_search import uninstall

    uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("answers", "0016_scheduled_run_permissions"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
