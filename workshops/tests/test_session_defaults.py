"""A new session left empty takes its workshop's default seats and the next number of its
run, whichever way it is made; unlimited seats are only ever a decision."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse

from core.tests.commands import run_command
from core.tests.concurrency import race
from core.tests.factories import staff_user
from workshops.models import WorkshopSession
from workshops.selectors.schedule import unlimited_by_mistake
from workshops.services import run_clone
from workshops.tests.factories import (
    WorkshopRunFactory,
    WorkshopSessionFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def run():
    """A run of a workshop whose sessions get 12 seats."""
    return WorkshopRunFactory(
        workshop__default_capacity=12, start_date=days_from_today(5), end_date=days_from_today(40)
    )


def plain_session(run, days: int, **fields) -> WorkshopSession:
    """A session as the shell or a data import makes one: only what is typed."""
    return WorkshopSession.objects.create(
        run=run,
        date=days_from_today(days),
        start_time=datetime.time(18),
        end_time=datetime.time(20),
        **fields,
    )


def test_a_session_made_without_a_capacity_gets_its_workshops_default_seats(run):
    session = plain_session(run, 5)
    assert session.capacity == 12
    session.refresh_from_db()
    assert (session.capacity, session.workshop_id, session.number) == (12, run.workshop_id, 1)


def test_a_session_made_without_a_number_gets_the_next_one_of_its_run(run):
    plain_session(run, 5, number=7)
    assert plain_session(run, 6).number == 8
    assert plain_session(run, 7).number == 9


def test_a_given_capacity_and_number_are_kept(run):
    session = plain_session(run, 5, capacity=3, number=2)
    assert (session.capacity, session.number) == (3, 2)


def test_a_workshop_without_default_seats_makes_unlimited_sessions():
    run = WorkshopRunFactory(workshop__default_capacity=None)
    assert plain_session(run, 10).capacity is None


def test_clearing_a_sessions_capacity_later_makes_it_unlimited(run):
    session = plain_session(run, 5)
    session.capacity = None
    session.save()
    session.refresh_from_db()
    assert session.capacity is None


def test_sessions_made_in_bulk_are_completed_the_same_way(run):
    plain_session(run, 5, number=1)
    made = WorkshopSession.objects.bulk_create(
        [
            WorkshopSession(
                run=run,
                workshop=run.workshop,
                date=days_from_today(days),
                start_time=datetime.time(9),
                end_time=datetime.time(10),
                **given,
            )
            for days, given in [(6, {}), (7, {"number": 5, "capacity": 4}), (8, {})]
        ]
    )
    assert [(s.number, s.capacity) for s in made] == [(6, 12), (5, 4), (7, 12)]


def test_repeating_a_run_gives_a_session_without_a_limit_the_current_default(run):
    WorkshopSessionFactory(run=run, number=1, date=days_from_today(5), capacity=8)
    WorkshopSessionFactory(run=run, number=2, date=days_from_today(6), unlimited=True)
    run.workshop.default_capacity = 15
    run.workshop.save()
    copy = run_clone(run=run, start_date=days_from_today(60))
    assert list(copy.sessions.order_by("number").values_list("capacity", flat=True)) == [8, 15]


@pytest.fixture
def staff_client(client):
    client.force_login(staff_user("workshops", "orders"))
    return client


def test_the_admins_add_page_needs_only_a_run_a_date_and_times(staff_client, run):
    response = staff_client.post(
        reverse("admin:workshops_workshopsession_add"),
        {
            "workshop": "",
            "run": run.pk,
            "number": "",
            "date": days_from_today(8).isoformat(),
            "start_time": "18:00",
            "end_time": "20:00",
            "capacity": "",
            "metadata": "{}",
            "seats-TOTAL_FORMS": "0",
            "seats-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    session = WorkshopSession.objects.get(run=run)
    assert (session.workshop_id, session.number, session.capacity) == (run.workshop_id, 1, 12)


def test_the_add_page_marks_each_run_with_its_workshop_for_the_run_list(staff_client, run):
    other = WorkshopRunFactory(name="Elsewhere")
    page = staff_client.get(reverse("admin:workshops_workshopsession_add")).text
    assert f'data-workshop="{run.workshop_id}" value="{run.pk}"' in page.replace(
        f'value="{run.pk}" data-workshop="{run.workshop_id}"',
        f'data-workshop="{run.workshop_id}" value="{run.pk}"',
    )
    assert f'data-workshop="{other.workshop_id}"' in page
    assert "js/admin-session-runs.js" in page


def test_the_admin_says_unlimited_in_words(staff_client, run):
    session = WorkshopSessionFactory(run=run, number=1, date=days_from_today(5), unlimited=True)
    listing = staff_client.get(reverse("admin:workshops_workshopsession_changelist")).text
    assert "0 / unlimited" in listing
    page = staff_client.get(reverse("admin:workshops_workshopsession_change", args=[session.pk]))
    assert "0 / unlimited" in page.text


def test_unlimited_sessions_of_a_workshop_with_a_default_are_named_not_failed(monkeypatch, run):
    by_mistake = WorkshopSessionFactory(run=run, number=1, date=days_from_today(5), unlimited=True)
    WorkshopSessionFactory(run=run, number=2, date=days_from_today(6))  # limited
    past = WorkshopRunFactory(
        workshop=run.workshop, start_date=days_from_today(-9), end_date=days_from_today(-8)
    )
    WorkshopSessionFactory(run=past, number=1, date=days_from_today(-9), unlimited=True)
    on_purpose = WorkshopRunFactory(workshop__default_capacity=None)
    WorkshopSessionFactory(run=on_purpose, number=1, date=on_purpose.start_date)

    result = run_command(monkeypatch, "check_integrity", "--json")
    assert result.code == 0, result.out  # a notice is not a violation
    notices = {notice["name"]: notice for notice in json.loads(result.out)["notices"]}
    notice = notices["session_capacity_unset"]
    assert (notice["name"], notice["rows"], notice["sample_ids"]) == (
        "session_capacity_unset",
        1,
        [by_mistake.pk],
    )
    text = run_command(monkeypatch, "check_integrity").out
    assert "Notice session_capacity_unset: 1 row(s)" in text
    assert f"(ids {by_mistake.pk})" in text
    assert list(unlimited_by_mistake().values_list("pk", flat=True)) == [by_mistake.pk]


def test_the_admin_filters_the_sessions_the_audit_names(staff_client, run):
    by_mistake = WorkshopSessionFactory(run=run, number=1, date=days_from_today(5), unlimited=True)
    WorkshopSessionFactory(run=run, number=2, date=days_from_today(6))
    response = staff_client.get(
        reverse("admin:workshops_workshopsession_changelist"), {"seats": "unset"}
    )
    assert [s.pk for s in response.context["cl"].result_list] == [by_mistake.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_staff_adding_sessions_to_one_run_at_once_get_different_numbers():
    run = WorkshopRunFactory(start_date=days_from_today(5), end_date=days_from_today(40))
    results = race(8, lambda i: plain_session(run, 5 + i).number)
    assert sorted(results) == list(range(1, 9)), results
