"""The parent–child link becomes a model of its own, ``FamilyLink``, on the table Django
made for ``ParentProfile.children`` (same table, same columns, same rows), so requests
(0010) and seats can point at a link with a foreign key. The database does not change
here: only what Django knows of it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tutoring", "0008_request_package_name_ar")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="FamilyLink",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "child",
                            models.ForeignKey(
                                db_column="studentprofile_id",
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="parent_links",
                                to="tutoring.studentprofile",
                            ),
                        ),
                        (
                            "parent",
                            models.ForeignKey(
                                db_column="parentprofile_id",
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="child_links",
                                to="tutoring.parentprofile",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "child",
                        "verbose_name_plural": "children",
                        "db_table": "tutoring_parentprofile_children",
                        "unique_together": {("parent", "child")},
                    },
                ),
                migrations.AlterField(
                    model_name="parentprofile",
                    name="children",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="parents",
                        through="tutoring.FamilyLink",
                        to="tutoring.studentprofile",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
