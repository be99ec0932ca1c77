from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from 0006, so PostgreSQL adds the constraint after the rows are filled in."""

    dependencies = [
        ("answers", "0006_signoff_electronic_signature"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="signoff",
            constraint=models.CheckConstraint(
                condition=models.Q(("signer_name", ""), _negated=True)
                & models.Q(("meaning", ""), _negated=True),
                name="signoff_signer_and_meaning_recorded",
            ),
        ),
    ]
