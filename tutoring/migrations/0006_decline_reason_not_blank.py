"""A declined request's reason may not be only spaces, in the database too.

Rows declined with a reason of spaces first get the words the upgrade gives a
decline without a reason, so the stricter check can be added.
"""

import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models
from django.db.models.functions import Length, Trim

NO_REASON = "No reason was recorded."


def fill_blank_reasons(apps, schema_editor) -> None:
    Request = apps.get_model("tutoring", "SessionRequest")
    Request.objects.using(schema_editor.connection.alias).filter(status="rejected").annotate(
        kept=Length(Trim("decline_reason"))
    ).filter(kept=0).update(decline_reason=NO_REASON)


class Migration(migrations.Migration):
    dependencies = [
        ("tutoring", "0005_validate_request_package_fk"),
    ]

    operations = [
        migrations.RunPython(fill_blank_reasons, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="sessionrequest",
            name="request_rejection_has_reason",
        ),
        migrations.AddConstraint(
            model_name="sessionrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "rejected"), _negated=True),
                    django.db.models.lookups.GreaterThan(
                        django.db.models.functions.text.Length(
                            django.db.models.functions.text.Trim("decline_reason")
                        ),
                        0,
                    ),
                    _connector="OR",
                ),
                name="request_rejection_has_reason",
                violation_error_message="A declined request needs a reason.",
            ),
        ),
    ]
