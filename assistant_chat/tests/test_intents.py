"""The built-in responder answers each kind of question from the live schedule."""

import datetime
import re

import pytest
from django.urls import resolve

from assistant_chat.responders import Question
from assistant_chat.responders.builtin import BuiltinResponder
from core.tests.factories import UserFactory
from orders.services.booking import seat_book
from workshops.tests.factories import (
    WorkshopFactory,
    WorkshopRunFactory,
    WorkshopSessionFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2030, 3, 4, 10, 0, tzinfo=datetime.UTC)
LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def day(n: int) -> datetime.date:
    return NOW.date() + datetime.timedelta(days=n)


def schedule(slug, title, title_ar, *sessions, active=True):
    """A workshop with one run; ``sessions`` are (days from NOW, capacity, extra fields)."""
    workshop = WorkshopFactory(slug=slug, title=title, title_ar=title_ar, is_active=active)
    run = WorkshopRunFactory(
        workshop=workshop, name="Spring cohort", start_date=day(-5), end_date=day(30)
    )
    return [
        WorkshopSessionFactory(run=run, number=n, date=day(offset), capacity=capacity, **extra)
        for n, (offset, capacity, extra) in enumerate(sessions, start=1)
    ]


@pytest.fixture
def catalogue(student):
    python = schedule(
        "intro-to-python",
        "Intro to Python Programming",
        "مقدمة في برمجة بايثون",
        (-3, 12, {}),  # already past
        (6, 12, {}),
        (8, 1, {}),  # sold out below
        (10, 12, {"cancelled_at": NOW}),
    )
    calligraphy = schedule(
        "arabic-calligraphy",
        "Arabic Calligraphy for Beginners",
        "الخط العربي للمبتدئين",
        (16, 10, {}),
    )
    robotics = schedule("robotics-arduino", "Robotics with Arduino", "الروبوتات", (12, 1, {}))
    schedule("pottery", "Pottery Evenings", "الفخار", (7, 10, {}), active=False)
    for session in (python[2], robotics[0]):
        seat_book(buyer=UserFactory(), workshop=session.workshop, session_id=session.pk)
    seat = seat_book(buyer=student, workshop=python[1].workshop, session_id=python[1].pk)
    return {"python": python, "calligraphy": calligraphy, "robotics": robotics, "seat": seat}


def answer(text: str, user=None) -> str:
    return BuiltinResponder().reply(Question(text=text, user=user, now=NOW))


def links(text: str) -> dict[str, str]:
    return dict(LINK.findall(text))


def test_which_workshops_have_seats_lists_only_bookable_sessions(catalogue):
    text = answer("Which workshops have seats left?")
    assert links(text) == {
        "Arabic Calligraphy for Beginners": "/workshops/arabic-calligraphy/",
        "Intro to Python Programming": "/workshops/intro-to-python/",
    }
    assert "Sun 10 Mar, 09:00–12:00 (11 seats left)" in text
    assert "Wed 20 Mar, 09:00–12:00 (10 seats left)" in text
    assert "Robotics" not in text  # full
    assert "Pottery" not in text  # not active
    assert "Tue 12 Mar" not in text and "Thu 14 Mar" not in text  # full, cancelled


def test_an_arabic_question_about_free_seats_gets_the_same_list(catalogue):
    assert answer("هل توجد ورش فيها مقاعد متاحة؟") == answer("Which workshops have seats left?")


def test_no_free_seat_anywhere_is_said_plainly(db):
    assert "No workshop has a free seat right now" in answer("Any seats available?")


def test_the_next_sessions_of_a_workshop_named_in_english(catalogue):
    text = answer("When is the next Intro to Python session?")
    # The Arabic title is isolated (U+2068 … U+2069) so it keeps its direction.
    assert text.startswith(
        "[Intro to Python Programming](/workshops/intro-to-python/) "
        "(\u2068مقدمة في برمجة بايثون\u2069)"
    )
    assert "- Sun 10 Mar, 09:00–12:00 (Spring cohort, day 2): 11 seats left" in text
    assert "- Tue 12 Mar, 09:00–12:00 (Spring cohort, day 3): full" in text
    assert "- Thu 14 Mar, 09:00–12:00 (Spring cohort, day 4): cancelled" in text
    assert "day 1" not in text  # already past


def test_the_next_sessions_of_a_workshop_named_in_arabic(catalogue):
    text = answer("متى الجلسة القادمة لورشة الخط العربي؟")
    assert text.startswith("[Arabic Calligraphy for Beginners](/workshops/arabic-calligraphy/)")
    assert "Wed 20 Mar" in text


@pytest.mark.parametrize(
    "question",
    ["Is there space in the robotics class?", "robot workshop dates", "الروبوتات متى؟"],
)
def test_a_workshop_is_recognised_by_a_distinctive_word(catalogue, question):
    assert answer(question).startswith("[Robotics with Arduino](/workshops/robotics-arduino/)")


def test_an_inactive_workshop_is_not_recognised(catalogue):
    assert "Pottery" not in answer("When is pottery?")


def test_my_bookings_lists_the_students_upcoming_seats_with_their_orders(catalogue, student):
    order = catalogue["seat"].order
    text = answer("What are my bookings?", user=student)
    assert text.startswith("Your upcoming bookings:")
    assert (
        f"- [Intro to Python Programming](/workshops/intro-to-python/): Sun 10 Mar, "
        f"09:00–12:00 (Spring cohort, day 2), order [{order.reference}](/orders/{order.reference}/)"
    ) in text
    assert "[My orders](/orders/)" in text
    assert answer("ما هي حجوزاتي؟", user=student) == text


