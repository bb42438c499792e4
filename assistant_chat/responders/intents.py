"""The kinds of question the built-in responder answers, each a matcher and an answer.

``INTENTS`` is tried in order; the first whose ``match`` returns something other than
``None`` answers, with what ``match`` found. A question nothing matches gets
``help_text()``, the short list of what the assistant can answer.

Adding a kind of question is one ``Intent`` in this module: a matcher (keywords, or a
lookup such as a workshop named in the question), an answer that reads live data
through the owning app's selectors and links to the page it mentions, one line in
``INTENTS``, one line in ``help_text()``, one in ``facts()`` when a language model should
know it too, and a test in ``tests/test_intents.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assistant_chat.responders.base import Question, link
from assistant_chat.responders.language import has_phrase, mentions, shares_stem, words
from core.i18n import ARABIC, comma, current_language, localized, semicolon
from core.money import format_price
from orders.models import OrderItem
from orders.selectors import seats_booked_for, upcoming_seats_for_buyer
from tutoring.models import TutorProfile
from tutoring.selectors import tutors_taking_requests
from workshops.models import Workshop, WorkshopSession
from workshops.selectors.schedule import (
    workshops_with_bookable_sessions,
    workshops_with_upcoming_sessions,
)


@dataclass(frozen=True)
class Intent:
    name: str
    match: Callable[[Question], Any]  # what the question is about, or None
    answer: Callable[[Question, Any], str]


# -- shared wording ------------------------------------------------------------------


def _when(session: WorkshopSession) -> str:
    day = date_format(session.date, "D j M")
    times = f"{session.start_time:%H:%M}–{session.end_time:%H:%M}"
    if current_language() == ARABIC:
        # Left to right and isolated (U+2066 … U+2069), as the pages write a time range.
        times = f"\u2066{times}\u2069"
    return f"{day}{comma()} {times}"


def _seats(session: WorkshopSession) -> str:
    if session.cancelled_at is not None:
        return _("cancelled")
    if session.seats_left is None:
        return _("open seating")
    if session.seats_left == 0:
        return _("full")
    return ngettext("%(count)d seat left", "%(count)d seats left", session.seats_left) % {
        "count": session.seats_left
    }


def _isolated(text: str) -> str:
    """A name inside an Arabic answer keeps its own direction (a Latin run name does
    not pull the brackets around it out of place)."""
    return f"\u2068{text}\u2069" if current_language() == ARABIC else text


def _workshop_link(workshop: Workshop) -> str:
    return link(localized(workshop, "title"), workshop.get_absolute_url())


def _seat_line(seat: OrderItem) -> str:
    session = seat.session
    line = _("- %(workshop)s: %(when)s (%(run)s, day %(number)s), order %(order)s") % {
        "workshop": _workshop_link(seat.workshop),
        "when": _when(session),
        "run": _isolated(localized(seat.run, "name")),
        "number": session.number,
        "order": link(seat.order.reference, seat.order.get_absolute_url()),
    }
    if seat.for_someone_else:  # a parent's seat for their child
        line += " " + _("(for %(name)s)") % {"name": _isolated(seat.attendee_name)}
    return line


def _booked_for_line(seat: OrderItem) -> str:
    """A seat a parent booked for the asker: no link to the order, which is the
    parent's."""
    return _("- %(workshop)s: %(when)s (%(run)s, day %(number)s), booked by %(buyer)s") % {
        "workshop": _workshop_link(seat.workshop),
        "when": _when(seat.session),
        "run": _isolated(localized(seat.run, "name")),
        "number": seat.session.number,
        "buyer": _isolated(seat.booked_by_name),
    }


def _login_link() -> str:
    url = f"{reverse('login')}?{urlencode({'next': reverse('assistant:chat')})}"
    return link(_("Log in"), url)


def _orders_link() -> str:
    return link(_("My orders"), reverse("orders:list"))


