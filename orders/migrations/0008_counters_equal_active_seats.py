"""Every session's ``seats_taken`` equals its active seats before the database starts
holding it (0009, ``session_capacity``).

A counter that drifted is recounted. A session with more active seats than its
capacity (sold before the capacity was lowered, or written past the checks) cannot be
recounted within its capacity, and no one's seat is cancelled to make room: its
capacity is raised to the seats it sold, which is what the room holds now, and the
upgrade says how many. Set-based, one statement each, safe to re-run; going back
changes nothing.
"""

from django.db import migrations
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def recount(apps, schema_editor):
    Session = apps.get_model("workshops", "WorkshopSession")
    Item = apps.get_model("orders", "OrderItem")
    db = schema_editor.connection.alias
    active = Coalesce(
        Subquery(
            Item.objects.using(db)
            .filter(session=OuterRef("pk"), status="active")
            .order_by()
            .values("session")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        Value(0),
    )
    sessions = Session.objects.using(db).annotate(active=active)
    oversold = list(
        sessions.filter(capacity__isnull=False, active__gt=F("capacity")).values_list(
            "pk", "active"
        )
    )
    for pk, seats in oversold:
        Session.objects.using(db).filter(pk=pk).update(capacity=seats, seats_taken=seats)
    drifted = list(sessions.exclude(seats_taken=F("active")).values_list("pk", flat=True))
    Session.objects.using(db).filter(pk__in=drifted).update(seats_taken=active)
    if oversold or drifted:
        print(
            f"\n  orders 0008: {len(drifted)} session(s) recounted from their active seats, "
            f"{len(oversold)} oversold session(s) given the capacity they sold"
        )


class Migration(migrations.Migration):
    dependencies = [("orders", "0007_seat_check_in_only_when_active")]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop, elidable=True)]
