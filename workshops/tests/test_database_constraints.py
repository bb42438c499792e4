"""PostgreSQL refuses rows that break the schedule's invariants, whoever writes them."""

import datetime

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from workshops.tests.factories import (
    WorkshopFactory,
    WorkshopRunFactory,
    WorkshopSessionFactory,
    days_from_today,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

INSERT_SESSION = """
INSERT INTO workshops_workshopsession
    (workshop_id, run_id, number, date, start_time, end_time, capacity, seats_taken, metadata)
VALUES (%s, %s, %s, %s, '09:00', %s, %s, %s, '{}')
"""


def raw(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def insert_session(run, *, workshop=None, end="12:00", capacity=10, seats=0, date=None):
    raw(
        INSERT_SESSION,
        [(workshop or run.workshop).pk, run.pk, 1, date or run.start_date, end, capacity, seats],
    )


def test_a_valid_raw_insert_is_accepted():
    run = WorkshopRunFactory()
    insert_session(run)
    assert run.sessions.count() == 1


def test_insert_with_a_run_of_another_workshop_is_refused():
    with pytest.raises(IntegrityError, match="session_run_same_workshop_fk"):
        insert_session(WorkshopRunFactory(), workshop=WorkshopFactory())


def test_update_to_a_run_of_another_workshop_is_refused():
    session = WorkshopSessionFactory()
    other = WorkshopRunFactory()
    with pytest.raises(IntegrityError, match="session_run_same_workshop_fk"):
        raw(
            "UPDATE workshops_workshopsession SET run_id = %s WHERE id = %s", [other.pk, session.pk]
        )


def test_moving_a_run_with_sessions_to_another_workshop_is_refused():
    session = WorkshopSessionFactory()
    with pytest.raises(IntegrityError, match="session_run_same_workshop_fk"):
        raw(
            "UPDATE workshops_workshoprun SET workshop_id = %s WHERE id = %s",
            [WorkshopFactory().pk, session.run_id],
        )


@pytest.mark.parametrize(
    ("kwargs", "constraint"),
    [
        ({"capacity": 5, "seats": 6}, "session_seats_taken_within_capacity"),
        ({"seats": -1}, "seats_taken"),
        ({"end": "08:00"}, "session_end_time_after_start_time"),
        ({"capacity": 0}, "session_capacity_positive"),
    ],
)
def test_out_of_bounds_raw_inserts_are_refused(kwargs, constraint):
    with pytest.raises(IntegrityError, match=constraint):
        insert_session(WorkshopRunFactory(), **kwargs)


def test_raw_update_above_capacity_is_refused():
    session = WorkshopSessionFactory(capacity=3)
    with pytest.raises(IntegrityError, match="session_seats_taken_within_capacity"):
        raw("UPDATE workshops_workshopsession SET seats_taken = 4 WHERE id = %s", [session.pk])


def test_raw_session_outside_its_runs_dates_is_refused_by_the_trigger():
    run = WorkshopRunFactory(start_date=days_from_today(10), end_date=days_from_today(11))
    with pytest.raises(DatabaseError, match="run_dates"):
        insert_session(run, date=days_from_today(12))


def test_raw_narrowing_of_a_run_is_refused_by_the_trigger():
    session = WorkshopSessionFactory(date=days_from_today(12))
    with pytest.raises(DatabaseError, match="run_dates"):
        raw(
            "UPDATE workshops_workshoprun SET end_date = %s WHERE id = %s",
            [days_from_today(11), session.run_id],
        )


def test_a_run_and_its_sessions_can_move_together_in_one_transaction():
    session = WorkshopSessionFactory(date=days_from_today(10))
    shift = datetime.timedelta(days=30)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workshops_workshoprun SET start_date = start_date + 30, "
            "end_date = end_date + 30 WHERE id = %s",
            [session.run_id],
        )
        cursor.execute(
            "UPDATE workshops_workshopsession SET date = date + 30 WHERE id = %s", [session.pk]
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    session.refresh_from_db()
    assert session.date == days_from_today(10) + shift


# -- host_session ------------------------------------------------------------------

INSERT_HOST_LINK = """
INSERT INTO workshops_hostsession (session_id, token, created_at)
VALUES (%s, %s, now())
"""
TOKEN = "T" * 43


def test_a_valid_raw_host_link_is_accepted():
    session = WorkshopSessionFactory()
    raw(INSERT_HOST_LINK, [session.pk, TOKEN])
    assert session.host_link.token == TOKEN


def test_a_raw_host_link_to_a_missing_session_is_refused_on_its_own_statement():
    # A savepoint's release checks no deferred constraint: only an immediate one raises.
    with (
        connection.cursor() as cursor,
        pytest.raises(IntegrityError, match="host_session_session_fk"),
        transaction.atomic(),
    ):
        cursor.execute(INSERT_HOST_LINK, [999999, TOKEN])


def test_a_second_raw_host_link_for_one_session_is_refused():
    session = WorkshopSessionFactory()
    raw(INSERT_HOST_LINK, [session.pk, TOKEN])
    with pytest.raises(IntegrityError, match="host_session_one_per_session"):
        raw(INSERT_HOST_LINK, [session.pk, "U" * 43])


def test_a_raw_host_link_reusing_a_token_is_refused():
    raw(INSERT_HOST_LINK, [WorkshopSessionFactory().pk, TOKEN])
    with pytest.raises(IntegrityError, match="host_session_token_unique"):
        raw(INSERT_HOST_LINK, [WorkshopSessionFactory().pk, TOKEN])


@pytest.mark.parametrize("token", ["short", "x" * 21, "a/b" + "x" * 30, "x" * 42 + " "])
def test_a_raw_host_link_with_a_weak_or_unsafe_token_is_refused(token):
    with pytest.raises(IntegrityError, match="host_session_token_format"):
        raw(INSERT_HOST_LINK, [WorkshopSessionFactory().pk, token])


def test_deleting_a_session_with_a_host_link_in_raw_sql_is_refused():
    session = WorkshopSessionFactory()
    raw(INSERT_HOST_LINK, [session.pk, TOKEN])
    with pytest.raises(IntegrityError, match="host_session_session_fk"):
        raw("DELETE FROM workshops_workshopsession WHERE id = %s", [session.pk])


def test_a_session_cannot_move_to_another_workshop_in_raw_sql():
    session = WorkshopSessionFactory()
    other = WorkshopRunFactory(start_date=session.run.start_date, end_date=session.run.end_date)
    with pytest.raises(IntegrityError, match="session_workshop_fixed"):
        raw(
            "UPDATE workshops_workshopsession SET workshop_id = %s, run_id = %s WHERE id = %s",
            [other.workshop_id, other.pk, session.pk],
        )
