"""Orders and seats.

On PostgreSQL two composite foreign keys say what plain ones cannot
(``order_item_session``): a seat's ``(session_id, run_id, workshop_id)`` must be
its session's, and its ``(order_id, buyer_id)`` its order's. ``DEFERRABLE INITIALLY
IMMEDIATE``: a bad row fails at its own statement; ``loaddata`` may still defer.
When staff move a session to another run of its workshop, its seats follow
(``ON UPDATE CASCADE``), so the move never strands a seat on the old run.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import orders.models

COMPOSITE_FKS = """
ALTER TABLE orders_orderitem
    ADD CONSTRAINT item_session_run_workshop_fk
    FOREIGN KEY (session_id, run_id, workshop_id)
    REFERENCES workshops_workshopsession (id, run_id, workshop_id)
    ON UPDATE CASCADE
    DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE orders_orderitem
    ADD CONSTRAINT item_order_buyer_fk
    FOREIGN KEY (order_id, buyer_id)
    REFERENCES orders_order (id, buyer_id)
    DEFERRABLE INITIALLY IMMEDIATE;
"""
DROP_COMPOSITE_FKS = """
ALTER TABLE orders_orderitem DROP CONSTRAINT IF EXISTS item_session_run_workshop_fk;
ALTER TABLE orders_orderitem DROP CONSTRAINT IF EXISTS item_order_buyer_fk;
"""


def postgresql_only(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("workshops", "0006_workshop_price"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Order",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reference",
                    models.CharField(
                        default=orders.models.new_reference,
                        editable=False,
                        max_length=16,
                        unique=True,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("confirmed", "Confirmed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="confirmed",
                        max_length=16,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "buyer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="orders",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="OrderItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("price", models.DecimalField(decimal_places=2, max_digits=8)),
                (
                    "status",
                    models.CharField(
                        choices=[("active", "Active"), ("cancelled", "Cancelled")],
                        default="active",
                        max_length=16,
                    ),
                ),
                ("checked_in_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                (
                    "buyer",
                    models.ForeignKey(
                        help_text="The order's buyer, repeated so one seat per session can be enforced.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="seats",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="items",
                        to="orders.order",
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="items",
                        to="workshops.workshoprun",
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="items",
                        to="workshops.workshopsession",
                    ),
                ),
                (
                    "workshop",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="items",
                        to="workshops.workshop",
                    ),
                ),
            ],
            options={
                "ordering": ["session__date", "session__start_time", "id"],
            },
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["pending", "confirmed", "cancelled"])),
                name="order_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.UniqueConstraint(fields=("id", "buyer"), name="order_id_buyer_key"),
        ),
        migrations.AddConstraint(
            model_name="orderitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "active")),
                fields=("session", "buyer"),
                name="item_one_active_seat_per_buyer_and_session",
                violation_error_message="This buyer already has a seat in this session.",
            ),
        ),
        migrations.AddConstraint(
            model_name="orderitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["active", "cancelled"])),
                name="item_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="orderitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("price__gte", 0)), name="item_price_not_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="orderitem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("cancelled_at__isnull", False), ("status", "cancelled")),
                    models.Q(("cancelled_at__isnull", True), ("status", "active")),
                    _connector="OR",
                ),
                name="item_cancelled_at_matches_status",
            ),
        ),
        migrations.RunPython(postgresql_only(COMPOSITE_FKS), postgresql_only(DROP_COMPOSITE_FKS)),
    ]
