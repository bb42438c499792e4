import datetime

import factory
from django.utils import timezone

from workshops.models import HostSession, Workshop, WorkshopRun, WorkshopSession


def days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop
        django_get_or_create = ("slug",)

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
        """``unlimited=True``: a session whose capacity staff cleared after it was made
        (a new session left empty takes its workshop's default seats)."""
        if not unlimited:
            return super()._create(model_class, *args, **kwargs)
        seats = kwargs.pop("seats_taken", 0)
        session = super()._create(model_class, *args, **kwargs, seats_taken=0)
        model_class.objects.filter(pk=session.pk).update(capacity=None, seats_taken=seats)
        session.capacity, session.seats_taken = None, seats
        return session


class HostSessionFactory(factory.django.DjangoModelFactory):
    """A host link row as storage holds it. Tests of behaviour provision through the
    service."""

    class Meta:
        model = HostSession

    session = factory.SubFactory(WorkshopSessionFactory)
