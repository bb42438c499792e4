"""Staff manage the schedule in the admin; every rule broken there is a field error."""

import datetime

import pytest
from django.urls import reverse

from core.tests.factories import staff_user
from workshops.models import WorkshopRun, WorkshopSession
from workshops.tests.admin_forms import session_form
from workshops.tests.factories import (
    WorkshopFactory,
    WorkshopRunFactory,
    WorkshopSessionFactory,
    days_from_today,
    sell_seats,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(staff_user("workshops"))
    return client


@pytest.fixture
def session():
    run = WorkshopRunFactory(
        name="March cohort", start_date=days_from_today(10), end_date=days_from_today(14)
    )
    return WorkshopSessionFactory(
        run=run, number=1, date=days_from_today(10), capacity=5, seats_taken=5
    )


def run_form(run, *sessions: dict, **changes) -> dict:
    """The run's change form, with the given rows in its sessions inline."""
    data = {
        "workshop": run.workshop_id,
        "name": run.name,
        "name_ar": "",
        "start_date": run.start_date.isoformat(),
        "end_date": run.end_date.isoformat(),
        "sessions-TOTAL_FORMS": str(len(sessions)),
        "sessions-INITIAL_FORMS": str(sum(1 for row in sessions if "id" in row)),
    }
    for n, row in enumerate(sessions):
        data.update({f"sessions-{n}-{key}": value for key, value in row.items()})
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "name", ["workshops_workshop", "workshops_workshoprun", "workshops_workshopsession"]
)
def test_anonymous_users_are_sent_to_the_admin_login(client, name):
    response = client.get(reverse(f"admin:{name}_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    "name", ["workshops_workshop", "workshops_workshoprun", "workshops_workshopsession"]
)
def test_changelists_and_change_forms_open_for_staff(staff_client, session, name):
    assert staff_client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    obj = {
        "workshops_workshop": session.workshop,
        "workshops_workshoprun": session.run,
        "workshops_workshopsession": session,
    }[name]
    assert staff_client.get(reverse(f"admin:{name}_change", args=[obj.pk])).status_code == 200
    assert staff_client.get(reverse(f"admin:{name}_add")).status_code == 200


def test_session_list_shows_seats_and_derived_status(staff_client, session):
    response = staff_client.get(reverse("admin:workshops_workshopsession_changelist"))
    assert "5 / 5" in response.text
    assert ">Full<" in response.text


def test_a_session_with_seats_sold_reads_booked_and_one_without_no_bookings_yet(
    staff_client, session
):
    WorkshopSessionFactory(run=session.run, number=2, date=days_from_today(11), seats_taken=2)
    WorkshopSessionFactory(run=session.run, number=3, date=days_from_today(12))
    response = staff_client.get(reverse("admin:workshops_workshopsession_changelist"))
    assert ">Booked<" in response.text and ">No bookings yet<" in response.text
    assert ">Active<" not in response.text and ">Upcoming<" not in response.text


def test_session_list_names_each_session_in_two_columns(staff_client, session):
    response = staff_client.get(reverse("admin:workshops_workshopsession_changelist"))
    headers = [h["text"].capitalize() for h in response.context["result_headers"]]
    assert headers[1:] == ["When", "Session", "Seats", "Status", "Host link"]
    date, times = f"{session.date:%a %-d %b %Y}", "09:00–12:00"
    assert date in response.text and times in response.text
    assert "March cohort · Day 1" in response.text and session.workshop.title in response.text


def test_session_list_filters_by_host_link(staff_client, session):
    from workshops.services import host_link_provision

    other = WorkshopSessionFactory(run=session.run, number=2, date=days_from_today(11))
    host_link_provision(session_id=other.pk)
    url = reverse("admin:workshops_workshopsession_changelist")
    linked = staff_client.get(url, {"host_link": "yes"}).context["cl"].result_list
    unlinked = staff_client.get(url, {"host_link": "no"}).context["cl"].result_list
    assert [s.pk for s in linked] == [other.pk]
    assert [s.pk for s in unlinked] == [session.pk]


def test_session_list_filters_by_derived_status(staff_client, session):
    WorkshopSessionFactory(run=session.run, number=2, date=days_from_today(11))
    url = reverse("admin:workshops_workshopsession_changelist")
    full = staff_client.get(url, {"status": "full"}).context["cl"].result_list
    upcoming = staff_client.get(url, {"status": "upcoming"}).context["cl"].result_list
    assert [s.number for s in full] == [1]
    assert [s.number for s in upcoming] == [2]


def test_run_list_shows_sessions_and_seats(staff_client, session):
    response = staff_client.get(reverse("admin:workshops_workshoprun_changelist"))
    row = response.context["cl"].result_list[0]
    assert (row.session_count, row.seats_sold, row.seats_left) == (1, 5, 0)
    assert "5 sold" in response.text and "0 left" in response.text


def test_run_list_shows_a_runs_dates_in_one_column(staff_client):
    WorkshopRunFactory(start_date=datetime.date(2099, 3, 8), end_date=datetime.date(2099, 3, 12))
    WorkshopRunFactory(start_date=datetime.date(2099, 3, 30), end_date=datetime.date(2099, 4, 2))
    WorkshopRunFactory(start_date=datetime.date(2099, 12, 30), end_date=datetime.date(2100, 1, 2))
    response = staff_client.get(reverse("admin:workshops_workshoprun_changelist"))
    headers = [h["text"].capitalize() for h in response.context["result_headers"]]
    assert headers[1:] == ["Name", "Workshop", "Dates", "Sessions", "Seats"]
    for span in ("8 – 12 Mar 2099", "30 Mar – 2 Apr 2099", "30 Dec 2099 – 2 Jan 2100"):
        assert span in response.text


def test_workshop_list_shows_both_titles_and_the_price_in_the_currency(staff_client, settings):
    settings.STUDYHALL_CURRENCY = "KWD"
    WorkshopFactory(title="Pottery", title_ar="الفخار", price="12.5", default_capacity=None)
    response = staff_client.get(reverse("admin:workshops_workshop_changelist"))
    headers = [h["text"].capitalize() for h in response.context["result_headers"]]
    assert headers[1:] == ["Workshop", "Price", "Seats", "Active"]
    assert "Pottery" in response.text and "الفخار" in response.text
    assert "KWD\u00a012.500" in response.text
    assert '<td class="field-seats">unlimited</td>' in response.text


def test_run_change_page_shows_the_summary(staff_client, session):
    response = staff_client.get(
        reverse("admin:workshops_workshoprun_change", args=[session.run_id])
    )
    assert "1 session (0 cancelled) · 5 seats sold · 0 seats left" in response.text


def test_a_session_offers_only_its_workshops_runs_and_refuses_another(staff_client, session):
    own = WorkshopRunFactory(workshop=session.workshop, name="Autumn")
    other = WorkshopRunFactory(start_date=session.run.start_date, end_date=session.run.end_date)
    url = reverse("admin:workshops_workshopsession_change", args=[session.pk])
    page = staff_client.get(url)
    assert set(page.context["adminform"].form.fields["run"].queryset) == {session.run, own}
    assert f'<option value="{own.pk}"' in page.text
    assert f'<option value="{other.pk}"' not in page.text
    response = staff_client.post(url, session_form(session, run=other.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["adminform"].form.errors["run"])
    session.refresh_from_db()
    assert session.run_id != other.pk


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"capacity": 3}, "capacity", "5 seats are already taken"),
        ({"end_time": "08:00"}, "end_time", "A session must end after it starts."),
        ({"date": days_from_today(30).isoformat()}, "date", "choose a date within it"),
        ({"capacity": 0}, "capacity", "greater than or equal to 1"),
    ],
)
def test_session_rule_breaks_are_field_errors(staff_client, session, changes, field, message):
    url = reverse("admin:workshops_workshopsession_change", args=[session.pk])
    response = staff_client.post(url, session_form(session, **changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])


