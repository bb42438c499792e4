"""Pages run a fixed number of queries, whatever the number of rows behind them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.tests.factories import UserFactory
from orders.services import seat_book
from workshops.models import Workshop, WorkshopRun, WorkshopSession
from workshops.tests.factories import days_from_today

pytestmark = pytest.mark.django_db


def add_workshops(count: int, *, runs_each: int = 2, sessions_each: int = 3) -> list[Workshop]:
    """Add ``count`` workshops, each with runs of dated sessions, written in bulk."""
    first = Workshop.objects.count()
    workshops = Workshop.objects.bulk_create(
        Workshop(title=f"Workshop {n:03}", slug=f"workshop-{n:03}", default_capacity=20)
        for n in range(first, first + count)
    )
    runs = add_runs(workshops, runs_each, sessions_each)
    assert len(runs) == count * runs_each
    return workshops


def add_runs(workshops, runs_each: int, sessions_each: int) -> list[WorkshopRun]:
    first = WorkshopRun.objects.count()
    runs = WorkshopRun.objects.bulk_create(
        WorkshopRun(
            workshop=w,
            name=f"Run {first + i}-{r}",
            start_date=days_from_today(5 + 30 * r),
            end_date=days_from_today(5 + 30 * r + sessions_each),
        )
        for i, w in enumerate(workshops)
        for r in range(runs_each)
    )
    WorkshopSession.objects.bulk_create(
        WorkshopSession(
            workshop_id=run.workshop_id,
            run=run,
            number=d + 1,
            date=run.start_date + datetime.timedelta(days=d),
            start_time=datetime.time(9),
            end_time=datetime.time(12),
            capacity=20,
        )
        for run in runs
        for d in range(sessions_each)
    )
    return runs


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def student(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.mark.parametrize("name", ["home", "workshops:store"])
def test_store_pages_do_not_grow_with_the_number_of_workshops(client, student, name):
    add_workshops(5)
    with_5 = queries_for(client, reverse(name))
    add_workshops(195)
    with_200 = queries_for(client, reverse(name))
    assert with_5 == with_200 == 4  # session, user, workshops, their next sessions


def test_workshop_page_does_not_grow_with_the_number_of_sessions(client, student):
    [workshop] = add_workshops(1, runs_each=1, sessions_each=5)
    with_5 = queries_for(client, workshop.get_absolute_url())
    add_runs([workshop], runs_each=1, sessions_each=195)
    assert WorkshopSession.objects.filter(workshop=workshop).count() == 200
    with_200 = queries_for(client, workshop.get_absolute_url())
    assert with_5 == with_200 == 5  # session, user, workshop, runs, their sessions


def book_many(buyer, count: int) -> None:
    sessions = WorkshopSession.objects.exclude(seats__buyer=buyer).select_related("workshop")
    for session in sessions[:count]:
        seat_book(buyer=buyer, workshop=session.workshop, session_id=session.pk)


def test_order_tracking_does_not_grow_with_the_number_of_orders(client, student):
    add_workshops(40, runs_each=1, sessions_each=5)
    book_many(student, 5)
    with_5 = queries_for(client, reverse("orders:list"))
    book_many(student, 195)
    assert student.orders.count() == 200
    with_200 = queries_for(client, reverse("orders:list"))
    assert with_5 == with_200 == 4  # session, user, orders, their seats with schedule


def add_exchanges(session_id, count: int) -> None:
    """``count`` more questions and answers in the conversation, written in bulk."""
    from assistant_chat.models import ChatMessage, ChatSession

    session = ChatSession.objects.get(pk=session_id)
    start = session.message_count
    questions = ChatMessage.objects.bulk_create(
        ChatMessage(session=session, sequence=start + 2 * n + 1, role="user", content=f"q{n}")
        for n in range(count)
    )
    ChatMessage.objects.bulk_create(
        ChatMessage(
            session=session, sequence=q.sequence + 1, role="assistant", content="a", reply_to=q
        )
        for q in questions
    )
    ChatSession.objects.filter(pk=session_id).update(message_count=start + 2 * count)


def chat_page_queries(client, session_id) -> tuple[int, int]:
    with_few = queries_for(client, reverse("assistant:chat"))
    add_exchanges(session_id, 100)
    with_many = queries_for(client, reverse("assistant:chat"))
    return with_few, with_many


def test_chat_page_does_not_grow_with_the_conversation_for_a_student(client, student):
    client.post(reverse("assistant:chat"), {"message": "hello"})
    session_id = student.chat_sessions.get().pk
    assert chat_page_queries(client, session_id) == (4, 4)  # session, user, chats, messages


def test_chat_page_does_not_grow_with_the_conversation_for_a_visitor(client):
    from assistant_chat.models import ChatSession

    client.post(reverse("assistant:chat"), {"message": "hello"})
    session_id = ChatSession.objects.get().pk
    assert chat_page_queries(client, session_id) == (3, 3)  # session, the chat, messages
