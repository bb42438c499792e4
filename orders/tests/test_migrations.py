"""The orders upgrades: check-in times on active seats only (0006, 0007), counters
recounted (0008), and no order left "pending" (0011)."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from core.tests.migrating import migrate, migrate_to_latest, past_state

BEFORE = [("orders", "0005_seat_labels_for_staff")]
AT = timezone.make_aware(datetime.datetime(2031, 5, 1, 9))


@pytest.fixture
def old_apps(transactional_db):
    # The schedule as it is now (the database keeps it), the seats as they were.
    with past_state(BEFORE, latest_of=["workshops"]) as apps:
        yield apps


def a_run(apps, title: str, **workshop):
    """A workshop and its run "May" on the day of ``AT``, in the schema of ``apps``."""
    Workshop = apps.get_model("workshops", "Workshop")
    Run = apps.get_model("workshops", "WorkshopRun")
    made = Workshop.objects.create(title=title, slug=title.lower(), **workshop)
    return made, Run.objects.create(
        workshop=made, name="May", start_date=AT.date(), end_date=AT.date()
    )


def seats_in_the_old_shape(apps) -> dict[str, int]:
    """An order of three seats as the old schema let them be: an active seat checked in,
    an active one not, and a seat cancelled after its attendee was checked in."""
    User = apps.get_model("auth", "User")
    Session = apps.get_model("workshops", "WorkshopSession")
    Order = apps.get_model("orders", "Order")
    Item = apps.get_model("orders", "OrderItem")
    workshop, run = a_run(apps, "Pottery", default_capacity=9)
    sessions = [
        Session.objects.create(
            workshop=workshop,
            run=run,
            number=n,
            date=AT.date(),
            start_time=datetime.time(8 + n),
            end_time=datetime.time(9 + n),
            capacity=9,
            seats_taken=1 if n < 3 else 0,
        )
        for n in (1, 2, 3)
    ]
    buyer = User.objects.create(username="amira")
    order = Order.objects.create(buyer=buyer, status="confirmed")

    def seat(session, **fields):
        return Item.objects.create(
            order=order,
            buyer=buyer,
            session=session,
            run=run,
            workshop=workshop,
            price=0,
            **fields,
        ).pk

    return {
        "checked_in": seat(sessions[0], checked_in_at=AT),
        "active": seat(sessions[1]),
        "cancelled": seat(sessions[2], status="cancelled", cancelled_at=AT, checked_in_at=AT),
    }


def test_the_upgrade_clears_check_in_times_of_cancelled_seats_only(old_apps):
    ids = seats_in_the_old_shape(old_apps)
    migrate_to_latest()
    from orders.models import OrderItem

    stored = dict(OrderItem.objects.values_list("pk", "checked_in_at"))
    assert stored == {ids["checked_in"]: AT, ids["active"]: None, ids["cancelled"]: None}
    assert OrderItem.objects.get(pk=ids["cancelled"]).status == "cancelled"


def test_the_upgrade_runs_again_and_back_without_harm(old_apps):
    ids = seats_in_the_old_shape(old_apps)
    migrate_to_latest()
    migrate(BEFORE)  # back: the constraint goes, nothing else changes
    migrate_to_latest()  # and forward again over rows already repaired
    from orders.models import OrderItem

    assert OrderItem.objects.get(pk=ids["checked_in"]).checked_in_at == AT
    assert OrderItem.objects.count() == 3


BEFORE_COUNTERS = [("orders", "0007_seat_check_in_only_when_active")]


@pytest.fixture
def apps_before_counters(transactional_db):
    with past_state(BEFORE_COUNTERS, latest_of=["workshops"]) as apps:
        yield apps


def test_counters_are_recounted_and_an_oversold_session_gets_the_capacity_it_sold(
    apps_before_counters, capsys
):
    apps = apps_before_counters
    User = apps.get_model("auth", "User")
    Session = apps.get_model("workshops", "WorkshopSession")
    Order = apps.get_model("orders", "Order")
    Item = apps.get_model("orders", "OrderItem")
    workshop, run = a_run(apps, "Chess")

    def session(number, capacity, taken, active):
        made = Session.objects.create(
            workshop=workshop,
            run=run,
            number=number,
            date=AT.date(),
            start_time=datetime.time(9),
            end_time=datetime.time(10),
            capacity=capacity,
            seats_taken=taken,
        )
        for n in range(active):
            buyer = User.objects.create(username=f"s{number}-{n}")
            Item.objects.create(
                order=Order.objects.create(buyer=buyer, status="confirmed"),
                buyer=buyer,
                session=made,
                run=run,
                workshop=workshop,
                price=0,
            )
        return made.pk

    drifted = session(1, 10, 3, 1)
    oversold = session(2, 2, 2, 3)
    fine = session(3, 5, 2, 2)

    migrate_to_latest()

    from workshops.models import WorkshopSession

    stored = {
        row["pk"]: (row["capacity"], row["seats_taken"])
        for row in WorkshopSession.objects.values("pk", "capacity", "seats_taken")
    }
    assert stored == {drifted: (10, 1), oversold: (3, 3), fine: (5, 2)}
    assert "1 session(s) recounted from their active seats, 1 oversold" in capsys.readouterr().out


BEFORE_SETTLING = [("orders", "0010_names_for_staff")]


@pytest.fixture
def apps_before_settling(transactional_db):
    with past_state(BEFORE_SETTLING, latest_of=["workshops"]) as apps:
        yield apps


def test_a_pending_order_becomes_what_its_seats_say(apps_before_settling):
    apps = apps_before_settling
    User = apps.get_model("auth", "User")
    Session = apps.get_model("workshops", "WorkshopSession")
    Order = apps.get_model("orders", "Order")
    Item = apps.get_model("orders", "OrderItem")
    workshop, run = a_run(apps, "Chess")
    buyer = User.objects.create(username="amira")
    holding = Order.objects.create(buyer=buyer, status="pending")
    empty = Order.objects.create(buyer=buyer, status="pending")
    with transaction.atomic():  # the counter is checked once the seat is in
        session = Session.objects.create(
            workshop=workshop,
            run=run,
            number=1,
            date=AT.date(),
            start_time=datetime.time(9),
            end_time=datetime.time(10),
            capacity=5,
            seats_taken=1,
        )
        Item.objects.create(
            order=holding, buyer=buyer, session=session, run=run, workshop=workshop, price=0
        )

    migrate_to_latest()

    from orders.models import Order as Current

    assert Current.objects.get(pk=holding.pk).status == "confirmed"
    assert Current.objects.get(pk=empty.pk).status == "cancelled"
    assert not Current.objects.exclude(status__in=["confirmed", "cancelled"]).exists()


BEFORE_ATTENDEES = [("orders", "0011_constraint_messages")]


@pytest.fixture
def apps_before_attendees(transactional_db):
    with past_state(BEFORE_ATTENDEES, latest_of=["workshops", "tutoring"]) as apps:
        yield apps


def test_every_older_seat_becomes_its_buyers_own(apps_before_attendees):
    apps = apps_before_attendees
    User = apps.get_model("auth", "User")
    Session = apps.get_model("workshops", "WorkshopSession")
    Order = apps.get_model("orders", "Order")
    Item = apps.get_model("orders", "OrderItem")
    workshop, run = a_run(apps, "Chess")
    buyers = [User.objects.create(username=name) for name in ("amira", "omar")]
    with transaction.atomic():  # the counter is checked once the seats are in
        session = Session.objects.create(
            workshop=workshop,
            run=run,
            number=1,
            date=AT.date(),
            start_time=datetime.time(9),
            end_time=datetime.time(10),
            capacity=5,
            seats_taken=2,
        )
        for buyer in buyers:
            order = Order.objects.create(buyer=buyer, status="confirmed")
            Item.objects.create(
                order=order, buyer=buyer, session=session, run=run, workshop=workshop, price=0
            )
            cancelled = Order.objects.create(buyer=buyer, status="cancelled")
            Item.objects.create(
                order=cancelled,
                buyer=buyer,
                session=session,
                run=run,
                workshop=workshop,
                price=0,
                status="cancelled",
                cancelled_at=AT,
            )

    migrate_to_latest()

    from orders.models import OrderItem

    seats = OrderItem.objects.filter(session_id=session.pk)
    assert seats.count() == 4
    assert all(seat.attendee_id == seat.buyer_id for seat in seats)
