"""Pages run a fixed number of queries, whatever the number of rows behind them."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.tests.factories import UserFactory
from orders.models import Order
from orders.services.booking import seat_book
from workshops.models import Workshop, WorkshopRun, WorkshopSession
from workshops.services import host_link_provision
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


def test_home_does_not_grow_with_the_number_of_workshops(client, student):
    add_workshops(5)
    with_5 = queries_for(client, reverse("home"))
    add_workshops(195)
    with_200 = queries_for(client, reverse("home"))
    assert with_5 == with_200 == 4  # session, user, workshops, their next sessions


def rows_on(client, url: str, name: str) -> tuple[int, int]:
    """The queries a page runs and how many rows of ``name`` it rendered."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    rows = response.context[name]
    return len(captured), len(getattr(rows, "rows", rows))


STORE_URLS = [
    "/workshops/",
    "/workshops/?page=2&sort=price",
    "/workshops/?q=workshop&from=2000-01-01&max_price=10&seats=1&category=art",
    "/workshops/?from=2000-01-01&to=2999-12-31&sort=title",
]


@pytest.mark.parametrize("url", STORE_URLS)
def test_the_store_does_not_grow_with_the_number_of_workshops(client, student, url):
    from workshops.models import Category

    art = Category.objects.create(name="Art", slug="art")
    add_workshops(13)
    Workshop.objects.update(category=art)
    Workshop.objects.update(search_document="workshop")  # bulk_create skips save()
    queries, rows = rows_on(client, url, "workshops")
    add_workshops(187)
    Workshop.objects.update(category=art, search_document="workshop")
    queries_200, rows_200 = rows_on(client, url, "workshops")
    # session, user, categories, count, the page of workshops, their next sessions
    assert queries == queries_200 == 6
    assert rows <= rows_200 <= 12  # one page, however many match


def test_the_calendar_does_not_grow_with_the_number_of_sessions(client, student):
    month = f"{days_from_today(5 + 30):%Y-%m}"
    add_workshops(5)
    few = queries_for(client, f"/workshops/calendar/?month={month}")
    add_workshops(195)
    many = queries_for(client, f"/workshops/calendar/?month={month}")
    assert few == many == 5  # session, user, categories, counts by day, each day's first


def test_workshop_page_does_not_grow_with_the_number_of_sessions(client, student):
    [workshop] = add_workshops(1, runs_each=1, sessions_each=5)
    with_5 = queries_for(client, workshop.get_absolute_url())
    add_runs([workshop], runs_each=1, sessions_each=195)
    assert WorkshopSession.objects.filter(workshop=workshop).count() == 200
    with_200 = queries_for(client, workshop.get_absolute_url())
    assert (
        with_5 == with_200 == 7
    )  # session, user, workshop, runs, their sessions, seats held, children


def book_many(buyer, count: int) -> None:
    sessions = WorkshopSession.objects.exclude(seats__buyer=buyer).select_related("workshop")
    for session in sessions[:count]:
        seat_book(buyer=buyer, workshop=session.workshop, session_id=session.pk)


@pytest.mark.parametrize("which", ["", "?page=2", "?page=999"])
def test_order_tracking_does_not_grow_with_the_number_of_orders(client, student, which):
    from orders.services.cancellation import order_cancel

    add_workshops(40, runs_each=1, sessions_each=5)
    book_many(student, 15)
    order_cancel(order=student.orders.first())  # one in the past list too
    with_15, rows_15 = rows_on(client, reverse("orders:list") + which, "paged")
    book_many(student, 185)
    assert student.orders.count() == 200
    with_200, rows_200 = rows_on(client, reverse("orders:list") + which, "paged")
    # session, user, count, the page of orders, their seats
    assert with_15 == with_200 == 7  # and seats a parent booked for them, their children booked
    assert rows_15 <= rows_200 <= 10


# -- tutoring -------------------------------------------------------------------


def add_tutors(count: int) -> list:
    from tutoring.tests.factories import TutorPackageFactory, TutorProfileFactory

    tutors = [TutorProfileFactory() for _ in range(count)]
    for tutor in tutors:
        TutorPackageFactory.create_batch(2, tutor=tutor)
    return tutors