def test_sessions_inline_under_a_run_take_the_runs_workshop(staff_client):
    run = WorkshopRunFactory(start_date=days_from_today(10), end_date=days_from_today(12))
    url = reverse("admin:workshops_workshoprun_change", args=[run.pk])
    row = {
        "number": "1",
        "date": days_from_today(11).isoformat(),
        "start_time": "09:00",
        "end_time": "11:00",
        "capacity": "6",
    }
    response = staff_client.post(url, run_form(run, row))
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    session = run.sessions.get()
    assert (session.workshop_id, session.capacity) == (run.workshop_id, 6)


def test_new_sessions_under_a_run_take_the_default_seats_and_the_next_numbers(staff_client):
    run = WorkshopRunFactory(workshop__default_capacity=7)
    WorkshopSessionFactory(run=run, number=4, date=run.start_date, capacity=3)
    url = reverse("admin:workshops_workshoprun_change", args=[run.pk])
    form = staff_client.get(url).context["inline_admin_formsets"][0].formset.empty_form
    assert form["capacity"].field.widget.attrs["placeholder"] == "7"
    new = {"number": "", "start_time": "18:00", "end_time": "20:00", "capacity": ""}
    existing = run.sessions.get()
    rows = [
        {
            "id": existing.pk,
            "run": run.pk,
            "number": "4",
            "date": existing.date.isoformat(),
            "start_time": "09:00",
            "end_time": "12:00",
            "capacity": "3",
        },
        {**new, "date": run.start_date.isoformat()},
        {**new, "date": run.end_date.isoformat()},
    ]
    assert staff_client.post(url, run_form(run, *rows)).status_code == 302
    made = list(run.sessions.order_by("number").values_list("number", "capacity"))
    assert made == [(4, 3), (5, 7), (6, 7)]


