from django.contrib.auth.management import create_permissions
from django.db import migrations

from answers.roles import sync_groups


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations: create them now to assign them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("answers", "0001_initial"),
        ("citations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
