"""Requests keep their package's Arabic name too, so an Arabic page shows it.

Existing requests take it from their package when the package still has the name the
request kept (a renamed package's new name would not be what was asked for). One
set-based statement; running it again changes nothing, and going back drops the
column.
"""

from django.db import migrations, models

BACKFILL = """
UPDATE tutoring_sessionrequest
   SET package_name_ar = (
       SELECT p.name_ar FROM tutoring_tutorpackage p
        WHERE p.id = tutoring_sessionrequest.package_id
   )
 WHERE package_name_ar = ''
   AND EXISTS (
       SELECT 1 FROM tutoring_tutorpackage p
        WHERE p.id = tutoring_sessionrequest.package_id
          AND p.name = tutoring_sessionrequest.package_name
   )
"""


class Migration(migrations.Migration):
    dependencies = [
        ("tutoring", "0007_prices_in_the_site_currency"),
    ]

    operations = [
        migrations.AddField(
            model_name="sessionrequest",
            name="package_name_ar",
            field=models.CharField(
                blank=True,
                db_default="",
                help_text="The package's Arabic name when the request was made.",
                max_length=255,
                verbose_name="Arabic package name",
            ),
        ),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
    ]
