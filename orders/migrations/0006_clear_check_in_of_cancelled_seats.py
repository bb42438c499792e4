"""A cancelled seat keeps no check-in time: the attendees' CSV and the roster showed one
on seats cancelled after their attendee was checked in. Cleared here, set-based and safe
to re-run, before 0007 adds the check that keeps it so. Reversing restores nothing:
the times cleared belonged to seats that no longer count."""

from django.db import migrations


def clear(apps, schema_editor):
    OrderItem = apps.get_model("orders", "OrderItem")
    OrderItem.objects.filter(status="cancelled", checked_in_at__isnull=False).update(
        checked_in_at=None
    )


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_seat_labels_for_staff")]

    operations = [migrations.RunPython(clear, migrations.RunPython.noop, elidable=True)]