def test_narrowing_a_run_past_its_sessions_is_a_field_error(staff_client, session):
    run = session.run
    url = reverse("admin:workshops_workshoprun_change", args=[run.pk])
    response = staff_client.post(url, run_form(run, start_date=days_from_today(11).isoformat()))
    assert response.status_code == 200
    assert "must cover all of its sessions" in str(response.context["adminform"].form.errors)


def test_clone_run_action_asks_for_a_start_date(staff_client, session):
    response = staff_client.post(
        reverse("admin:workshops_workshoprun_changelist"),
        {"action": "clone_run", "_selected_action": [session.run_id]},
    )
    assert response.status_code == 200
    assert "New start date" in response.text
    assert "Leave empty for “March cohort” followed by the new start date." in response.text


def test_the_clone_form_has_the_admins_own_breadcrumbs(staff_client, session):
    response = staff_client.post(
        reverse("admin:workshops_workshoprun_changelist"),
        {"action": "clone_run", "_selected_action": [session.run_id]},
    )
    run_page = reverse("admin:workshops_workshoprun_change", args=[session.run_id])
    crumbs = response.text[response.text.index('<ol class="breadcrumbs">') :]
    crumbs = crumbs[: crumbs.index("</ol>")]
    assert f'<li><a href="{run_page}">' in crumbs
    assert '<li aria-current="page">Clone</li>' in crumbs
    assert '<div class="breadcrumbs">' not in response.text


def test_clone_run_action_names_the_new_run_in_both_languages(staff_client, session):
    WorkshopRun.objects.filter(pk=session.run_id).update(name_ar="دفعة مارس")
    start = days_from_today(60)
    staff_client.post(
        reverse("admin:workshops_workshoprun_changelist"),
        {
            "action": "clone_run",
            "_selected_action": [session.run_id],
            "apply": "1",
            "start_date": start.isoformat(),
            "name": "",
            "name_ar": "",
        },
    )
    copy = WorkshopRun.objects.get(start_date=start)
    assert copy.name == f"March cohort – {start:%-d %b %Y}"
    assert copy.name_ar.startswith("دفعة مارس – ") and copy.name_ar.endswith(str(start.year))
    assert copy.name_ar != "دفعة مارس"


def test_clone_run_action_creates_the_new_run(staff_client, session):
    start = days_from_today(60)
    response = staff_client.post(
        reverse("admin:workshops_workshoprun_changelist"),
        {
            "action": "clone_run",
            "_selected_action": [session.run_id],
            "apply": "1",
            "start_date": start.isoformat(),
            "name": "May cohort",
            "name_ar": "",
        },
    )
    copy = WorkshopRun.objects.get(name="May cohort")
    assert response.status_code == 302
    assert response.url == reverse("admin:workshops_workshoprun_change", args=[copy.pk])
    assert list(copy.sessions.values_list("date", "seats_taken", "capacity")) == [(start, 0, 5)]


def test_clone_run_action_explains_a_bad_start_date(staff_client, session):
    response = staff_client.post(
        reverse("admin:workshops_workshoprun_changelist"),
        {
            "action": "clone_run",
            "_selected_action": [session.run_id],
            "apply": "1",
            "start_date": days_from_today(-3).isoformat(),
            "name": "",
        },
    )
    assert response.status_code == 200
    assert "is in the past; choose today or later." in " ".join(
        response.context["form"].errors["start_date"]
    )
    assert WorkshopRun.objects.count() == 1


def test_clone_run_action_explains_a_taken_name(staff_client, session):
    response = staff_client.post(
        reverse("admin:workshops_workshoprun_changelist"),
        {
            "action": "clone_run",
            "_selected_action": [session.run_id],
            "apply": "1",
            "start_date": days_from_today(40).isoformat(),
            "name": "March cohort",
        },
    )
    assert response.status_code == 200
    assert "already has a run named" in " ".join(response.context["form"].errors["name"])


