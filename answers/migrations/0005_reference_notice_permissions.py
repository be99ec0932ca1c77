from django.contrib.auth.management import create_permissions
from django.db import migrations

from answers.roles import sync_groups


def give_notice_permissions(apps, schema_editor):
    """The groups' permissions on reference notices and retraction checks (new models)."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("answers", "0004_audit_reason_text"),
        ("citations", "0003_reference_notices_and_retraction_checks"),
    ]

    operations = [migrations.RunPython(give_notice_permissions, migrations.RunPython.noop)]
