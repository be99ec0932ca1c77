"""The stored search document of each snapshot, GIN-indexed on PostgreSQL (where search is
full-text); SQLite keeps the column empty and searches with its simple fallback."""

import django.contrib.postgres.search
from django.db import migrations

INDEX = "answers_publishedanswer_search_gin"


def fill_and_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from answers.models import search_document_of_columns

    PublishedAnswer = apps.get_model("answers", "PublishedAnswer")
    PublishedAnswer.objects.update(search_vector=search_document_of_columns())
    schema_editor.execute(
        f"CREATE INDEX {INDEX} ON answers_publishedanswer USING gin (search_vector)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("answers", "0011_trust_on_the_page"),
    ]

    operations = [
        migrations.AddField(
            model_name="publishedanswer",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False,
                help_text="On PostgreSQL, the search document kept by save() (GIN-indexed); "
                "empty elsewhere.",
                null=True,
            ),
        ),
        migrations.RunPython(fill_and_index, drop_index, elidable=False),
    ]
