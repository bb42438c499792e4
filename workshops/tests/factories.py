import datetime

import factory
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from workshops.models import HostSession, Workshop, WorkshopRun, WorkshopSession


def days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    title = factory.Sequence(lambda n: f"Workshop {n}")
    title_ar = factory.Sequence(lambda n: f"ورشة {n}")
    slug = factory.Sequence(lambda n: f"workshop-{n}")
    default_capacity = 10


class WorkshopRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkshopRun

    workshop = factory.SubFactory(WorkshopFactory)
    name = factory.Sequence(lambda n: f"Run {n}")
    start_date = factory.LazyFunction(lambda: days_from_today(10))
    end_date = factory.LazyAttribute(lambda run: run.start_date + datetime.timedelta(days=6))


def run_around_today() -> WorkshopRun:
    """Robotics' "Spring build", from ten days ago to twenty days ahead: room for
    sessions that have ended and sessions still to come."""
    return WorkshopRunFactory(
        workshop__title="Robotics",
        name="Spring build",
        start_date=days_from_today(-10),
        end_date=days_from_today(20),
    )


def session_on(run: WorkshopRun, days: int, **fields) -> WorkshopSession:
    """A session of ``run`` ``days`` from today (before today when negative)."""
    return WorkshopSessionFactory(run=run, date=days_from_today(days), **fields)


class WorkshopSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkshopSession

    run = factory.SubFactory(WorkshopRunFactory)
    workshop = factory.SelfAttribute("run.workshop")
    number = factory.Sequence(lambda n: n + 1)
    date = factory.SelfAttribute("run.start_date")
    start_time = datetime.time(9, 0)
    end_time = datetime.time(12, 0)
    capacity = 10
    seats_taken = 0

    @classmethod
    def _create(cls, model_class, *args, unlimited: bool = False, **kwargs):
        """``seats_taken=N``: N seats sold, each an active seat of its own buyer and
        order, so the counter counts real seats (``session_capacity``, which PostgreSQL
        checks when a transaction ends, and Django's test cases at their end).
        ``unlimited=True``: a session whose capacity staff cleared after it was made (a
        new session left empty takes its workshop's default seats)."""
        seats = kwargs.pop("seats_taken", 0)
        session = super()._create(model_class, *args, **kwargs, seats_taken=0)
        if unlimited:
            model_class.objects.filter(pk=session.pk).update(capacity=None)
            session.capacity = None
        if seats:
            sell_seats(session, seats)
        return session


def sell_seats(session: WorkshopSession, count: int) -> None:
    """``count`` active seats in ``session``, each with its own buyer and order, counted
    in ``seats_taken``: what booking that many seats leaves, without the booking."""
    from django.contrib.auth.models import User

    from orders.models import Order, OrderItem

    with transaction.atomic():
        first = User.objects.count()
        buyers = User.objects.bulk_create(
            User(username=f"seat-{session.pk}-{first + n}", password="!") for n in range(count)
        )
        orders = Order.objects.bulk_create(Order(buyer=buyer) for buyer in buyers)
        OrderItem.objects.bulk_create(
            OrderItem(
                order=order,
                buyer=order.buyer,
                attendee=order.buyer,
                session=session,
                run_id=session.run_id,
                workshop_id=session.workshop_id,
                price=0,
            )
            for order in orders
        )
        WorkshopSession.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") + count)
    session.seats_taken += count


class HostSessionFactory(factory.django.DjangoModelFactory):
    """A host link row as storage holds it. Tests of behaviour provision through the
    service."""

    class Meta:
        model = HostSession

    session = factory.SubFactory(WorkshopSessionFactory)
