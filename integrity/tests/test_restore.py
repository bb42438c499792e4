"""Putting quarantined rows back keeps the counters true: a session comes back before
its seats, each seat counts again as it returns, and a seat that would overfill its
session stays in the quarantine. A repair that takes seats away recounts their
sessions, even when only that repair is asked for."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from core.tests.commands import run_command
from core.tests.factories import UserFactory, staff_user
from integrity.models import QuarantinedRow
from integrity.quarantine import quarantine
from orders.models import OrderItem
from orders.services.booking import seat_book
from workshops.models import WorkshopSession
from workshops.tests.factories import WorkshopSessionFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:integrity_quarantinedrow_changelist")
SESSIONS = "workshops_workshopsession"
SEATS = "orders_orderitem"


def booked(capacity: int, buyers: int) -> WorkshopSession:
    session = WorkshopSessionFactory(capacity=capacity)
    for _ in range(buyers):
        seat_book(buyer=UserFactory(), workshop=session.workshop, session_id=session.pk)
    return session


def restore(client, rows) -> list[str]:
    response = client.post(
        CHANGELIST,
        {"action": "restore", "_selected_action": [row.pk for row in rows]},
        follow=True,
    )
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def audit(monkeypatch) -> int:
    return run_command(monkeypatch, "check_integrity", "--only", "session_capacity").code


def held(table: str) -> list[QuarantinedRow]:
    return list(QuarantinedRow.objects.filter(source_table=table).order_by("id"))


@pytest.fixture
def staff(client):
    client.force_login(staff_user("integrity", "workshops", "orders"))
    return client


def test_a_session_quarantined_with_its_seats_comes_back_whole(staff, monkeypatch):
    session = booked(capacity=5, buyers=2)
    with transaction.atomic():
        assert quarantine(SESSIONS, [session.pk], "taken for the test") == 3

    assert restore(staff, QuarantinedRow.objects.all()) == ["3 rows restored."]
    session.refresh_from_db()
    assert session.seats_taken == 2
    assert OrderItem.objects.filter(session=session, status="active").count() == 2
    assert audit(monkeypatch) == 0


def test_a_session_comes_back_alone_first_and_each_seat_counts_as_it_returns(staff, monkeypatch):
    session = booked(capacity=5, buyers=2)
    with transaction.atomic():
        quarantine(SESSIONS, [session.pk], "taken for the test")

    assert restore(staff, held(SESSIONS)) == ["1 row restored."]
    session.refresh_from_db()
    assert session.seats_taken == 0  # its seats are still in the quarantine
    assert audit(monkeypatch) == 0

    first, second = held(SEATS)
    assert restore(staff, [first]) == ["1 row restored."]
    session.refresh_from_db()
    assert session.seats_taken == 1
    assert restore(staff, [second]) == ["1 row restored."]
    session.refresh_from_db()
    assert session.seats_taken == 2
    assert audit(monkeypatch) == 0


def test_a_seat_that_would_overfill_its_session_stays_in_the_quarantine(staff, monkeypatch):
    session = booked(capacity=2, buyers=2)
    seat = OrderItem.objects.filter(session=session).first()
    with transaction.atomic():
        quarantine(SEATS, [seat.pk], "taken for the test")
    # The session counts one seat again (as the repair leaves it), and it is sold.
    run_command(monkeypatch, "repair_integrity", "--no-input", "--only", "session_capacity")
    seat_book(buyer=UserFactory(), workshop=session.workshop, session_id=session.pk)

    (message,) = restore(staff, held(SEATS))
    assert message == f"{held(SEATS)[0]} still breaks session_capacity."
    assert not OrderItem.objects.filter(pk=seat.pk).exists()
    session.refresh_from_db()
    assert session.seats_taken == 2
    assert audit(monkeypatch) == 0


def test_a_repair_that_takes_seats_away_recounts_their_session(monkeypatch, write_broken):
    session = booked(capacity=5, buyers=2)
    orphan = OrderItem.objects.filter(session=session).first()
    # A restored dump without the seat's order.
    write_broken(("DELETE FROM orders_order WHERE id = %s", [orphan.order_id]))
    key = "fk:orders_orderitem.order_id"

    result = run_command(monkeypatch, "repair_integrity", "--no-input", "--only", key)

    assert result.code == 0
    assert [row.source_pk for row in held(SEATS)] == [str(orphan.pk)]
    session.refresh_from_db()
    assert session.seats_taken == 1
    assert audit(monkeypatch) == 0


def test_a_conversation_and_its_messages_come_back_on_either_database(staff):
    """A conversation's id is a UUID: the restore asks about it as the database
    stores it (SQLite keeps it as text)."""
    from assistant_chat.models import ChatMessage
    from assistant_chat.tests.factories import ChatMessageFactory

    first = ChatMessageFactory()
    ChatMessageFactory(session=first.session, role="assistant", reply_to=first)
    with transaction.atomic():
        assert quarantine("assistant_chat_chatsession", [first.session_id], "for the test") == 3

    assert restore(staff, QuarantinedRow.objects.all()) == ["3 rows restored."]
    assert ChatMessage.objects.filter(session_id=first.session_id).count() == 2
