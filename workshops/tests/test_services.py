import datetime

import pytest

from workshops.models import WorkshopRun, WorkshopSession
from workshops.services import ScheduleError, run_clone
from workshops.tests.factories import WorkshopRunFactory, WorkshopSessionFactory, days_from_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_day_run():
    run = WorkshopRunFactory(
        name="March cohort",
        name_ar="دفعة مارس",
        start_date=days_from_today(10),
        end_date=days_from_today(17),
    )
    WorkshopSessionFactory(
        run=run,
        number=1,
        date=days_from_today(10),
        capacity=8,
        seats_taken=8,
        start_time=datetime.time(9),
        metadata={"room": "A"},
    )
    WorkshopSessionFactory(
        run=run,
        number=2,
        date=days_from_today(12),
        unlimited=True,
        seats_taken=3,
        start_time=datetime.time(18),
        end_time=datetime.time(20, 30),
    )
    WorkshopSessionFactory(
        run=run, number=3, date=days_from_today(17), capacity=5, cancelled_at=days_and_time()
    )
    return run


def days_and_time():
    return datetime.datetime.now(datetime.UTC)


def test_cloning_a_run_copies_offsets_times_and_capacity(three_day_run):
    copy = run_clone(run=three_day_run, start_date=days_from_today(40))
    sessions = list(copy.sessions.order_by("number"))
    assert [s.date for s in sessions] == [
        days_from_today(40),
        days_from_today(42),
        days_from_today(47),
    ]
    assert [(s.start_time, s.end_time) for s in sessions] == [
        (s.start_time, s.end_time) for s in three_day_run.sessions.order_by("number")
    ]
    # Day 2 had no limit: its copy takes the workshop's default seats (10).
    assert [s.capacity for s in sessions] == [8, 10, 5]
    assert sessions[0].metadata == {"room": "A"}
    assert (copy.start_date, copy.end_date) == (days_from_today(40), days_from_today(47))
    assert copy.workshop_id == three_day_run.workshop_id
    assert all(s.workshop_id == copy.workshop_id for s in sessions)


def test_a_cloned_run_starts_empty_and_running(three_day_run):
    copy = run_clone(run=three_day_run, start_date=days_from_today(40))
    assert list(copy.sessions.values_list("seats_taken", "cancelled_at")) == [(0, None)] * 3
    # The source run is untouched.
    assert list(
        three_day_run.sessions.order_by("number").values_list("seats_taken", flat=True)
    ) == [8, 3, 0]


TODAY = datetime.date(2099, 1, 1)


def test_a_cloned_run_is_named_after_the_run_and_its_new_date_unless_named(three_day_run):
    unnamed = run_clone(run=three_day_run, start_date=datetime.date(2099, 2, 6), today=TODAY)
    assert unnamed.name == "March cohort – 6 Feb 2099"
    assert unnamed.name_ar == "دفعة مارس – 6 فبراير 2099"
    named = run_clone(
        run=three_day_run, start_date=datetime.date(2099, 5, 1), name=" May cohort ", name_ar="مايو"
    )
    assert (named.name, named.name_ar) == ("May cohort", "مايو")


def test_a_clone_of_a_clone_carries_only_its_own_date(three_day_run):
    first = run_clone(run=three_day_run, start_date=datetime.date(2099, 2, 6), today=TODAY)
    second = run_clone(run=first, start_date=datetime.date(2099, 3, 13), today=TODAY)
    assert second.name == "March cohort – 13 Mar 2099"
    assert second.name_ar == "دفعة مارس – 13 مارس 2099"


def test_a_name_from_the_old_default_loses_its_old_date():
    run = WorkshopRunFactory(name="Spring build – 06 Feb 2027", name_ar="", start_date=TODAY)
    copy = run_clone(run=run, start_date=datetime.date(2099, 4, 3), today=TODAY)
    assert copy.name == "Spring build – 3 Apr 2099"


def test_a_named_clone_still_gets_a_dated_arabic_name_not_a_stale_copy(three_day_run):
    copy = run_clone(
        run=three_day_run, start_date=datetime.date(2099, 2, 6), name="May cohort", today=TODAY
    )
    assert copy.name_ar == "دفعة مارس – 6 فبراير 2099"


def test_a_run_without_an_arabic_name_clones_without_one(three_day_run):
    WorkshopRun.objects.filter(pk=three_day_run.pk).update(name_ar="")
    three_day_run.refresh_from_db()
    copy = run_clone(run=three_day_run, start_date=datetime.date(2099, 2, 6), today=TODAY)
    assert copy.name_ar == ""


def test_a_long_run_name_is_cut_so_its_default_fits(three_day_run):
    WorkshopRun.objects.filter(pk=three_day_run.pk).update(name="x" * 200, name_ar="س" * 200)
    three_day_run.refresh_from_db()
    copy = run_clone(run=three_day_run, start_date=datetime.date(2099, 2, 6), today=TODAY)
    assert len(copy.name) == 200 and copy.name.endswith("x – 6 Feb 2099")
    assert len(copy.name_ar) == 200 and copy.name_ar.endswith("س – 6 فبراير 2099")


def test_cloning_into_the_past_is_refused_and_writes_nothing(three_day_run):
    with pytest.raises(ScheduleError, match="in the past"):
        run_clone(run=three_day_run, start_date=days_from_today(-1))
    assert WorkshopRun.objects.count() == 1


def test_cloning_with_a_name_the_workshop_already_uses_is_refused(three_day_run):
    with pytest.raises(ScheduleError, match="already has a run named “March cohort”"):
        run_clone(run=three_day_run, start_date=days_from_today(40), name="March cohort")
    assert WorkshopSession.objects.count() == 3
