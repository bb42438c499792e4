import factory
from django.db import transaction
from django.db.models import F

from core.tests.factories import UserFactory
from orders.models import Order, OrderItem, SeatStatus
from workshops.models import WorkshopSession


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    buyer = factory.SubFactory(UserFactory)


class SeatFactory(factory.django.DjangoModelFactory):
    """A seat row as storage holds it, counted in its session's ``seats_taken`` when it
    is active (PostgreSQL checks the count when a transaction ends). Tests of behaviour
    book through the service."""

    class Meta:
        model = OrderItem

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with transaction.atomic():
            seat = super()._create(model_class, *args, **kwargs)
            if seat.status == SeatStatus.ACTIVE:
                WorkshopSession.objects.filter(pk=seat.session_id).update(
                    seats_taken=F("seats_taken") + 1
                )
                seat.session.seats_taken += 1
        return seat

    order = factory.SubFactory(OrderFactory)
    buyer = factory.SelfAttribute("order.buyer")
    attendee = factory.SelfAttribute("buyer")
    session = factory.SubFactory("workshops.tests.factories.WorkshopSessionFactory")
    run = factory.SelfAttribute("session.run")
    workshop = factory.SelfAttribute("session.workshop")
    price = 0
