"""``seat_attendee``: every seat has an attendee, who sits in it: its buyer, or one of
the buyer's children. Seats from before are their buyer's own (one set-based
``UPDATE``), and "one active seat per buyer and session" becomes one per attendee, so a
parent can hold seats for two children in one session."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Q


def seats_are_their_buyers(apps, schema_editor):
    Item = apps.get_model("orders", "OrderItem")
    Item.objects.using(schema_editor.connection.alias).filter(attendee__isnull=True).update(
        attendee=F("buyer")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0011_constraint_messages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="orderitem",
            name="attendee",
            field=models.ForeignKey(
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="attended_seats",
                to=settings.AUTH_USER_MODEL,
                help_text="Who sits in the seat: the buyer, or one of the buyer's children.",
                verbose_name="attendee",
            ),
        ),
        migrations.RunPython(seats_are_their_buyers, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="orderitem",
            name="attendee",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT,
                related_name="attended_seats",
                to=settings.AUTH_USER_MODEL,
                help_text="Who sits in the seat: the buyer, or one of the buyer's children.",
                verbose_name="attendee",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="orderitem", name="item_one_active_seat_per_buyer_and_session"
        ),
        migrations.AddConstraint(
            model_name="orderitem",
            constraint=models.UniqueConstraint(
                condition=Q(status="active"),
                fields=("session", "attendee"),
                name="item_one_active_seat_per_attendee_and_session",
                violation_error_message="This person already has a seat in this session.",
            ),
        ),
    ]
