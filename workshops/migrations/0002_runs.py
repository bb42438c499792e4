"""Runs arrive: a session may now name a run, but old sessions have none yet.

The link is nullable here; 0003 repairs the data and 0004 makes it required.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workshops", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="WorkshopRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                (
                    "name_ar",
                    models.CharField(blank=True, max_length=200, verbose_name="Arabic name"),
                ),
                ("start_date", models.DateField()),
                ("end_date", models.DateField()),
                (
                    "is_default",
                    models.BooleanField(
                        default=False,
                        help_text="Made by the upgrade for sessions that had no valid run. One per workshop.",
                        verbose_name="default run",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "workshop",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="runs",
                        to="workshops.workshop",
                    ),
                ),
            ],
            options={
                "ordering": ["workshop__title", "start_date", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("end_date__gte", models.F("start_date"))),
                        name="run_end_date_after_start_date",
                        violation_error_message="A run cannot end before it starts.",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="workshopsession",
            name="run",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sessions",
                to="workshops.workshoprun",
            ),
        ),
        migrations.AddField(
            model_name="workshopsession",
            name="number",
            field=models.PositiveSmallIntegerField(
                null=True,
                help_text="Day 1, Day 2, ... unique within its run.",
                validators=[django.core.validators.MinValueValidator(1)],
            ),
        ),
    ]
