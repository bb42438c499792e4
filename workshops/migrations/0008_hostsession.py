"""Host links (``host_session``): one private link per session, for taking attendance.

Creates ``HostSession``: a one-to-one to the session (one link per session; the
foreign key refuses a link to a session that does not exist), a token unique and
checked to be 22 to 64 URL-safe characters, who created it and when it was last
rotated. A new, empty table: nothing to repair. 0009 names the one-to-one's
constraints on PostgreSQL.
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import workshops.models


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0007_session_cancelled_at_read_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HostSession",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "token",
                    models.CharField(
                        default=workshops.models.new_host_token,
                        editable=False,
                        max_length=64,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Za-z0-9_-]{22,64}$",
                                "A host token is 22 to 64 URL-safe characters (at least 128 random bits).",
                            )
                        ],
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                (
                    "rotated_at",
                    models.DateTimeField(
                        blank=True,
                        editable=False,
                        help_text="When the token was last replaced.",
                        null=True,
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        help_text="Who provisioned it; empty when it came from the command line.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "session",
                    models.OneToOneField(
                        error_messages={"unique": "This session already has a host link."},
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="host_link",
                        to="workshops.workshopsession",
                    ),
                ),
            ],
            options={
                "verbose_name": "host link",
                "ordering": ["session__date", "session__start_time", "session_id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("token",),
                        name="host_session_token_unique",
                        violation_error_message="Another host link already has this token.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("token__regex", "^[A-Za-z0-9_-]{22,64}$")),
                        name="host_session_token_format",
                        violation_error_message="A host token is 22 to 64 URL-safe characters (at least 128 random bits).",
                    ),
                ],
            },
        ),
    ]
