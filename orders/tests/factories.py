import factory

from core.tests.factories import UserFactory
from orders.models import Order, OrderItem


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    buyer = factory.SubFactory(UserFactory)


class SeatFactory(factory.django.DjangoModelFactory):
    """A seat row as storage holds it. Tests of behaviour book through the service."""

    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    buyer = factory.SelfAttribute("order.buyer")
    session = factory.SubFactory("workshops.tests.factories.WorkshopSessionFactory")
    run = factory.SelfAttribute("session.run")
    workshop = factory.SelfAttribute("session.workshop")
    price = 0
