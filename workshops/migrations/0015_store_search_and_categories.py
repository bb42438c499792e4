"""Categories for the store's chips, and the text its search reads.

``search_document`` starts empty here; 0016 fills it. On PostgreSQL the GIN index
``workshop_search_idx`` holds its full-text vector (the 'simple' configuration, the
same expression as ``workshops.models.workshop_search_vector``); SQLite has no such
index and searches with LIKE.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS workshop_search_idx ON workshops_workshop "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_document, '')))"
)


def add_search_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX_SQL)


def drop_search_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS workshop_search_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0014_workshop_description_ar"),
    ]

    operations = [
        migrations.CreateModel(
            name="Category",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=80, unique=True)),
                (
                    "name_ar",
                    models.CharField(blank=True, max_length=80, verbose_name="Arabic name"),
                ),
                (
                    "slug",
                    models.SlugField(
                        help_text="Its part of the store's address: ?category=…",
                        max_length=80,
                        unique=True,
                    ),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        default=0,
                        help_text="The store shows the chips in this order, then by name.",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "categories",
                "ordering": ["position", "name"],
            },
        ),
        migrations.AddField(
            model_name="workshop",
            name="search_document",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="workshop",
            name="category",
            field=models.ForeignKey(
                blank=True,
                help_text="The store's category chip it appears under.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="workshops",
                to="workshops.category",
            ),
        ),
        migrations.RunPython(add_search_index, drop_search_index, elidable=False),
    ]