def test_my_bookings_names_a_childs_seat_and_tells_the_child_who_booked_it(catalogue):
    from orders.services.booking import seat_book
    from tutoring.tests.factories import ParentProfileFactory, StudentProfileFactory

    parent = ParentProfileFactory(user__first_name="Mariam", user__last_name="Aziz")
    layla = StudentProfileFactory(user__first_name="Layla", user__last_name="Aziz")
    parent.children.add(layla)
    session = catalogue["seat"].session
    seat_book(
        buyer=parent.user, workshop=session.workshop, session_id=session.pk, attendees=[layla.user]
    )
    for_parent = answer("What are my bookings?", user=parent.user)
    assert for_parent.startswith("Your upcoming bookings:") and "(for Layla Aziz)" in for_parent
    for_child = answer("What are my bookings?", user=layla.user)
    assert "Booked for you:" in for_child and "booked by Mariam Aziz" in for_child
    assert "/orders/" + catalogue["seat"].order.reference not in for_child


def test_my_bookings_for_a_student_with_none(catalogue):
    text = answer("Show my bookings", user=UserFactory())
    assert text.startswith("You have no upcoming bookings.")


def test_my_bookings_asks_a_visitor_to_log_in(catalogue):
    text = answer("What are my bookings?")
    assert links(text) == {"Log in": "/accounts/login/?next=%2Fassistant%2F"}


def test_how_to_cancel_explains_the_steps_and_lists_the_students_orders(catalogue, student):
    reference = catalogue["seat"].order.reference
    text = answer("How do I cancel my Python booking?", user=student)
    assert text.startswith("To cancel a booking, open [My orders](/orders/)")
    # The buttons as the order page and its confirmation name them.
    assert "press “Cancel this order…”, then “Yes, cancel the order”" in text
    assert "already started can no longer be cancelled online" in text
    assert f"[{reference}](/orders/{reference}/)" in text
    assert answer("كيف ألغي الحجز؟", user=student) == text


def test_how_to_cancel_for_a_visitor_asks_them_to_log_in(catalogue):
    text = answer("can I get a refund?")
    assert "To cancel a booking" in text and "[Log in]" in text


@pytest.mark.parametrize("question", ["hello", "Who won the match?", "؟", "مرحبا"])
def test_anything_else_gets_the_list_of_what_the_assistant_answers(catalogue, question):
    text = answer(question)
    assert text.startswith("I can answer questions about:")
    assert "[workshops page](/workshops/)" in text


def test_every_link_in_every_answer_is_a_page_of_the_site(catalogue, student):
    questions = [
        "Which workshops have seats left?",
        "When is the next Intro to Python session?",
        "What are my bookings?",
        "How do I cancel?",
        "Who teaches maths?",
        "hello",
    ]
    for question in questions:
        for user in (None, student):
            found = links(answer(question, user=user))
            assert found, f"{question!r} to {user or 'a visitor'} has no link"
            for url in found.values():
                resolve(url.split("?")[0])  # raises Resolver404 for a dead link


# -- tutors ---------------------------------------------------------------------


@pytest.fixture
def tutors():
    from tutoring.tests.factories import TutorProfileFactory

    hana = TutorProfileFactory(
        user__username="hana", subjects="Mathematics, Physics, رياضيات, فيزياء", hourly_rate=15
    )
    samir = TutorProfileFactory(
        user__username="samir",
        user__first_name="Samir",
        user__last_name="Khalil",
        subjects="Arabic, Calligraphy, اللغة العربية, خط",
        hourly_rate=12,
    )
    TutorProfileFactory(
        user__username="nour",
        user__first_name="Nour",
        subjects="English",
        is_accepting_requests=False,
    )
    return hana, samir


@pytest.mark.parametrize(
    "question",
    ["Who teaches maths?", "I need a physics tutor", "أريد مدرس رياضيات", "مين يدرس الفيزياء؟"],
)
def test_tutors_for_a_subject_are_listed_with_a_link_and_how_to_request(tutors, question):
    hana, _ = tutors
    text = answer(question)
    assert links(text)["Hana Mansour"] == hana.get_absolute_url()
    assert "Samir" not in text
    assert "\u2068Mathematics\u2069, \u2068Physics\u2069" in text and "15.00 per hour" in text
    assert "Request a session" in text and "[Log in]" in text


def test_a_tutor_question_for_calligraphy_is_about_tutors_not_the_workshop(catalogue, tutors):
    text = answer("Which tutor teaches calligraphy?", user=UserFactory())
    assert text.startswith("Tutors for that subject:")
    assert "Samir Khalil" in text and "Arabic Calligraphy for Beginners" not in text
    assert "[Requests](/tutoring/requests/)" in text


def test_a_subject_no_tutor_teaches_lists_those_who_take_requests(tutors):
    text = answer("Is there a chemistry tutor?")
    assert text.startswith("No tutor on the list teaches that yet")
    assert "Hana Mansour" in text and "Samir Khalil" in text
    assert "Nour" not in text  # not taking requests
    assert "[tutors page](/tutors/)" in text


def test_with_no_tutor_taking_requests_the_answer_says_so(db):
    assert answer("any tutors?").startswith("No tutor is taking requests right now.")


def test_an_arabic_answer_lists_a_tutors_arabic_subjects_only(tutors):
    from django.utils import translation

    with translation.override("ar"):
        text = answer("من يدرّس الخط؟")
    assert "\u2068اللغة العربية\u2069" in text and "\u2068خط\u2069" in text
    assert "Calligraphy" not in text and "Arabic," not in text
    english = answer("Who teaches calligraphy?")
    assert "\u2068Arabic\u2069, \u2068Calligraphy\u2069" in english and "خط" not in english
