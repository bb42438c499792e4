"""An order's, a session's, a run's and a workshop's seats are ``.seats``.

No change to the database.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        ("workshops", "0007_session_cancelled_at_read_only"),
    ]

    operations = [
        migrations.AlterField(
            model_name="orderitem",
            name="order",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="seats", to="orders.order"
            ),
        ),
        migrations.AlterField(
            model_name="orderitem",
            name="run",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="seats",
                to="workshops.workshoprun",
            ),
        ),
        migrations.AlterField(
            model_name="orderitem",
            name="session",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="seats",
                to="workshops.workshopsession",
            ),
        ),
        migrations.AlterField(
            model_name="orderitem",
            name="workshop",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="seats",
                to="workshops.workshop",
            ),
        ),
    ]