def _store_link(label: str | None = None) -> str:
    return link(label or _("workshops page"), reverse("workshops:store"))


# -- my bookings ---------------------------------------------------------------------

BOOKINGS_PHRASES = (
    "my booking",
    "my bookings",
    "my order",
    "my orders",
    "my seat",
    "my seats",
    "have i booked",
    "did i book",
    "what did i book",
    "i booked",
    "am i booked",
    "my reservations",
    "حجوزاتي",
    "حجزي",
    "طلباتي",
)


def _asks_for_bookings(question: Question) -> bool | None:
    return True if has_phrase(question.text, BOOKINGS_PHRASES) else None


def _bookings(question: Question, _found: Any) -> str:
    if question.asker is None:
        return _("%(login)s to see your bookings; they are listed under My orders.") % {
            "login": _login_link()
        }
    seats = list(upcoming_seats_for_buyer(buyer=question.asker, now=question.now))
    for_me = list(seats_booked_for(person=question.asker, now=question.now))
    if not seats and not for_me:
        return _(
            "You have no upcoming bookings. Browse the %(store)s to book a seat; "
            "past and cancelled orders are under %(orders)s."
        ) % {"store": _store_link(), "orders": _orders_link()}
    parts = []
    if seats:
        heading = _("Your upcoming bookings:")
        lines = "\n".join(_seat_line(seat) for seat in seats)
        parts.append(f"{heading}\n\n{lines}")
    if for_me:
        heading = _("Booked for you:")
        lines = "\n".join(_booked_for_line(seat) for seat in for_me)
        parts.append(f"{heading}\n\n{lines}")
    every = _("Every order is under %(orders)s.") % {"orders": _orders_link()}
    return "\n\n".join([*parts, every])


# -- how to cancel -------------------------------------------------------------------

CANCEL_KEYWORDS = (
    "cancel",
    "cancelling",
    "canceling",
    "cancellation",
    "refund",
    "الغاء",
    "الغي",
    "الغيت",
)


def _asks_to_cancel(question: Question) -> bool | None:
    return True if mentions(words(question.text), CANCEL_KEYWORDS) else None


def _cancel_steps() -> str:
    # The buttons by the labels the order pages give them, so the two cannot differ.
    return _(
        "To cancel a booking, open %(orders)s, choose the order, press “%(cancel)s”, "
        "then “%(confirm)s”. The seat is freed at once. A session that has already "
        "started can no longer be cancelled online."
    ) % {
        "orders": _orders_link(),
        "cancel": _("Cancel this order…"),
        "confirm": _("Yes, cancel the order"),
    }


def _how_to_cancel(question: Question, _found: Any) -> str:
    steps = _cancel_steps()
    if question.asker is None:
        first = _("%(login)s first to see your orders.") % {"login": _login_link()}
        return f"{steps}\n\n{first}"
    seats = list(upcoming_seats_for_buyer(buyer=question.asker, now=question.now))
    if not seats:
        none = _("You have no upcoming bookings to cancel.")
        return f"{steps}\n\n{none}"
    lines = "\n".join(_seat_line(seat) for seat in seats)
    heading = _("Your upcoming bookings:")
    return f"{steps}\n\n{heading}\n\n{lines}"


# -- the next sessions of a workshop named in the question ---------------------------

# Words in titles that do not tell one workshop from another.
TITLE_STOPWORDS = words(
    "a an and at for in intro introduction of on the to with workshop beginners beginner "
    "course class session sessions next when "
    "في من على الى عن مع مقدمه ورشه ورش للمبتدئين المبتدئين باستخدام"
)


def _title_words(workshop: Workshop) -> set[str]:
    return words(f"{workshop.title} {workshop.title_ar}") - TITLE_STOPWORDS


