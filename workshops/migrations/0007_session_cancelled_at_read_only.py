"""Staff cancel a session through the cancel action only; the time is not a form field.

No change to the database.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0006_workshop_price"),
    ]

    operations = [
        migrations.AlterField(
            model_name="workshopsession",
            name="cancelled_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="Set when staff cancel the session. Empty means it runs.",
                null=True,
            ),
        ),
    ]
