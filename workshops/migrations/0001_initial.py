"""Workshops and their dated sessions, as they were before runs existed."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Workshop",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                (
                    "title_ar",
                    models.CharField(blank=True, max_length=200, verbose_name="Arabic title"),
                ),
                ("slug", models.SlugField(max_length=200, unique=True)),
                ("description", models.TextField(blank=True)),
                (
                    "default_capacity",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Seats given to new sessions. Empty means unlimited.",
                        null=True,
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="default seats per session",
                    ),
                ),
                (
                    "is_active",
                    models.BooleanField(
                        default=True,
                        help_text="Inactive workshops are hidden and cannot be booked.",
                        verbose_name="active",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["title"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("default_capacity__isnull", True),
                            ("default_capacity__gte", 1),
                            _connector="OR",
                        ),
                        name="workshop_default_capacity_positive",
                        violation_error_message="Default seats must be at least 1, or empty for unlimited.",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="WorkshopSession",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField()),
                ("start_time", models.TimeField()),
                ("end_time", models.TimeField()),
                (
                    "capacity",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Seats in this session. Empty means unlimited.",
                        null=True,
                        validators=[django.core.validators.MinValueValidator(1)],
                    ),
                ),
                ("seats_taken", models.PositiveIntegerField(default=0)),
                (
                    "cancelled_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="Set when staff cancel the session. Empty means it runs.",
                        null=True,
                    ),
                ),
                ("metadata", models.JSONField(blank=True, default=dict)),
                (
                    "workshop",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="sessions",
                        to="workshops.workshop",
                    ),
                ),
            ],
            options={
                "ordering": ["date", "start_time", "id"],
                "indexes": [
                    models.Index(fields=["workshop", "date"], name="session_workshop_date_idx")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("end_time__gt", models.F("start_time"))),
                        name="session_end_time_after_start_time",
                        violation_error_message="A session must end after it starts.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("capacity__isnull", True), ("capacity__gte", 1), _connector="OR"
                        ),
                        name="session_capacity_positive",
                        violation_error_message="Capacity must be at least 1, or empty for unlimited.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("seats_taken__gte", 0)),
                        name="session_seats_taken_not_negative",
                        violation_error_message="Seats taken cannot be negative.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("capacity__isnull", True),
                            ("seats_taken__lte", models.F("capacity")),
                            _connector="OR",
                        ),
                        name="session_seats_taken_within_capacity",
                        violation_error_message="Seats taken cannot exceed the capacity.",
                    ),
                ],
            },
        ),
    ]