def _named_workshops(question: Question) -> list[Workshop] | None:
    """The workshops the question names, by their English or Arabic title. A title word
    counts more the fewer workshops share it; the best-scoring workshops win."""
    asked = words(question.text) - TITLE_STOPWORDS
    if not asked:
        return None
    catalogue = workshops_with_upcoming_sessions(now=question.now, per_workshop=4)
    title_words = {workshop.pk: _title_words(workshop) for workshop in catalogue}
    shared = Counter(word for found in title_words.values() for word in found)
    scores = {
        workshop.pk: sum(
            1 / shared[word]
            for word in title_words[workshop.pk]
            if any(shares_stem(candidate, word) for candidate in asked)
        )
        for workshop in catalogue
    }
    best = max(scores.values(), default=0)
    if best < 1:
        return None
    return [workshop for workshop in catalogue if scores[workshop.pk] == best][:3]


def _workshop_sessions(question: Question, workshops: list[Workshop]) -> str:
    parts = []
    for workshop in workshops:
        title = _workshop_link(workshop)
        other = localized(workshop, "title", "en" if current_language() == ARABIC else ARABIC)
        if other and other != localized(workshop, "title"):
            # First-strong isolate: the other language's title keeps its own direction.
            title += f" (\u2068{other}\u2069)"
        sessions = workshop.upcoming_sessions
        if not sessions:
            parts.append(_("%(title)s has no sessions scheduled yet.") % {"title": title})
            continue
        lines = "\n".join(
            _("- %(when)s (%(run)s, day %(number)s): %(seats)s")
            % {
                "when": _when(s),
                "run": _isolated(localized(s.run, "name")),
                "number": s.number,
                "seats": _seats(s),
            }
            for s in sessions
        )
        heading = _("%(title)s, next sessions:") % {"title": title}
        parts.append(f"{heading}\n\n{lines}")
    parts.append(_("Open the workshop to choose a session and book a seat."))
    return "\n\n".join(parts)


# -- upcoming workshops with seats left ----------------------------------------------

UPCOMING_KEYWORDS = (
    "workshop",
    "seat",
    "available",
    "availability",
    "upcoming",
    "schedule",
    "book",
    "booking",
    "sessions",
    "free",
    "open",
    "ورشه",
    "ورش",
    "مقعد",
    "مقاعد",
    "متاح",
    "متاحه",
    "القادمه",
    "حجز",
    "احجز",
)


def _asks_what_is_on(question: Question) -> bool | None:
    return True if mentions(words(question.text), UPCOMING_KEYWORDS) else None


def _workshops_with_seats(question: Question, _found: Any) -> str:
    workshops = workshops_with_bookable_sessions(now=question.now, per_workshop=3)
    if not workshops:
        return _(
            "No workshop has a free seat right now. The whole schedule is on the %(store)s."
        ) % {"store": _store_link()}
    lines = "\n".join(
        f"- {_workshop_link(w)}: "
        + f"{semicolon()} ".join(f"{_when(s)} ({_seats(s)})" for s in w.bookable_sessions)
        for w in workshops
    )
    heading = _("Workshops with seats left:")
    closing = _("Open a workshop to choose a session and book a seat.")
    return f"{heading}\n\n{lines}\n\n{closing}"


# -- tutors for a subject ------------------------------------------------------------

TUTOR_KEYWORDS = (
    "tutor",
    "tutors",
    "tutoring",
    "teacher",
    "teachers",
    "teach",
    "teaches",
    "lesson",
    "lessons",
    "tuition",
    "مدرس",
    "مدرسين",
    "معلم",
    "معلمين",
    "دروس",
    "درس",
    "يدرس",
    "خصوصي",
)
# Words of a question about tutors that name no subject.
TUTOR_STOPWORDS = words(" ".join(TUTOR_KEYWORDS)) | words(
    "a an the who which what is are do does can i me my for in of to with how private "
    "find need want request requests book session sessions one any there someone please "
    "من هل اريد ابحث عن في لي يوجد مين"
)
TUTORS_LISTED = 5