def test_clone_run_action_takes_one_run_at_a_time(staff_client, session):
    other = WorkshopRunFactory()
    response = staff_client.post(
        reverse("admin:workshops_workshoprun_changelist"),
        {"action": "clone_run", "_selected_action": [session.run_id, other.pk]},
        follow=True,
    )
    assert "Select exactly one run to clone." in response.text
    assert WorkshopRun.objects.count() == 2


def test_workshop_admin_refuses_a_taken_slug(staff_client, session):
    response = staff_client.post(
        reverse("admin:workshops_workshop_add"),
        {
            "title": "Another",
            "title_ar": "",
            "slug": session.workshop.slug,
            "description": "",
            "default_capacity": "",
            "price": "0",
            "is_active": "on",
            "runs-TOTAL_FORMS": "0",
            "runs-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors


def test_staff_adds_a_workshop_with_its_first_run(staff_client):
    start = days_from_today(20)
    response = staff_client.post(
        reverse("admin:workshops_workshop_add"),
        {
            "title": "Pottery",
            "title_ar": "الفخار",
            "slug": "pottery",
            "description": "",
            "default_capacity": "6",
            "price": "25.00",
            "is_active": "on",
            "runs-TOTAL_FORMS": "1",
            "runs-INITIAL_FORMS": "0",
            "runs-0-name": "First",
            "runs-0-name_ar": "",
            "runs-0-start_date": start.isoformat(),
            "runs-0-end_date": (start + datetime.timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert WorkshopRun.objects.get(workshop__slug="pottery").name == "First"
    assert WorkshopFactory._meta.model.objects.get(slug="pottery").title_ar == "الفخار"


def test_cancelled_at_is_read_only_for_staff(staff_client, session):
    url = reverse("admin:workshops_workshopsession_change", args=[session.pk])
    form = staff_client.get(url).context["adminform"].form
    assert "cancelled_at" not in form.fields
    staff_client.post(
        url, session_form(session, cancelled_at_0="2030-01-01", cancelled_at_1="10:00")
    )
    session.refresh_from_db()
    assert session.cancelled_at is None


def test_seats_sold_while_the_form_was_open_refuse_a_lower_capacity(
    staff_client, session, monkeypatch
):
    from orders.admin import sessions as session_admin
    from workshops.services import session_update

    WorkshopSession.objects.filter(pk=session.pk).update(capacity=10)  # 5 sold, 5 free

    def booked_meanwhile(*, session):
        sell_seats(session, 1)  # a sixth seat sold while the form was open
        return session_update(session=session)

    monkeypatch.setattr(session_admin, "session_update", booked_meanwhile)
    url = reverse("admin:workshops_workshopsession_change", args=[session.pk])
    response = staff_client.post(url, session_form(session, capacity=5), follow=True)
    assert response.status_code == 200
    assert "Nothing was saved: 6 seats are already taken; capacity cannot be lower." in (
        response.text
    )
    session.refresh_from_db()
    assert (session.capacity, session.seats_taken) == (10, 5)  # the whole save rolled back


def test_lowering_capacity_under_a_run_is_checked_by_the_same_service(staff_client, session):
    run = session.run
    url = reverse("admin:workshops_workshoprun_change", args=[run.pk])
    row = {
        "id": session.pk,
        "run": run.pk,
        "number": "1",
        "date": session.date.isoformat(),
        "start_time": "09:00",
        "end_time": "12:00",
        "capacity": "4",
    }
    response = staff_client.post(url, run_form(run, row))
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert "5 seats are already taken; capacity cannot be lower." in str(errors)
    assert staff_client.post(url, run_form(run, {**row, "capacity": "8"})).status_code == 302
    session.refresh_from_db()
    assert (session.capacity, session.seats_taken) == (8, 5)


@pytest.mark.parametrize("typed", ["", "null"])
def test_empty_notes_for_staff_are_saved_as_no_notes(staff_client, session, typed):
    url = reverse("admin:workshops_workshopsession_change", args=[session.pk])
    response = staff_client.post(url, session_form(session, capacity=5, metadata=typed))
    assert response.status_code == 302, response.context["adminform"].form.errors
    session.refresh_from_db()
    assert session.metadata == {}


@pytest.mark.parametrize("typed", ["[1, 2]", '"Lab 2"', "5", "true"])
def test_notes_for_staff_that_are_not_a_json_object_are_a_field_error(staff_client, session, typed):
    url = reverse("admin:workshops_workshopsession_change", args=[session.pk])
    response = staff_client.post(url, session_form(session, capacity=5, metadata=typed))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Notes for staff are a JSON object" in str(errors["metadata"])
