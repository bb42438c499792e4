"""Staff see orders and attendees, export them, and cancel through the service."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from core.tests.factories import UserFactory, staff_user
from orders.models import Order, OrderItem
from orders.services.booking import run_book, seat_book
from orders.services.cancellation import seat_cancel
from workshops.models import WorkshopSession
from workshops.tests.admin_forms import session_form
from workshops.tests.factories import WorkshopRunFactory, WorkshopSessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("check_in_always_open")]


@pytest.fixture
def staff_client(client):
    client.force_login(staff_user("workshops", "orders"))
    return client


@pytest.fixture
def session():
    return WorkshopSessionFactory(capacity=3, run__workshop__title="Robotics")


@pytest.fixture
def orders(session):
    amira = UserFactory(
        username="amira", first_name="Amira", last_name="Saleh", email="amira@example.com"
    )
    omar = UserFactory(username="omar", first_name="Omar", last_name="Nasser")
    return [
        seat_book(buyer=buyer, workshop=session.workshop, session_id=session.pk).order
        for buyer in (amira, omar)
    ]


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("admin:orders_order_changelist"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("amira", ["amira"]),
        ("Nasser", ["omar"]),
        ("amira@example.com", ["amira"]),
    ],
)
def test_orders_are_found_by_buyer_name_or_email(staff_client, orders, query, expected):
    response = staff_client.get(reverse("admin:orders_order_changelist"), {"q": query})
    assert [o.buyer.username for o in response.context["cl"].result_list] == expected


def test_orders_are_found_by_reference(staff_client, orders):
    response = staff_client.get(
        reverse("admin:orders_order_changelist"), {"q": orders[1].reference}
    )
    assert list(response.context["cl"].result_list) == [orders[1]]


def test_orders_filter_by_status(staff_client, orders):
    from orders.services.cancellation import order_cancel

    order_cancel(order=orders[0])
    response = staff_client.get(
        reverse("admin:orders_order_changelist"), {"status__exact": "cancelled"}
    )
    assert list(response.context["cl"].result_list) == [orders[0]]


def test_order_change_page_shows_its_seats_read_only(staff_client, orders):
    response = staff_client.get(reverse("admin:orders_order_change", args=[orders[0].pk]))
    assert response.status_code == 200
    assert "Robotics" in response.text
    formset = response.context["inline_admin_formsets"][0]
    assert not formset.has_change_permission and not formset.has_add_permission


def test_order_list_shows_each_orders_workshop_session_and_total(
    staff_client, orders, session, settings
):
    settings.STUDYHALL_CURRENCY = "KWD"
    type(session.workshop).objects.filter(pk=session.workshop_id).update(price="45.5")
    OrderItem.objects.update(price="45.5")
    response = staff_client.get(reverse("admin:orders_order_changelist"))
    headers = [h["text"].capitalize() for h in response.context["result_headers"]]
    assert headers[1:] == ["Order", "Buyer", "Booked", "Total", "Status"]
    booked = f"{session.run.name} · Day {session.number} · {session.date:%-d %b %Y}"
    assert response.text.count(booked) == 2 and "Robotics" in response.text
    assert "KWD\u00a045.500" in response.text


def test_an_order_for_a_whole_run_shows_the_run_and_its_number_of_sessions(staff_client):
    run = WorkshopRunFactory(
        workshop__title="Pottery",
        name="Spring",
        start_date=datetime.date(2099, 3, 1),
        end_date=datetime.date(2099, 3, 3),
    )
    for day in (1, 2, 3):
        WorkshopSessionFactory(run=run, number=day, date=datetime.date(2099, 3, day))
    run_book(buyer=UserFactory(), workshop=run.workshop, run_id=run.pk)
    response = staff_client.get(reverse("admin:orders_order_changelist"))
    assert "Spring · 3 sessions from 1 Mar 2099" in response.text


def test_a_cancelled_orders_total_is_a_dash_not_free(staff_client, orders):
    from orders.services.cancellation import order_cancel

    order_cancel(order=orders[0])
    response = staff_client.get(
        reverse("admin:orders_order_changelist"), {"status__exact": "cancelled"}
    )
    assert '<td class="field-total">–</td>' in response.text


def test_an_order_page_offers_no_view_on_site_link(staff_client, orders):
    """The order's public page is its buyer's alone: staff would get a 404 there."""
    response = staff_client.get(reverse("admin:orders_order_change", args=[orders[0].pk]))
    assert "View on site" not in response.text
    assert orders[0].get_absolute_url() not in response.text
    assert staff_client.get(orders[0].get_absolute_url()).status_code == 404


def test_an_order_page_shows_each_seat_with_its_session_and_price(staff_client, orders, session):
    response = staff_client.get(reverse("admin:orders_order_change", args=[orders[0].pk]))
    session_page = reverse("admin:workshops_workshopsession_change", args=[session.pk])
    assert f'href="{session_page}"' in response.text
    assert session.schedule_label in response.text
    assert "Amira Saleh" in response.text and "amira@example.com" in response.text
    assert ">Booked<" in response.text


def test_orders_cannot_be_added_or_deleted_in_the_admin(staff_client, orders):
    assert staff_client.get(reverse("admin:orders_order_add")).status_code == 403
    delete = reverse("admin:orders_order_delete", args=[orders[0].pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert Order.objects.count() == 2


def test_staff_cancel_orders_through_the_service_and_free_seats(staff_client, orders, session):
    url = reverse("admin:orders_order_changelist")
    selection = {"action": "cancel_orders", "_selected_action": [orders[0].pk]}
    question = staff_client.post(url, selection)
    assert "Yes, cancel these orders" in question.text and orders[0].reference in question.text
    orders[0].refresh_from_db()
    assert orders[0].status == "confirmed"  # asking changes nothing
    response = staff_client.post(url, {**selection, "apply": "1"}, follow=True)
    assert "Cancelled 1 order." in response.text
    assert WorkshopSession.objects.get(pk=session.pk).seats_taken == 1
    orders[0].refresh_from_db()
    assert orders[0].status == "cancelled"


def test_session_change_page_lists_its_attendees(staff_client, orders, session):
    response = staff_client.get(
        reverse("admin:workshops_workshopsession_change", args=[session.pk])
    )
    assert response.status_code == 200
    assert "Amira Saleh" in response.text and "amira@example.com" in response.text
    assert orders[0].reference in response.text and orders[1].reference in response.text


def test_a_sessions_attendees_come_before_its_metadata_which_is_collapsed(
    staff_client, orders, session
):
    response = staff_client.get(
        reverse("admin:workshops_workshopsession_change", args=[session.pk])
    )
    text = response.text
    assert text.index("Amira Saleh") < text.index('id="fieldset-0-1-heading"')
    metadata = text[text.index('<fieldset class="module aligned collapse"') :]
    assert metadata.index("<details>") < metadata.index("Metadata") < metadata.index("</details>")
    assert ">Booked<" in text  # each attendee's seat
    assert "css/admin-seats.css" in text  # no label above each row repeating its columns


def test_attendees_export_as_csv(staff_client, orders, session):
    response = staff_client.post(
        reverse("admin:workshops_workshopsession_changelist"),
        {"action": "export_attendees", "_selected_action": [session.pk]},
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["attendee"], r["order"], r["seat status"]) for r in rows] == [
        ("amira", orders[0].reference, "active"),
        ("omar", orders[1].reference, "active"),
    ]
    assert rows[0]["workshop"] == "Robotics"
    assert rows[0]["date"] == session.date.isoformat()


def test_the_attendee_export_opens_safely_in_a_spreadsheet(staff_client, session):
    buyer = UserFactory(
        username="mallory", first_name='=HYPERLINK("http://x")', last_name="", email="@x.org"
    )
    arabic = UserFactory(username="layla", first_name="ليلى", last_name="عزيز")
    for person in (buyer, arabic):
        seat_book(buyer=person, workshop=session.workshop, session_id=session.pk)
    response = staff_client.post(
        reverse("admin:workshops_workshopsession_changelist"),
        {"action": "export_attendees", "_selected_action": [session.pk]},
    )
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")  # Excel then reads the Arabic names as UTF-8
    rows = {r["attendee"]: r for r in csv.DictReader(io.StringIO(raw.removeprefix("\ufeff")))}
    assert rows["mallory"]["name"] == '\'=HYPERLINK("http://x")'
    assert rows["mallory"]["email"] == "'@x.org"
    assert rows["layla"]["name"] == "ليلى عزيز"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("+965 5555 0101", "'+965 5555 0101"),
        ("-1", "'-1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Amira", "Amira"),
        (3, 3),
        # Invisible characters a spreadsheet skips before the formula.
        ("\u202e=1+1", "'\u202e=1+1"),
        ("\u200b\u200e+1", "'\u200b\u200e+1"),
        ("\ufeff@SUM(A1)", "'\ufeff@SUM(A1)"),
        (" =x", "' =x"),
        ("\u202eAmira", "\u202eAmira"),
        ("\u200b", "\u200b"),
    ],
)
def test_formula_characters_are_neutralised(value, cell):
    from core.spreadsheets import neutralised

    assert neutralised(value) == cell


def attendees_form(session, seats, *, checked=()) -> dict:
    """The session's change form as the admin renders it, with "Checked in" ticked for
    the seats in ``checked``."""
    data = session_form(
        session,
        **{
            "seats-TOTAL_FORMS": str(len(seats)),
            "seats-INITIAL_FORMS": str(len(seats)),
            "seats-MIN_NUM_FORMS": "0",
            "seats-MAX_NUM_FORMS": "1000",
        },
    )
    for n, seat in enumerate(seats):
        data[f"seats-{n}-id"] = seat.pk
        data[f"seats-{n}-session"] = session.pk
        # What the page showed when it was opened, which the form compares with.
        data[f"initial-seats-{n}-checked_in"] = str(seat.checked_in_at is not None)
        if seat in checked:
            data[f"seats-{n}-checked_in"] = "on"
    return data


def test_staff_check_attendees_in_and_out_from_the_session_page(staff_client, orders, session):
    seats = [order.seats.get() for order in orders]
    url = reverse("admin:workshops_workshopsession_change", args=[session.pk])

    response = staff_client.post(
        url, attendees_form(session, seats, checked=[seats[0]]), follow=True
    )
    assert "Amira Saleh is checked in." in response.text
    assert [s.checked_in_at is not None for s in OrderItem.objects.order_by("id")] == [True, False]

    seats = [OrderItem.objects.get(pk=seat.pk) for seat in seats]  # the page opened again
    response = staff_client.post(url, attendees_form(session, seats), follow=True)
    assert "Amira Saleh is no longer checked in." in response.text
    assert not OrderItem.objects.filter(checked_in_at__isnull=False).exists()


def test_a_cancelled_seat_cannot_be_ticked_in_the_admin(staff_client, orders, session):
    seats = [order.seats.get() for order in orders]
    seat_cancel(seat=seats[1])
    url = reverse("admin:workshops_workshopsession_change", args=[session.pk])
    staff_client.post(url, attendees_form(session, seats, checked=seats))
    assert list(OrderItem.objects.filter(checked_in_at__isnull=False)) == [seats[0]]


def test_staff_who_may_only_view_seats_see_check_ins_read_only(client, orders, session):
    user = staff_user("workshops", username="viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_orderitem"))
    client.force_login(user)
    response = client.get(reverse("admin:workshops_workshopsession_change", args=[session.pk]))
    assert response.status_code == 200
    assert "Amira Saleh" in response.text
    assert 'name="seats-0-checked_in"' not in response.text


def test_staff_move_a_session_to_another_run_and_its_seats_follow(staff_client, orders, session):
    other = WorkshopRunFactory(
        workshop=session.workshop,
        name="Second run",
        start_date=session.run.start_date,
        end_date=session.run.end_date,
    )
    url = reverse("admin:workshops_workshopsession_change", args=[session.pk])
    form = staff_client.get(url).context["adminform"].form
    assert "workshop" not in form.fields  # read-only once the session exists
    seats = [order.seats.get() for order in orders]
    data = attendees_form(session, seats)
    data["run"] = other.pk
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(OrderItem.objects.filter(session=session).values_list("run_id", flat=True)) == {
        other.pk
    }


def test_staff_cancel_a_session_its_seats_are_freed_and_each_buyer_told(
    staff_client, orders, session, django_capture_on_commit_callbacks, mailoutbox
):
    following = WorkshopSessionFactory(
        run=session.run, number=2, date=session.date + datetime.timedelta(days=1), capacity=3
    )
    url = reverse("admin:workshops_workshopsession_changelist")
    selection = {"action": "cancel_sessions", "_selected_action": [session.pk]}
    question = staff_client.post(url, selection)
    assert "Yes, cancel these sessions" in question.text and "2 seats booked" in question.text
    assert WorkshopSession.objects.get(pk=session.pk).cancelled_at is None

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {**selection, "apply": "1"}, follow=True)

    assert "Cancelled 1 session; 2 seats freed" in response.text
    session.refresh_from_db()
    assert (session.cancelled_at is not None, session.seats_taken) == (True, 0)
    assert set(OrderItem.objects.filter(session=session).values_list("status", flat=True)) == {
        "cancelled"
    }
    assert set(Order.objects.values_list("status", flat=True)) == {"cancelled"}
    assert sorted(m.to[0] for m in mailoutbox) == ["amira@example.com", "omar@example.com"]
    amira = next(m for m in mailoutbox if m.to == ["amira@example.com"])
    assert "is cancelled" in amira.body and f"?session={following.pk}" in amira.body


def test_saving_a_page_opened_before_a_hosts_undo_does_not_redo_the_check_in(
    staff_client, orders, session
):
    from orders.services.checkin import seat_check_in, seat_check_in_undo

    seats = [order.seats.get() for order in orders]
    seat_check_in(session=session, seat_id=seats[0].pk)
    seats[0].refresh_from_db()
    page = attendees_form(session, seats, checked=[seats[0]])  # staff open the page: ticked
    seat_check_in_undo(session=session, seat_id=seats[0].pk)  # the host undoes at the door
    url = reverse("admin:workshops_workshopsession_change", args=[session.pk])
    response = staff_client.post(url, page)  # staff save, the box untouched
    assert response.status_code == 302
    assert OrderItem.objects.get(pk=seats[0].pk).checked_in_at is None