def _subject_matches(asked: str, subject_word: str) -> bool:
    """The same word, or one a prefix of the other (math / mathematics), four letters on."""
    shorter, longer = sorted((asked, subject_word), key=len)
    return shorter == longer or (len(shorter) >= 4 and longer.startswith(shorter))


def _asks_for_tutors(question: Question) -> bool | None:
    return True if mentions(words(question.text), TUTOR_KEYWORDS) else None


def _tutor_line(tutor: TutorProfile) -> str:
    # Each subject isolated (U+2068 … U+2069): Arabic ones keep their order in the list.
    subjects = f"{comma()} ".join(
        f"\u2068{subject}\u2069" for subject in tutor.subjects_in(current_language())
    )
    rate = _("%(price)s per hour") % {"price": format_price(tutor.hourly_rate)}
    return f"- {link(str(tutor), tutor.get_absolute_url())}: {subjects} · {rate}"


def _tutors(question: Question, _found: Any) -> str:
    asked = words(question.text) - TUTOR_STOPWORDS
    tutors = list(tutors_taking_requests())
    teaching = [
        tutor
        for tutor in tutors
        if any(
            _subject_matches(word, subject) for word in asked for subject in words(tutor.subjects)
        )
    ]
    tutors_page = link(_("tutors page"), reverse("tutoring:tutors"))
    if not tutors:
        return _("No tutor is taking requests right now. Check the %(page)s again soon.") % {
            "page": tutors_page
        }
    how = _(
        "To request a session, open a tutor's profile and fill in “Request a session”; "
        "the tutor answers by email."
    )
    if question.asker is None:
        then = _("%(login)s or sign up first.") % {"login": _login_link()}
    else:
        requests = link(_("Requests"), reverse("tutoring:requests"))
        then = _("Your requests and their answers are under %(requests)s.") % {"requests": requests}
    how = f"{how} {then}"
    if teaching:
        lines = "\n".join(_tutor_line(tutor) for tutor in teaching[:TUTORS_LISTED])
        heading = _("Tutors for that subject:")
        return f"{heading}\n\n{lines}\n\n{how}"
    lines = "\n".join(_tutor_line(tutor) for tutor in tutors[:TUTORS_LISTED])
    opening = (
        _("No tutor on the list teaches that yet; these tutors take requests:")
        if asked
        else _("These tutors take requests:")
    )
    search = _("Search by subject or name on the %(page)s.") % {"page": tutors_page}
    return f"{opening}\n\n{lines}\n\n{search} {how}"


# -- anything else -------------------------------------------------------------------


def help_text() -> str:
    return _(
        "I can answer questions about:\n\n"
        "- workshops with seats left (“Which workshops have seats left?”)\n"
        "- the next sessions of a workshop (“When is the next Intro to Python session?”)\n"
        "- your bookings (“What are my bookings?”)\n"
        "- cancelling a booking (“How do I cancel?”)\n"
        "- tutors for a subject, and how to request one (“Who teaches maths?”)\n\n"
        "You can ask in English or in Arabic. Everything is also on the %(store)s."
    ) % {"store": _store_link()}


def facts(question: Question) -> list[str]:
    """What a language model is told besides the built-in answer to the question: the
    state of things any next question may be about."""
    return [
        _workshops_with_seats(question, None),
        _bookings(question, None),
        _cancel_steps(),
        _tutors(Question(text="tutors", user=question.user, now=question.now), None),
    ]


INTENTS: tuple[Intent, ...] = (
    Intent("cancel", _asks_to_cancel, _how_to_cancel),
    Intent("my_bookings", _asks_for_bookings, _bookings),
    Intent("tutors", _asks_for_tutors, _tutors),
    Intent("workshop_sessions", _named_workshops, _workshop_sessions),
    Intent("upcoming_workshops", _asks_what_is_on, _workshops_with_seats),
)
