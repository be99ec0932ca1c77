"""The stored search document of each translated snapshot, in its language's text-search
configuration, filled for the rows already published and GIN-indexed on PostgreSQL (where
search is full-text); SQLite keeps the column empty and searches with its fallback."""

import django.contrib.postgres.search
from django.db import migrations

INDEX = "answers_publishedtranslation_search_gin"


def fill_and_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from answers.models.translations import translation_search_document_of_columns

    PublishedTranslation = apps.get_model("answers", "PublishedTranslation")
    rows = PublishedTranslation.objects.using(schema_editor.connection.alias)
    for language in rows.values_list("language", flat=True).distinct().order_by():
        rows.filter(language=language).update(
            search_vector=translation_search_document_of_columns(language)
        )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON answers_publishedtranslation USING gin (search_vector)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("answers", "0036_topic_names"),
    ]

    operations = [
        migrations.AlterField(
            model_name="publishedtranslation",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False,
                help_text="On PostgreSQL, the search document in the language's configuration, "
                "kept by save() (GIN-indexed); empty elsewhere.",
                null=True,
            ),
        ),
        migrations.RunPython(fill_and_index, drop_index, elidable=False),
    ]
