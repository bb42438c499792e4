"""Students book, track and cancel seats on server-rendered pages."""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from core.tests.factories import UserFactory
from orders.models import Order
from orders.services.booking import seat_book
from workshops.models import WorkshopSession
from workshops.tests.factories import (
    WorkshopRunFactory,
    WorkshopSessionFactory,
    days_from_today,
    sell_seats,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(run):
    return WorkshopSessionFactory(run=run, number=1, date=days_from_today(5), capacity=2)


@pytest.fixture
def student(client):
    user = UserFactory(username="amira")
    client.force_login(user)
    return user


def book_url(workshop):
    return reverse("book", kwargs={"slug": workshop.slug})


def test_store_lists_workshops_with_dates_seats_and_badges(client, run, session):
    WorkshopSessionFactory(run=run, number=2, date=days_from_today(6), capacity=1, seats_taken=1)
    WorkshopSessionFactory(
        run=run, number=3, date=days_from_today(7), cancelled_at="2030-01-01T00:00Z"
    )
    text = client.get(reverse("workshops:store")).text
    assert "Robotics" in text and "Spring build" in text
    assert "2 seats left" in text
    assert ">Full<" in text
    assert ">Cancelled<" in text


def test_workshop_page_groups_sessions_by_run_with_next_available(client, run, session):
    WorkshopRunFactory(
        workshop=run.workshop,
        name="Summer build",
        start_date=days_from_today(40),
        end_date=days_from_today(41),
    )
    response = client.get(run.workshop.get_absolute_url())
    assert [r.name for r in response.context["runs"]] == ["Spring build", "Summer build"]
    assert "Next available session" in response.text
    assert f'value="{session.pk}"' in response.text


def test_full_and_cancelled_sessions_cannot_be_chosen(client, run):
    full = WorkshopSessionFactory(
        run=run, number=2, date=days_from_today(6), capacity=1, seats_taken=1
    )
    response = client.get(run.workshop.get_absolute_url())
    assert f'value="{full.pk}" required disabled' in response.text


def test_an_unknown_workshop_is_a_404(client):
    assert client.get("/workshops/no-such-thing/").status_code == 404


def test_a_visitors_choice_survives_the_login_and_is_booked_only_on_confirmation(
    client, run, session
):
    page = client.get(run.workshop.get_absolute_url())
    assert f'<form method="get" action="{book_url(run.workshop)}"' in page.text
    chosen = f"{book_url(run.workshop)}?session={session.pk}"
    response = client.get(chosen)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={quote(chosen)}"
    UserFactory(username="omar")
    response = client.post(
        response.url, {"username": "omar", "password": "correct horse battery", "next": chosen}
    )
    assert response.url == chosen
    confirm = client.get(chosen)
    assert confirm.status_code == 200
    assert "Confirm your booking" in confirm.text
    assert f'name="session" value="{session.pk}"' in confirm.text
    assert not Order.objects.exists()  # coming back books nothing by itself
    client.post(book_url(run.workshop), {"session": session.pk})
    assert Order.objects.get().seats.get().session == session


def test_a_visitor_who_signs_up_keeps_the_choice_too(client, run, session):
    chosen = f"{book_url(run.workshop)}?session={session.pk}"
    response = client.post(
        f"{reverse('signup')}?next={quote(chosen)}",
        {
            "username": "nadia",
            "password1": "a-long-enough-pass",
            "password2": "a-long-enough-pass",
            "role": "student",
            "next": chosen,
        },
    )
    assert response.url == chosen
    assert "Confirm your booking" in client.get(chosen).text


def test_next_available_is_confirmed_as_the_session_it_is_now(client, student, run, session):
    later = WorkshopSessionFactory(run=run, number=2, date=days_from_today(9))
    sell_seats(session, 2)  # full
    confirm = client.get(f"{book_url(run.workshop)}?session=next")
    assert f'name="session" value="{later.pk}"' in confirm.text


def test_nothing_chosen_books_nothing_and_asks_for_a_choice(client, student, run, session):
    for data in ({}, {"session": ""}, {"session": "  "}):
        response = client.post(book_url(run.workshop), data)
        assert response.status_code == 400
        assert "Choose a session from the list" in response.text
    assert not Order.objects.exists()


def test_next_books_the_next_available_session(client, student, run, session):
    client.post(book_url(run.workshop), {"session": "next"})
    assert Order.objects.get(buyer=student).seats.get().session == session


def test_after_a_refusal_the_form_comes_back_with_nothing_chosen(client, student, run, session):
    sell_seats(session, 2)
    response = client.post(book_url(run.workshop), {"session": session.pk})
    assert response.status_code == 409
    assert " checked" not in response.text
    assert not Order.objects.filter(buyer=student).exists()


def test_the_workshop_page_marks_the_sessions_you_hold(client, student, run, session):
    client.post(book_url(run.workshop), {"session": session.pk})
    page = client.get(run.workshop.get_absolute_url())
    assert "Your seat" in page.text
    assert f'value="{session.pk}" required disabled' in page.text


def test_booking_goes_to_the_order_page_with_a_confirmation(client, student, run, session):
    response = client.post(book_url(run.workshop), {"session": session.pk}, follow=True)
    order = Order.objects.get(buyer=student)
    assert response.redirect_chain == [(order.get_absolute_url(), 302)]
    assert f"Your reference is {order.reference}" in response.text
    assert "Spring build" in response.text


def test_a_full_session_comes_back_as_a_message_on_the_workshop_page(client, student, run, session):
    sell_seats(session, 2)
    response = client.post(book_url(run.workshop), {"session": session.pk})
    assert response.status_code == 409
    assert "is full; choose another session." in response.text
    assert response.context["workshop"] == run.workshop


def test_booking_twice_comes_back_as_a_message(client, student, run, session):
    client.post(book_url(run.workshop), {"session": session.pk})
    response = client.post(book_url(run.workshop), {"session": session.pk})
    assert response.status_code == 409
    assert "You already have a seat" in response.text


@pytest.mark.parametrize("value", ["abc", "-4", "0", "1.5", "99999999999999999999999"])
def test_a_malformed_session_is_a_400_with_a_message(client, student, run, value):
    response = client.post(book_url(run.workshop), {"session": value})
    assert response.status_code == 400
    assert "Choose a session from the list" in response.text


def test_a_session_of_another_workshop_is_a_400_with_a_message(client, student, run):
    other = WorkshopSessionFactory()
    response = client.post(book_url(run.workshop), {"session": other.pk})
    assert response.status_code == 400
    assert "That session is not part of Robotics; choose one from the list." in response.text


def test_booking_an_inactive_workshop_is_explained(client, student, run, session):
    run.workshop.is_active = False
    run.workshop.save()
    response = client.post(book_url(run.workshop), {"session": session.pk})
    assert response.status_code == 409
    assert "Robotics is not taking bookings." in response.text


def test_booking_is_csrf_protected(run, session):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    assert client.post(book_url(run.workshop), {"session": session.pk}).status_code == 403
    assert not Order.objects.exists()


def test_order_tracking_lists_workshop_run_date_time_and_status(client, student, run, session):
    order = seat_book(buyer=student, workshop=run.workshop, session_id=session.pk).order
    text = client.get(reverse("orders:list")).text
    assert order.reference in text
    assert "Robotics" in text and "Spring build" in text
    assert f"{session.date:%a} {session.date.day} {session.date:%b %Y}" in text
    assert "09:00–12:00" in text
    assert "Confirmed" in text


def test_order_pages_require_login(client):
    response = client.get(reverse("orders:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_another_users_order_is_a_404(client, student, run, session):
    order = seat_book(buyer=UserFactory(), workshop=run.workshop, session_id=session.pk).order
    assert client.get(order.get_absolute_url()).status_code == 404
    cancel = reverse("orders:cancel", kwargs={"reference": order.reference})
    assert client.post(cancel).status_code == 404
    order.refresh_from_db()
    assert order.status == "confirmed"


def test_cancelling_from_the_order_page_frees_the_seat(client, student, run, session):
    WorkshopSession.objects.filter(pk=session.pk).update(capacity=1)
    order = seat_book(buyer=student, workshop=run.workshop, session_id=session.pk).order
    cancel = reverse("orders:cancel", kwargs={"reference": order.reference})
    response = client.post(cancel, follow=True)
    assert "is cancelled; the seat is freed." in response.text
    assert WorkshopSession.objects.with_status().get(pk=session.pk).status == "upcoming"
    store = client.get(run.workshop.get_absolute_url()).text
    assert f'value="{session.pk}" disabled' not in store


def test_cancelling_a_cancelled_order_is_explained(client, student, run, session):
    order = seat_book(buyer=student, workshop=run.workshop, session_id=session.pk).order
    cancel = reverse("orders:cancel", kwargs={"reference": order.reference})
    client.post(cancel)
    response = client.post(cancel, follow=True)
    assert response.status_code == 200
    assert "is already cancelled" in response.text


def test_cancelling_asks_first_and_a_visit_changes_nothing(client, student, run, session):
    order = seat_book(buyer=student, workshop=run.workshop, session_id=session.pk).order
    cancel = reverse("orders:cancel", kwargs={"reference": order.reference})
    page = client.get(cancel)
    assert page.status_code == 200
    assert "Yes, cancel the order" in page.text and "No, keep it" in page.text
    order.refresh_from_db()
    assert order.status == "confirmed"
    assert cancel in client.get(order.get_absolute_url()).text


def test_a_buyer_sees_a_cancelled_session_and_the_next_one_to_book(client, student, run, session):
    from orders.services.cancellation import sessions_cancel

    following = WorkshopSessionFactory(run=run, number=2, date=days_from_today(8))
    order = seat_book(buyer=student, workshop=run.workshop, session_id=session.pk).order
    sessions_cancel(session_ids=[session.pk])
    for url in (reverse("orders:list"), order.get_absolute_url()):
        text = client.get(url).text
        assert "Session cancelled" in text and "Confirmed" not in text
        assert f"{book_url(run.workshop)}?session={following.pk}" in text
    detail = client.get(order.get_absolute_url()).text
    assert reverse("orders:cancel", kwargs={"reference": order.reference}) not in detail


def test_the_suggested_session_is_never_one_the_buyer_already_holds(
    client, student, run, session, mailoutbox, django_capture_on_commit_callbacks
):
    """A whole run booked, its first day cancelled: the second day is the buyer's
    already, so the suggestion is the first session they do not hold."""
    from orders.services.booking import run_book
    from orders.services.cancellation import sessions_cancel

    held = WorkshopSessionFactory(run=run, number=2, date=days_from_today(8))
    other = WorkshopRunFactory(workshop=run.workshop, name="Later")
    later = WorkshopSessionFactory(run=other, number=1, date=days_from_today(12))
    order = run_book(buyer=student, workshop=run.workshop, run_id=run.pk)
    assert {seat.session_id for seat in order.seats.all()} == {session.pk, held.pk}
    with django_capture_on_commit_callbacks(execute=True):
        sessions_cancel(session_ids=[session.pk])

    for url in (reverse("orders:list"), order.get_absolute_url()):
        text = client.get(url).text
        assert f"?session={later.pk}" in text and f"?session={held.pk}" not in text
    [mail] = [mail for mail in mailoutbox if mail.subject.startswith("Cancelled:")]
    assert f"?session={later.pk}" in mail.body
