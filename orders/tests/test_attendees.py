"""``seat_attendee``: a parent books seats for their children, one order, one seat per
person per session; nobody books for a stranger, in any layer."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from core.tests.commands import run_command
from core.tests.factories import UserFactory
from orders.models import OrderItem
from orders.rules import AlreadyBooked, AttendeeRefused, SessionFull
from orders.services.booking import run_book, seat_book
from orders.tests.factories import SeatFactory
from tutoring.services import TutoringError, family_unlink
from tutoring.tests.factories import ParentProfileFactory, StudentProfileFactory
from workshops.tests.factories import WorkshopSessionFactory, days_from_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def family():
    """Mariam, a parent of Layla and Zaid."""
    parent = ParentProfileFactory(user__username="mariam")
    layla = StudentProfileFactory(user__username="layla", user__first_name="Layla")
    zaid = StudentProfileFactory(user__username="zaid", user__first_name="Zaid")
    parent.children.add(layla, zaid)
    return parent.user, layla.user, zaid.user, parent, layla


@pytest.fixture
def session(run):
    return WorkshopSessionFactory(run=run, number=1, date=days_from_today(5), capacity=3)


def test_a_parent_books_two_children_in_one_order(family, session):
    mariam, layla, zaid, *_ = family
    seat = seat_book(
        buyer=mariam, workshop=session.workshop, session_id=session.pk, attendees=[layla, zaid]
    )
    seats = seat.order.seats.order_by("pk")
    assert [(s.buyer, s.attendee) for s in seats] == [(mariam, layla), (mariam, zaid)]
    session.refresh_from_db()
    assert session.seats_taken == 2
    assert seats[0].attendee_name == "Layla Saleh" and seats[0].for_someone_else


def test_the_parent_and_the_child_both_hear_of_the_booking_and_the_reminder(
    family, session, mailoutbox, django_capture_on_commit_callbacks, settings
):
    import datetime

    from django.utils import timezone

    from orders.services.reminders import reminders_queue

    mariam, layla, *_ = family
    with django_capture_on_commit_callbacks(execute=True):
        seat_book(buyer=mariam, workshop=session.workshop, session_id=session.pk, attendees=[layla])
    assert sorted(m.to[0] for m in mailoutbox) == ["layla@example.com", "mariam@example.com"]
    [to_layla] = [m for m in mailoutbox if m.to == ["layla@example.com"]]
    assert "Mariam Aziz booked a seat for you." in to_layla.body
    settings.STUDYHALL_REMINDER_HOURS = 24 * 14
    OrderItem.objects.update(created_at=timezone.now() - datetime.timedelta(days=30))
    assert reminders_queue() == 2


def test_a_parent_books_a_whole_run_for_a_child_and_themselves(family, run, session):
    mariam, layla, *_ = family
    WorkshopSessionFactory(run=run, number=2, date=days_from_today(6), capacity=3)
    order = run_book(buyer=mariam, workshop=run.workshop, run_id=run.pk, attendees=[mariam, layla])
    assert order.seats.count() == 4
    assert set(order.seats.values_list("attendee__username", flat=True)) == {"mariam", "layla"}


def test_two_seats_where_one_is_left_books_nothing(family, session):
    mariam, layla, zaid, *_ = family
    seat_book(buyer=UserFactory(), workshop=session.workshop, session_id=session.pk)
    seat_book(buyer=UserFactory(), workshop=session.workshop, session_id=session.pk)
    with pytest.raises(SessionFull, match=r"Only 1 seat is left .* you asked for 2"):
        seat_book(
            buyer=mariam, workshop=session.workshop, session_id=session.pk, attendees=[layla, zaid]
        )
    session.refresh_from_db()
    assert session.seats_taken == 2 and not OrderItem.objects.filter(buyer=mariam).exists()


def test_next_available_finds_a_session_with_room_for_everyone(family, run, session):
    mariam, layla, zaid, *_ = family
    seat_book(buyer=UserFactory(), workshop=session.workshop, session_id=session.pk)
    seat_book(buyer=UserFactory(), workshop=session.workshop, session_id=session.pk)
    later = WorkshopSessionFactory(run=run, number=2, date=days_from_today(7), capacity=3)
    seat = seat_book(buyer=mariam, workshop=run.workshop, attendees=[layla, zaid])
    assert seat.session == later


def test_nobody_books_for_a_stranger_or_the_same_person_twice(family, session):
    mariam, layla, *_ = family
    stranger = UserFactory()
    with pytest.raises(AttendeeRefused, match="only for yourself and your children"):
        seat_book(
            buyer=mariam, workshop=session.workshop, session_id=session.pk, attendees=[stranger]
        )
    with pytest.raises(AttendeeRefused, match="each person once"):
        seat_book(
            buyer=mariam, workshop=session.workshop, session_id=session.pk, attendees=[layla, layla]
        )
    with pytest.raises(AttendeeRefused):  # a child does not book for their parent
        seat_book(buyer=layla, workshop=session.workshop, session_id=session.pk, attendees=[mariam])


def test_a_child_with_a_seat_is_not_seated_twice_by_anyone(family, session):
    mariam, layla, *_ = family
    seat_book(buyer=layla, workshop=session.workshop, session_id=session.pk)
    with pytest.raises(AlreadyBooked, match="Layla Saleh already has a seat"):
        seat_book(buyer=mariam, workshop=session.workshop, session_id=session.pk, attendees=[layla])
    with pytest.raises(AlreadyBooked, match="You already have a seat"):
        seat_book(buyer=layla, workshop=session.workshop, session_id=session.pk)


def test_clean_explains_an_attendee_who_is_not_family(family, session):
    _mariam, *_ = family
    seat = SeatFactory(session=session)
    seat.attendee = UserFactory()
    with pytest.raises(ValidationError) as caught:
        seat.clean()
    assert "one of the buyer's children" in caught.value.message_dict["attendee"][0]


def test_a_child_cannot_be_removed_while_a_seat_booked_for_them_is_active(family, session):
    mariam, layla_user, _zaid, parent, layla = family
    seat = seat_book(
        buyer=mariam, workshop=session.workshop, session_id=session.pk, attendees=[layla_user]
    )
    with pytest.raises(TutoringError, match="cancel it before removing the child"):
        family_unlink(parent=parent, child=layla)
    from orders.services.cancellation import order_cancel

    order_cancel(order=seat.order)
    family_unlink(parent=parent, child=layla)
    assert not parent.children.filter(pk=layla.pk).exists()


def test_the_audit_finds_and_the_repair_quarantines_a_seat_whose_family_link_is_gone(
    family, session, monkeypatch
):
    """As a dump restored without its triggers can leave it: the link removed under a
    seat the parent booked for the child."""
    mariam, layla_user, _zaid, parent, layla = family
    seat = seat_book(
        buyer=mariam, workshop=session.workshop, session_id=session.pk, attendees=[layla_user]
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            "DELETE FROM tutoring_parentprofile_children "
            "WHERE parentprofile_id = %s AND studentprofile_id = %s",
            [parent.pk, layla.pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")
    audit = run_command(monkeypatch, "check_integrity", "--only", "seat_attendee")
    assert audit.code == 1 and f"{seat.pk}" in audit.out
    repair = run_command(monkeypatch, "repair_integrity", "--no-input", "--only", "seat_attendee")
    assert repair.code == 0
    assert not OrderItem.objects.filter(pk=seat.pk).exists()
    session.refresh_from_db()
    assert session.seats_taken == 0  # recounted with the seat taken away
    assert run_command(monkeypatch, "check_integrity", "--only", "seat_attendee").code == 0


@pytest.mark.postgres
class TestRawSQL:
    def test_a_seat_for_a_strangers_child_is_refused(self, family, session):
        _mariam, *_ = family
        seat = SeatFactory(session=session, order__buyer=UserFactory())
        with (
            pytest.raises(IntegrityError, match="seat_attendee"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE orders_orderitem SET attendee_id = %s WHERE id = %s",
                [family[1].pk, seat.pk],
            )

    def raw_copy(self, seat, **columns):
        """A raw ``INSERT`` of a copy of ``seat`` with ``columns`` changed."""
        values = {
            "order_id": seat.order_id,
            "buyer_id": seat.buyer_id,
            "attendee_id": seat.attendee_id,
            "session_id": seat.session_id,
            "run_id": seat.run_id,
            "workshop_id": seat.workshop_id,
            **columns,
        }
        names = ", ".join(values)
        marks = ", ".join(["%s"] * len(values))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO orders_orderitem ({names}, price, status, created_at, "
                f"cancelled_at) VALUES ({marks}, 0, 'cancelled', now(), now())",
                list(values.values()),
            )

    def test_a_second_active_seat_for_one_attendee_is_refused(self, family, session):
        mariam, layla, *_ = family
        seat = seat_book(
            buyer=mariam, workshop=session.workshop, session_id=session.pk, attendees=[layla]
        )
        self.raw_copy(seat)  # a cancelled seat beside it: allowed
        with (
            pytest.raises(IntegrityError, match="item_one_active_seat_per_attendee"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE orders_orderitem SET status = 'active', cancelled_at = NULL "
                "WHERE attendee_id = %s AND status = 'cancelled'",
                [layla.pk],
            )

    def test_a_seat_without_an_attendee_is_refused(self, family, session):
        mariam, _layla, *_ = family
        seat = seat_book(buyer=mariam, workshop=session.workshop, session_id=session.pk)
        with pytest.raises(IntegrityError, match="attendee_id"):
            self.raw_copy(seat, attendee_id=None)

    def test_removing_a_child_who_holds_a_seat_is_refused(self, family, session):
        mariam, layla_user, _zaid, parent, layla = family
        seat_book(
            buyer=mariam, workshop=session.workshop, session_id=session.pk, attendees=[layla_user]
        )
        with (
            pytest.raises(IntegrityError, match="seat_attendee"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "DELETE FROM tutoring_parentprofile_children "
                "WHERE parentprofile_id = %s AND studentprofile_id = %s",
                [parent.pk, layla.pk],
            )


# -- the pages --------------------------------------------------------------------------


def test_a_parent_chooses_the_children_confirms_the_total_and_books(family, session, client):
    from django.urls import reverse

    mariam, layla, zaid, *_ = family
    client.force_login(mariam)
    page = client.get(session.workshop.get_absolute_url()).text
    assert "Who are the seats for?" in page and f'value="{zaid.pk}"' in page
    url = reverse("book", kwargs={"slug": session.workshop.slug})
    confirm = client.get(url, {"session": session.pk, "attendee": [layla.pk, zaid.pk]})
    assert confirm.status_code == 200
    assert "Layla Saleh" in confirm.text and "2 seats" in confirm.text
    booked = client.post(url, {"session": session.pk, "attendee": [layla.pk, zaid.pk]})
    assert booked.status_code == 302
    order = OrderItem.objects.get(attendee=layla).order
    assert order.seats.count() == 2
    mine = client.get(order.get_absolute_url()).text
    assert "for <bdi>Zaid" in mine


def test_a_child_sees_the_seat_a_parent_booked_without_a_way_to_cancel_it(family, session, client):
    from django.urls import reverse

    mariam, layla, *_ = family
    seat = seat_book(
        buyer=mariam, workshop=session.workshop, session_id=session.pk, attendees=[layla]
    )
    client.force_login(layla)
    page = client.get(reverse("orders:list")).text
    assert "Booked for you" in page and "booked by <bdi>Mariam Aziz</bdi>" in page
    assert reverse("orders:cancel", kwargs={"reference": seat.order.reference}) not in page
    assert client.get(seat.order.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("chosen", [["999999"], ["x"], ["-1"]])
def test_booking_for_someone_not_in_the_family_is_a_clear_4xx(family, session, client, chosen):
    from django.urls import reverse

    mariam, *_ = family
    client.force_login(mariam)
    url = reverse("book", kwargs={"slug": session.workshop.slug})
    response = client.post(url, {"session": session.pk, "attendee": chosen})
    assert response.status_code == 400
    assert not OrderItem.objects.filter(buyer=mariam).exists()


def test_the_host_roster_names_the_child_and_who_booked(family, session, client):
    from workshops.services import host_link_provision

    mariam, layla, *_ = family
    seat_book(buyer=mariam, workshop=session.workshop, session_id=session.pk, attendees=[layla])
    link = host_link_provision(session_id=session.pk).link
    roster = client.get(link.get_absolute_url()).text
    assert "Layla Saleh" in roster and "booked by <bdi>Mariam Aziz</bdi>" in roster


def test_a_parent_cancels_one_childs_seat_and_keeps_the_other(family, session, client):
    from django.urls import reverse

    mariam, layla, zaid, *_ = family
    seat = seat_book(
        buyer=mariam, workshop=session.workshop, session_id=session.pk, attendees=[layla, zaid]
    )
    order = seat.order
    layla_seat = order.seats.get(attendee=layla)
    client.force_login(mariam)
    detail = client.get(order.get_absolute_url()).text
    cancel = reverse("orders:cancel", kwargs={"reference": order.reference})
    assert f"{cancel}?seat={layla_seat.pk}" in detail
    confirm = client.get(cancel, {"seat": layla_seat.pk}).text
    assert "The seat of <bdi>Layla Saleh</bdi> will be freed" in confirm
    response = client.post(cancel, {"seat": layla_seat.pk}, follow=True)
    assert "The seat of Layla Saleh is cancelled" in response.text
    layla_seat.refresh_from_db()
    order.refresh_from_db()
    assert layla_seat.status == "cancelled" and order.status == "confirmed"
    assert order.seats.get(attendee=zaid).status == "active"
    session.refresh_from_db()
    assert session.seats_taken == 1
    # A seat of another order, or one already cancelled, is not cancelled from here.
    again = client.post(cancel, {"seat": layla_seat.pk}, follow=True)
    assert "Choose a seat of this order that is still booked." in again.text


def test_a_parent_sees_the_seats_their_children_booked_themselves(family, session, client):
    from django.urls import reverse

    mariam, layla, *_ = family
    seat_book(buyer=layla, workshop=session.workshop, session_id=session.pk)
    client.force_login(mariam)
    page = client.get(reverse("orders:list")).text
    assert "Your children's own bookings" in page and "for <bdi>Layla Saleh</bdi>" in page
    client.force_login(UserFactory())
    assert "Your children's own bookings" not in client.get(reverse("orders:list")).text


def test_a_childs_calendar_feed_has_the_seat_a_parent_booked(family, session, client):
    from orders.services.calendar_feeds import calendar_feed_turn_on

    mariam, layla, *_ = family
    seat = seat_book(
        buyer=mariam, workshop=session.workshop, session_id=session.pk, attendees=[layla]
    )
    feed = calendar_feed_turn_on(user=layla)
    text = client.get(feed.get_absolute_url()).text
    assert f"seat-{seat.pk}@" in text
