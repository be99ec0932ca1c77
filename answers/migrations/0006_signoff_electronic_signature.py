import django.utils.timezone
from django.db import migrations, models


def record_signers(apps, schema_editor):
    """Sign-offs given before signatures were recorded: the reviewer's byline name today, and
    the meaning every approval has had."""
    SignOff = apps.get_model("answers", "SignOff")
    Contributor = apps.get_model("answers", "Contributor")
    for signoff in SignOff.objects.select_related("reviewer"):
        contributor = Contributor.objects.filter(user_id=signoff.reviewer_id).first()
        user = signoff.reviewer
        if contributor is not None:
            name = contributor.display_name
            if contributor.credentials:
                name = f"{name}, {contributor.credentials}"
        else:
            name = f"{user.first_name} {user.last_name}".strip() or user.username
        signoff.signer_name = name
        signoff.meaning = "Medically reviewed and approved"
        signoff.save(update_fields=["signer_name", "meaning"])


class Migration(migrations.Migration):
    dependencies = [
        ("answers", "0005_reference_notice_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="signoff",
            name="signer_name",
            field=models.CharField(
                default="",
                help_text="The signer's printed name with credentials, as it stood when they signed.",
                max_length=260,
                verbose_name="signed by",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="signoff",
            name="meaning",
            field=models.CharField(
                default="", max_length=100, verbose_name="meaning of the signature"
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="signoff",
            name="created_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="signed at"
            ),
        ),
        migrations.RunPython(record_signers, migrations.RunPython.noop),
    ]
