"""The schedule's invariants in words (clean) and in the database (constraints)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from workshops.models import BookingBlock, SessionStatus, WorkshopSession
from workshops.tests.factories import (
    WorkshopFactory,
    WorkshopRunFactory,
    WorkshopSessionFactory,
    days_from_today,
    sell_seats,
)

pytestmark = pytest.mark.django_db


def errors_of(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


# -- session_run_workshop ------------------------------------------------------


def test_session_with_a_run_of_another_workshop_is_a_run_field_error():
    session = WorkshopSessionFactory.build(
        run=WorkshopRunFactory(), workshop=WorkshopFactory(), number=1
    )
    errors = errors_of(session)
    assert "choose a run of this session's own workshop" in errors["run"][0]


def test_session_without_a_run_is_refused():
    session = WorkshopSession(
        workshop=WorkshopFactory(),
        number=1,
        date=days_from_today(3),
        start_time=datetime.time(9),
        end_time=datetime.time(10),
    )
    assert errors_of(session)["run"] == ["This field cannot be null."]


def test_session_added_under_a_run_takes_the_runs_workshop():
    run = WorkshopRunFactory()
    session = WorkshopSession(
        run=run,
        number=1,
        date=run.start_date,
        start_time=datetime.time(9),
        end_time=datetime.time(10),
    )
    session.full_clean(exclude={"workshop"})  # as the admin's sessions inline does
    assert session.workshop_id == run.workshop_id


def test_database_refuses_a_session_without_a_run():
    run = WorkshopRunFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkshopSession.objects.create(
            workshop=run.workshop,
            run=None,
            number=1,
            date=run.start_date,
            start_time=datetime.time(9),
            end_time=datetime.time(10),
        )


# -- run_dates ----------------------------------------------------------------


def test_session_outside_its_runs_dates_is_a_date_field_error():
    run = WorkshopRunFactory(start_date=days_from_today(10), end_date=days_from_today(12))
    session = WorkshopSessionFactory.build(run=run, workshop=run.workshop, date=days_from_today(13))
    assert "choose a date within it" in errors_of(session)["date"][0]


def test_narrowing_a_run_past_its_sessions_is_refused():
    session = WorkshopSessionFactory(date=days_from_today(12))
    run = session.run
    run.end_date = days_from_today(11)
    assert "must cover all of its sessions" in errors_of(run)["end_date"][0]


def test_run_ending_before_it_starts_is_an_end_date_error():
    run = WorkshopRunFactory.build(
        workshop=WorkshopFactory(), start_date=days_from_today(5), end_date=days_from_today(4)
    )
    assert errors_of(run)["end_date"] == ["A run cannot end before it starts."]


def test_run_with_sessions_cannot_move_to_another_workshop():
    session = WorkshopSessionFactory()
    run = session.run
    run.workshop = WorkshopFactory()
    assert "cannot move to another workshop" in errors_of(run)["workshop"][0]


# -- session_capacity bounds and times ----------------------------------------


def test_capacity_below_seats_taken_is_a_capacity_field_error():
    session = WorkshopSessionFactory(capacity=5, seats_taken=4)
    session.capacity = 3
    errors = errors_of(session)
    assert errors["capacity"] == ["4 seats are already taken; capacity cannot be lower."]
    assert "__all__" not in errors


def test_zero_capacity_is_a_capacity_field_error():
    session = WorkshopSessionFactory.build(run=WorkshopRunFactory(), capacity=0)
    session.workshop = session.run.workshop
    assert "capacity" in errors_of(session)


def test_session_ending_before_it_starts_is_an_end_time_field_error():
    session = WorkshopSessionFactory.build(
        run=WorkshopRunFactory(), start_time=datetime.time(10), end_time=datetime.time(9)
    )
    session.workshop = session.run.workshop
    assert errors_of(session)["end_time"] == ["A session must end after it starts."]


def test_repeated_session_number_within_a_run_is_refused():
    first = WorkshopSessionFactory(number=1)
    twin = WorkshopSessionFactory.build(run=first.run, workshop=first.workshop, number=1)
    assert "This run already has a session with this number." in errors_of(twin)["__all__"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("seats_taken", 11), ("capacity", 0), ("end_time", datetime.time(8))],
)
def test_database_refuses_out_of_bounds_rows_written_through_the_orm(field, value):
    session = WorkshopSessionFactory(capacity=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkshopSession.objects.filter(pk=session.pk).update(**{field: value})


# -- derived status -----------------------------------------------------------

NOW = timezone.make_aware(datetime.datetime(2031, 3, 10, 11, 0))


def session_in_march_2031(**changes) -> WorkshopSession:
    """A session of a run spanning March 2031 (``NOW`` is 10 March, 11:00)."""
    run = WorkshopRunFactory(
        start_date=datetime.date(2031, 3, 1), end_date=datetime.date(2031, 3, 20)
    )
    values = {
        "date": datetime.date(2031, 3, 15),
        "start_time": datetime.time(9),
        "end_time": datetime.time(12),
        "capacity": 10,
        "seats_taken": 0,
        **changes,
    }
    return WorkshopSessionFactory(run=run, **values)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, SessionStatus.UPCOMING),
        ({"seats_taken": 1}, SessionStatus.ACTIVE),
        ({"seats_taken": 10}, SessionStatus.FULL),
        ({"unlimited": True, "seats_taken": 500}, SessionStatus.ACTIVE),
        ({"date": datetime.date(2031, 3, 9)}, SessionStatus.COMPLETED),
        (
            {"date": datetime.date(2031, 3, 10), "end_time": datetime.time(10, 30)},
            SessionStatus.COMPLETED,
        ),
        (
            {"date": datetime.date(2031, 3, 10), "end_time": datetime.time(11, 30)},
            SessionStatus.UPCOMING,
        ),
        ({"seats_taken": 10, "date": datetime.date(2031, 3, 1)}, SessionStatus.COMPLETED),
        ({"cancelled_at": NOW, "seats_taken": 10}, SessionStatus.CANCELLED),
        ({"cancelled_at": NOW, "date": datetime.date(2031, 3, 1)}, SessionStatus.CANCELLED),
    ],
)
def test_status_is_derived_the_same_way_in_python_and_in_sql(changes, expected):
    session = session_in_march_2031(**changes)
    assert session.status_at(NOW) == expected
    assert WorkshopSession.objects.with_status(NOW).get(pk=session.pk).status == expected


@pytest.mark.parametrize(
    ("changes", "block"),
    [
        ({}, None),
        ({"seats_taken": 9}, None),
        ({"unlimited": True, "seats_taken": 500}, None),
        ({"seats_taken": 10}, BookingBlock.FULL),
        ({"cancelled_at": NOW}, BookingBlock.CANCELLED),
        ({"cancelled_at": NOW, "seats_taken": 10}, BookingBlock.CANCELLED),
        (
            {"date": datetime.date(2031, 3, 10), "start_time": datetime.time(11)},
            BookingBlock.STARTED,
        ),
        ({"date": datetime.date(2031, 3, 10), "start_time": datetime.time(11, 1)}, None),
        ({"date": datetime.date(2031, 3, 9)}, BookingBlock.STARTED),
    ],
)
def test_bookable_is_decided_the_same_way_for_a_row_and_in_sql(changes, block):
    session = session_in_march_2031(end_time=datetime.time(23), **changes)
    assert session.booking_block(NOW) == block
    in_query = WorkshopSession.objects.bookable(NOW).filter(pk=session.pk).exists()
    assert in_query == (block is None)


def test_sessions_of_an_inactive_workshop_are_not_bookable():
    session = WorkshopSessionFactory(date=days_from_today(12), run__start_date=days_from_today(10))
    assert WorkshopSession.objects.bookable().filter(pk=session.pk).exists()
    session.workshop.is_active = False
    session.workshop.save()
    assert not WorkshopSession.objects.bookable().filter(pk=session.pk).exists()


def test_a_session_reads_full_as_soon_as_its_last_seat_is_taken():
    session = WorkshopSessionFactory(capacity=2, seats_taken=1)
    assert WorkshopSession.objects.with_status().get(pk=session.pk).status == "active"
    sell_seats(session, 1)
    assert WorkshopSession.objects.with_status().get(pk=session.pk).status == "full"


def test_a_run_of_another_workshop_is_named_in_the_pages_language():
    from django.core.exceptions import ValidationError
    from django.utils import translation

    theirs = WorkshopRunFactory(name="Spring", name_ar="الربيع", workshop__title_ar="الشطرنج")
    mine = WorkshopRunFactory()
    session = WorkshopSession(
        workshop=mine.workshop,
        run=theirs,
        number=1,
        date=theirs.start_date,
        start_time=datetime.time(9),
        end_time=datetime.time(10),
    )
    with translation.override("ar"), pytest.raises(ValidationError) as refused:
        session.clean()
    message = refused.value.message_dict["run"][0]
    assert "الربيع" in message and "الشطرنج" in message
    assert "Spring" not in message
