"""Fill ``search_document`` for the workshops that existed before the store's search.

It is what ``Workshop.save()`` keeps from now on: title, Arabic title and both
descriptions as ``core.text.search_document`` writes them. ``core.text`` is a pure function of the
text, with no model behind it, so this migration may call it. In batches by primary
key; safe to re-run (it writes the same text again). The reverse is a no-op: the
previous schema does not have the column's contents to lose.
"""

from django.db import migrations

from core.text import search_document

BATCH_SIZE = 500


def fill(apps, schema_editor) -> None:
    Workshop = apps.get_model("workshops", "Workshop")
    db = schema_editor.connection.alias
    last = 0
    while True:
        batch = list(
            Workshop.objects.using(db)
            .filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "title", "title_ar", "description", "description_ar")[:BATCH_SIZE]
        )
        if not batch:
            return
        for workshop in batch:
            workshop.search_document = search_document(
                workshop.title, workshop.title_ar, workshop.description, workshop.description_ar
            )
        Workshop.objects.using(db).bulk_update(batch, ["search_document"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("workshops", "0015_store_search_and_categories")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=False)]
