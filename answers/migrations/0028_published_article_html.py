from django.db import migrations, models


def render_existing_articles(apps, schema_editor):
    """Snapshots published before article_html existed get theirs, rendered from their own
    fields as save() renders it (an update, so no purge: the page shows the same content)."""
    from answers.publishing import render_article

    PublishedAnswer = apps.get_model("answers", "PublishedAnswer")
    snapshots = PublishedAnswer.objects.using(schema_editor.connection.alias).filter(
        article_html=""
    )
    for snapshot in snapshots.iterator(chunk_size=200):
        PublishedAnswer.objects.using(schema_editor.connection.alias).filter(
            pk=snapshot.pk
        ).update(article_html=render_article(snapshot))


class Migration(migrations.Migration):
    dependencies = [
        ("answers", "0027_house_words"),
    ]

    operations = [
        migrations.AddField(
            model_name="publishedanswer",
            name="article_html",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="The approved content as the page shows it, rendered from this "
                "snapshot's own fields by save() (answers.publishing.render_article).",
            ),
        ),
        migrations.RunPython(render_existing_articles, migrations.RunPython.noop),
    ]
