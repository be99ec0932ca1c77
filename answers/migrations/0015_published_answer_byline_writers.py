from django.conf import settings
from django.db import migrations, models


def fill_from_bylines(apps, schema_editor):
    """Each snapshot's byline names its writers by contributor address; a byline whose
    addresses no longer match (or that has none) falls back to the answer's writers."""
    PublishedAnswer = apps.get_model("answers", "PublishedAnswer")
    Contributor = apps.get_model("answers", "Contributor")
    for snapshot in PublishedAnswer.objects.select_related("answer"):
        slugs = [w.get("slug") for w in snapshot.data.get("writers", []) if w.get("slug")]
        users = list(Contributor.objects.filter(slug__in=slugs).values_list("user", flat=True))
        if len(users) < len(snapshot.data.get("writers", [])):
            users = list(snapshot.answer.writers.values_list("pk", flat=True))
        snapshot.writers.set(users)


class Migration(migrations.Migration):
    dependencies = [
        ("answers", "0014_answer_certainty_not_yet_graded"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="publishedanswer",
            name="writers",
            field=models.ManyToManyField(
                blank=True,
                help_text="The writers the approved byline names (the draft's may differ).",
                related_name="bylines",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(fill_from_bylines, migrations.RunPython.noop),
    ]
