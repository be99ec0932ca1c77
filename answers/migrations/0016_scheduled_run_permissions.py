from django.contrib.auth.management import create_permissions
from django.db import migrations

from answers.roles import sync_groups


def give_scheduled_run_permissions(apps, schema_editor):
    """Editors see the scheduled jobs' runs (a new model in ops)."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("answers", "0015_published_answer_byline_writers"),
        ("ops", "0003_scheduled_run"),
    ]

    operations = [migrations.RunPython(give_scheduled_run_permissions, migrations.RunPython.noop)]
