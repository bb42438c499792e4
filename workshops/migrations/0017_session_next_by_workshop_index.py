"""The store finds each workshop's next session with one index step (``store_workshops``)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0016_fill_search_document"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="workshopsession",
            index=models.Index(
                condition=models.Q(("cancelled_at__isnull", True)),
                fields=["workshop", "date", "start_time"],
                name="session_next_by_workshop_idx",
            ),
        ),
    ]
