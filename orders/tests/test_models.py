"""order_item_session in words (clean) and in the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from orders.models import REFERENCE_ALPHABET, OrderItem, new_reference
from orders.tests.factories import OrderFactory, SeatFactory
from workshops.tests.factories import WorkshopRunFactory, WorkshopSessionFactory

pytestmark = pytest.mark.django_db


def test_references_are_short_unambiguous_and_distinct():
    references = {new_reference() for _ in range(2000)}
    assert len(references) == 2000
    assert all(len(r) == 10 and set(r) <= set(REFERENCE_ALPHABET) for r in references)
    assert not set("01OIL") & set(REFERENCE_ALPHABET)


def test_seat_whose_run_is_not_its_sessions_is_a_run_field_error():
    seat = SeatFactory.build(order=OrderFactory(), session=WorkshopSessionFactory())
    seat.buyer = seat.order.buyer
    seat.run = WorkshopRunFactory(workshop=seat.session.workshop)
    with pytest.raises(ValidationError) as caught:
        seat.full_clean()
    assert caught.value.message_dict["run"] == ["The seat's run must be its session's run."]


def test_seat_whose_workshop_is_not_its_sessions_is_a_workshop_field_error():
    seat = SeatFactory.build(order=OrderFactory(), session=WorkshopSessionFactory())
    seat.buyer = seat.order.buyer
    seat.workshop = WorkshopSessionFactory().workshop
    with pytest.raises(ValidationError) as caught:
        seat.full_clean()
    assert "workshop" in caught.value.message_dict


def test_seat_whose_buyer_is_not_its_orders_is_a_buyer_field_error():
    seat = SeatFactory.build(order=OrderFactory(), session=WorkshopSessionFactory())
    seat.buyer = OrderFactory().buyer
    with pytest.raises(ValidationError) as caught:
        seat.full_clean()
    assert caught.value.message_dict["buyer"] == ["The seat's buyer must be its order's buyer."]


def test_a_valid_seat_passes_clean():
    seat = SeatFactory.build(order=OrderFactory(), session=WorkshopSessionFactory())
    seat.buyer = seat.order.buyer
    seat.full_clean()


def test_database_refuses_a_second_active_seat_for_one_buyer_in_one_session():
    seat = SeatFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SeatFactory(order=OrderFactory(buyer=seat.buyer), session=seat.session)


def test_a_cancelled_seat_does_not_block_a_new_one():
    seat = SeatFactory(status="cancelled", cancelled_at="2030-01-01T00:00Z")
    SeatFactory(order=OrderFactory(buyer=seat.buyer), session=seat.session)
    assert OrderItem.objects.filter(session=seat.session).count() == 2


@pytest.mark.postgres
class TestRawSQL:
    INSERT = """
        INSERT INTO orders_orderitem
            (order_id, buyer_id, attendee_id, session_id, run_id, workshop_id, price, status,
             created_at)
        VALUES (%s, %s, %s, %s, %s, %s, 0, 'active', now())
    """

    COUNT = "UPDATE workshops_workshopsession SET seats_taken = seats_taken + 1 WHERE id = %s"

    def insert(self, *, order, buyer, session, run_id, workshop_id, counted=True):
        """A seat in raw SQL, counted in its session's seats taken as booking counts it
        (``counted=False``: written alone)."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                self.INSERT, [order.pk, buyer.pk, buyer.pk, session.pk, run_id, workshop_id]
            )
            if counted:
                cursor.execute(self.COUNT, [session.pk])
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def test_an_active_seat_the_session_does_not_count_is_refused(self):
        order, session = OrderFactory(), WorkshopSessionFactory()
        with pytest.raises(IntegrityError, match="session_seats_taken_counts_active_seats"):
            self.insert(
                order=order,
                buyer=order.buyer,
                session=session,
                run_id=session.run_id,
                workshop_id=session.workshop_id,
                counted=False,
            )
        assert not order.seats.exists()

    def test_a_counter_changed_alone_is_refused(self):
        session = WorkshopSessionFactory(seats_taken=2)
        for change in ("seats_taken + 1", "seats_taken - 1", "0"):
            with (
                pytest.raises(IntegrityError, match="2 active seat"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(
                    f"UPDATE workshops_workshopsession SET seats_taken = {change} WHERE id = %s",
                    [session.pk],
                )
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        session.refresh_from_db()
        assert session.seats_taken == 2

    def test_a_seat_cancelled_behind_the_counters_back_is_refused(self):
        session = WorkshopSessionFactory(seats_taken=1)
        with (
            pytest.raises(IntegrityError, match="1 seat\\(s\\) taken but 0 active"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE orders_orderitem SET status = 'cancelled', cancelled_at = now() "
                "WHERE session_id = %s",
                [session.pk],
            )
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def test_a_consistent_raw_seat_is_accepted(self):
        order, session = OrderFactory(), WorkshopSessionFactory()
        self.insert(
            order=order,
            buyer=order.buyer,
            session=session,
            run_id=session.run_id,
            workshop_id=session.workshop_id,
        )
        assert order.seats.count() == 1

    def test_a_raw_seat_with_another_run_is_refused(self):
        order, session = OrderFactory(), WorkshopSessionFactory()
        other_run = WorkshopRunFactory(workshop=session.workshop)
        with pytest.raises(IntegrityError, match="item_session_run_workshop_fk"):
            self.insert(
                order=order,
                buyer=order.buyer,
                session=session,
                run_id=other_run.pk,
                workshop_id=session.workshop_id,
            )

    def test_a_raw_seat_with_another_workshop_is_refused(self):
        order, session = OrderFactory(), WorkshopSessionFactory()
        other = WorkshopSessionFactory()
        with pytest.raises(IntegrityError, match="item_session_run_workshop_fk"):
            self.insert(
                order=order,
                buyer=order.buyer,
                session=session,
                run_id=other.run_id,
                workshop_id=other.workshop_id,
            )

    def test_a_raw_seat_for_a_missing_session_is_refused(self):
        order, session = OrderFactory(), WorkshopSessionFactory()
        with pytest.raises(IntegrityError):
            self.insert(
                order=order,
                buyer=order.buyer,
                session=type(session)(pk=10**9),
                run_id=session.run_id,
                workshop_id=session.workshop_id,
            )

    def test_a_raw_seat_with_another_buyer_than_its_order_is_refused(self):
        order, session = OrderFactory(), WorkshopSessionFactory()
        with pytest.raises(IntegrityError, match="item_order_buyer_fk"):
            self.insert(
                order=order,
                buyer=OrderFactory().buyer,
                session=session,
                run_id=session.run_id,
                workshop_id=session.workshop_id,
            )

    def test_moving_a_session_to_another_run_carries_its_seats(self):
        seat = SeatFactory()
        session = seat.session
        other_run = WorkshopRunFactory(
            workshop=session.workshop,
            start_date=session.run.start_date,
            end_date=session.run.end_date,
        )
        session.run = other_run
        session.save()
        seat.refresh_from_db()
        assert seat.run_id == other_run.pk