def test_the_tutor_list_does_not_grow_with_the_number_of_tutors(client, student):
    add_tutors(3)
    with_3 = queries_for(client, reverse("tutoring:tutors"))
    add_tutors(30)
    with_33 = queries_for(client, reverse("tutoring:tutors"))
    assert with_3 == with_33 == 4  # session, user, tutors with users, their packages


def test_a_tutor_page_does_not_grow_with_packages_or_children(client):
    from tutoring.tests.factories import (
        ParentProfileFactory,
        StudentProfileFactory,
        TutorPackageFactory,
    )

    [tutor] = add_tutors(1)
    parent = ParentProfileFactory()
    parent.children.add(StudentProfileFactory())
    client.force_login(parent.user)
    few = queries_for(client, tutor.get_absolute_url())
    TutorPackageFactory.create_batch(20, tutor=tutor)
    parent.children.add(*StudentProfileFactory.create_batch(10))
    many = queries_for(client, tutor.get_absolute_url())
    # session, user, tutor with user, packages, the visitor's profiles, their children
    assert few == many == 6


def test_the_requests_panel_does_not_grow_with_the_number_of_requests(client):
    from tutoring.tests.factories import (
        ParentProfileFactory,
        SessionRequestFactory,
        StudentProfileFactory,
    )

    [tutor] = add_tutors(1)
    StudentProfileFactory(user=tutor.user)  # a tutor who also asks others

    def add_requests(count):
        for _ in range(count):
            SessionRequestFactory(tutor=tutor, student=StudentProfileFactory())
            parent = ParentProfileFactory()
            SessionRequestFactory(tutor=tutor, requester_type="parent", student=None, parent=parent)

    client.force_login(tutor.user)
    add_requests(2)
    few = queries_for(client, reverse("tutoring:requests"))
    add_requests(40)
    many, rows = rows_on(client, reverse("tutoring:requests") + "?page=3", "received")
    # session, user, profiles, counts, received: count and page, made: count (none made),
    # the requests a parent sent for this student (none)
    assert few == many == 8
    assert rows == 10


def fill_roster(session: WorkshopSession, count: int) -> None:
    first = User.objects.count()
    for n in range(first, first + count):
        buyer = UserFactory(username=f"attendee{n:03}", first_name=f"Name{n:03}")
        seat_book(buyer=buyer, workshop=session.workshop, session_id=session.pk)


@pytest.mark.parametrize("logged_in", [False, True], ids=["private window", "staff browser"])
def test_the_host_roster_does_not_grow_with_the_number_of_attendees(client, logged_in):
    if logged_in:
        client.force_login(UserFactory(username="staffer", is_staff=True))
    [workshop] = add_workshops(1, runs_each=1, sessions_each=1)
    session = WorkshopSession.objects.get(workshop=workshop)
    WorkshopSession.objects.filter(pk=session.pk).update(capacity=None)
    url = host_link_provision(session_id=session.pk).link.get_absolute_url()
    fill_roster(session, 5)
    with_5 = queries_for(client, url)
    fill_roster(session, 195)
    with_200 = queries_for(client, url)
    assert with_5 == with_200 == 2  # the link with its session, the seats with buyer and order


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


# -- the admin ------------------------------------------------------------------


@pytest.fixture
def staff(client):
    from core.tests.factories import staff_user

    client.force_login(staff_user("workshops", "orders"))
    return client


def book_whole_runs(count: int) -> None:
    """``count`` orders, each for every session of a run, by new buyers."""
    from orders.services.booking import run_book

    runs = WorkshopRun.objects.exclude(seats__isnull=False).select_related("workshop")
    for run in runs[:count]:
        run_book(buyer=UserFactory(), workshop=run.workshop, run_id=run.pk)


@pytest.mark.parametrize(
    "name",
    [
        "orders_order",
        "workshops_workshopsession",
        "workshops_workshoprun",
        "workshops_workshop",
    ],
)
def test_admin_lists_do_not_grow_with_their_rows(staff, name):
    """The order list names each order's workshop and session from one prefetch; the
    session list its workshop, run and host link from one query."""
    student = UserFactory()
    add_workshops(10, runs_each=2, sessions_each=2)
    book_many(student, 3)
    book_whole_runs(2)
    url = reverse(f"admin:{name}_changelist")
    few = queries_for(staff, url)
    add_workshops(30, runs_each=2, sessions_each=2)
    book_many(student, 40)
    book_whole_runs(20)
    assert Order.objects.count() == 65
    many = queries_for(staff, url)
    assert few == many
