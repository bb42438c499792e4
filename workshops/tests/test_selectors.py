import datetime

import pytest
from django.utils import timezone

from workshops.models import WorkshopSession
from workshops.selectors.schedule import (
    next_available_session,
    run_summary,
    runs_with_totals,
    workshops_with_bookable_sessions,
    workshops_with_upcoming_sessions,
)
from workshops.tests.factories import (
    WorkshopFactory,
    WorkshopRunFactory,
    WorkshopSessionFactory,
    days_from_today,
    session_on,
)

pytestmark = pytest.mark.django_db


def test_next_available_is_the_earliest_bookable_session(run):
    later = session_on(run, 9)
    earlier = session_on(run, 4)
    assert later.pk < earlier.pk  # so the answer follows the dates, not the ids
    assert next_available_session(workshop=run.workshop) == earlier


def test_next_available_skips_cancelled_full_and_past_sessions(run):
    session_on(run, -1)
    session_on(run, 1, cancelled_at=timezone.now())
    session_on(run, 2, capacity=3, seats_taken=3)
    bookable = session_on(run, 3, capacity=3, seats_taken=2)
    assert next_available_session(workshop=run.workshop) == bookable


def test_next_available_skips_a_session_that_has_started_today(run):
    now = timezone.make_aware(datetime.datetime.combine(days_from_today(2), datetime.time(10)))
    session_on(run, 2, start_time=datetime.time(9, 55), end_time=datetime.time(12))
    later_today = session_on(run, 2, start_time=datetime.time(10, 5), end_time=datetime.time(12))
    assert next_available_session(workshop=run.workshop, now=now) == later_today


def test_next_available_never_returns_a_session_whose_run_is_of_another_workshop(
    run, mislinked_rows_allowed
):
    mislinked = session_on(run, 1)
    other = WorkshopRunFactory(start_date=run.start_date, end_date=run.end_date)
    WorkshopSession.objects.filter(pk=mislinked.pk).update(run=other)
    good = session_on(run, 2)
    assert next_available_session(workshop=run.workshop) == good


def test_next_available_is_none_for_an_inactive_workshop(run):
    session_on(run, 2)
    run.workshop.is_active = False
    run.workshop.save()
    assert next_available_session(workshop=run.workshop) is None


def test_next_available_is_none_when_nothing_is_bookable(run):
    session_on(run, 2, capacity=1, seats_taken=1)
    assert next_available_session(workshop=run.workshop) is None


def test_run_summary_counts_sessions_seats_and_dates(run):
    session_on(run, 1, capacity=5, seats_taken=2)
    session_on(run, 4, capacity=4, seats_taken=4)
    session_on(run, 6, capacity=9, cancelled_at=timezone.now())
    summary = run_summary(run=run)
    assert (summary.sessions, summary.cancelled_sessions) == (3, 1)
    assert (summary.seats_sold, summary.seats_left) == (6, 3)
    assert (summary.first_date, summary.last_date) == (days_from_today(1), days_from_today(6))


def test_seats_left_ignores_sessions_already_past(run):
    session_on(run, -2, capacity=5, seats_taken=1)
    session_on(run, 2, capacity=5, seats_taken=1)
    assert run_summary(run=run).seats_left == 4
    assert runs_with_totals().get(pk=run.pk).seats_left == 4


def test_run_summary_seats_left_is_unlimited_when_a_session_is(run):
    session_on(run, 1, unlimited=True, seats_taken=2)
    assert run_summary(run=run).seats_left is None


def test_runs_with_totals_match_the_summary(run):
    session_on(run, 1, capacity=5, seats_taken=2)
    session_on(run, 2, capacity=3, seats_taken=1)
    row = runs_with_totals().get(pk=run.pk)
    assert (row.session_count, row.seats_sold, row.seats_left, row.unlimited_sessions) == (
        2,
        3,
        5,
        0,
    )


def test_store_listing_keeps_only_sessions_that_have_not_ended(run):
    session_on(run, -1)
    upcoming = session_on(run, 2)
    WorkshopRunFactory(workshop=WorkshopFactory(is_active=False))
    [workshop] = [w for w in workshops_with_upcoming_sessions() if w.upcoming_sessions]
    assert workshop.upcoming_sessions == [upcoming]


def test_workshops_with_bookable_sessions_lists_only_sessions_a_student_can_book(
    run, django_assert_num_queries
):
    session_on(run, -1)
    session_on(run, 1, cancelled_at=timezone.now())
    session_on(run, 2, capacity=3, seats_taken=3)
    first, second = session_on(run, 3), session_on(run, 4)
    session_on(run, 5)
    closed = WorkshopRunFactory(workshop__is_active=False)
    WorkshopSessionFactory(run=closed, date=closed.start_date)
    WorkshopFactory()  # nothing scheduled
    with django_assert_num_queries(2):
        [workshop] = workshops_with_bookable_sessions(per_workshop=2)
    assert workshop == run.workshop
    assert workshop.bookable_sessions == [first, second]
