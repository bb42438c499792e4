"""Reads of the schedule. Pages, the admin and commands ask here, not the ORM directly."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    Expression,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from core.text import forms, normalised_words
from workshops.models import (
    HOST_TOKEN_PATTERN,
    SEARCH_CONFIG,
    Category,
    HostSession,
    Workshop,
    WorkshopRun,
    WorkshopSession,
    workshop_search_vector,
)


def bookable_sessions(
    *, workshop: Workshop, now: datetime.datetime | None = None
) -> QuerySet[WorkshopSession]:
    """The sessions of ``workshop`` a student can book now, earliest first.

    Never includes a session whose run is missing or belongs to another workshop
    (``session_run_workshop``), so an order copied from one cannot break.
    """
    return (
        WorkshopSession.objects.filter(workshop=workshop)
        .bookable(now)
        .order_by("date", "start_time", "id")
    )


def next_available_session(
    *,
    workshop: Workshop,
    now: datetime.datetime | None = None,
    excluding: Expression | None = None,
) -> WorkshopSession | None:
    """The earliest session of ``workshop`` that a student can book now; ``excluding``
    (a condition over the session, such as "this buyer holds a seat in it", which the
    orders app knows) leaves sessions out."""
    sessions = bookable_sessions(workshop=workshop, now=now)
    if excluding is not None:
        sessions = sessions.exclude(excluding)
    return sessions.first()


def session_of_workshop(*, workshop: Workshop, session_id: int) -> WorkshopSession | None:
    """The workshop's session ``session_id``, with its run, if its run belongs to the
    workshop (``session_run_workshop``); ``None`` otherwise."""
    return (
        WorkshopSession.objects.with_valid_run()
        .select_related("run")
        .filter(pk=session_id, workshop=workshop)
        .first()
    )


def run_days(*, workshop: Workshop, run_id: int) -> list[WorkshopSession]:
    """What booking a whole run books: the run's sessions that are not cancelled, in
    date order, with the run; none when the run is not one of the workshop's."""
    return list(
        WorkshopSession.objects.with_valid_run()
        .select_related("run")
        .filter(run_id=run_id, workshop=workshop, cancelled_at__isnull=True)
        .order_by("date", "start_time", "id")
    )


def next_available_by_workshop(
    *,
    workshop_ids: Iterable[int],
    now: datetime.datetime | None = None,
    excluding: Expression | None = None,
) -> dict[int, WorkshopSession]:
    """The next available session of each of these workshops that has one, by workshop
    id, leaving out the sessions ``excluding`` names: what to suggest when a session is
    cancelled. Two queries."""
    candidates = WorkshopSession.objects.filter(workshop=OuterRef("pk")).bookable(now)
    if excluding is not None:
        candidates = candidates.exclude(excluding)
    first = candidates.order_by("date", "start_time", "id").values("pk")[:1]
    next_ids = (
        Workshop.objects.filter(pk__in=set(workshop_ids))
        .annotate(next_id=Subquery(first))
        .exclude(next_id=None)
        .values_list("next_id", flat=True)
    )
    sessions = WorkshopSession.objects.filter(pk__in=list(next_ids)).select_related("workshop")
    return {session.workshop_id: session for session in sessions}


def session_availability(
    *, workshop: Workshop | None = None, now: datetime.datetime | None = None
) -> QuerySet[WorkshopSession]:
    """Sessions with their derived status and seats left, in date order.

    ``seats_left`` is ``None`` for unlimited sessions.
    """
    sessions = WorkshopSession.objects.with_status(now).select_related("run", "workshop")
    if workshop is not None:
        sessions = sessions.filter(workshop=workshop)
    return sessions.order_by("date", "start_time", "id")


def runs_with_totals(today: datetime.date | None = None) -> QuerySet[WorkshopRun]:
    """Runs annotated with their totals, for listings and for one run's summary:
    ``session_count``, ``cancelled_sessions``, ``seats_sold``, ``seats_left``,
    ``unlimited_sessions`` (when above zero, seats left is unlimited), ``first_date``
    and ``last_date``. Seats left counts only sessions still to come that are not
    cancelled. One query, whatever the number of runs."""
    today = today or timezone.localdate()
    live = Q(sessions__cancelled_at__isnull=True, sessions__date__gte=today)
    return WorkshopRun.objects.select_related("workshop").annotate(
        session_count=Count("sessions"),
        cancelled_sessions=Count("sessions", filter=Q(sessions__cancelled_at__isnull=False)),
        seats_sold=Sum("sessions__seats_taken", default=0),
        seats_left=Sum(
            F("sessions__capacity") - F("sessions__seats_taken"), filter=live, default=0
        ),
        unlimited_sessions=Count("sessions", filter=live & Q(sessions__capacity__isnull=True)),
        first_date=Min("sessions__date"),
        last_date=Max("sessions__date"),
    )


@dataclass(frozen=True)
class RunSummary:
    sessions: int
    cancelled_sessions: int
    seats_sold: int
    seats_left: int | None  # None: at least one session still to come is unlimited
    first_date: datetime.date | None
    last_date: datetime.date | None


def run_summary(*, run: WorkshopRun, today: datetime.date | None = None) -> RunSummary:
    """One run's totals, as ``runs_with_totals`` computes them for the run list."""
    row = runs_with_totals(today).get(pk=run.pk)
    return RunSummary(
        sessions=row.session_count,
        cancelled_sessions=row.cancelled_sessions,
        seats_sold=row.seats_sold,
        seats_left=None if row.unlimited_sessions else row.seats_left,
        first_date=row.first_date,
        last_date=row.last_date,
    )


def workshops_with_upcoming_sessions(
    *, now: datetime.datetime | None = None, per_workshop: int = 4
) -> list[Workshop]:
    """Active workshops, each with ``upcoming_sessions``: its first ``per_workshop``
    sessions that have not ended (cancelled ones included, to show their badge), with
    derived status. Two queries whatever the number of workshops or sessions."""
    sessions = (
        WorkshopSession.objects.with_status(now)
        .not_ended(now)
        .with_valid_run()
        .select_related("run")
        .order_by("date", "start_time", "id")
    )
    return list(
        Workshop.objects.filter(is_active=True)
        .order_by("title")
        .prefetch_related(
            Prefetch("sessions", queryset=sessions[:per_workshop], to_attr="upcoming_sessions")
        )
    )


def workshops_with_bookable_sessions(
    *, now: datetime.datetime | None = None, per_workshop: int = 3
) -> list[Workshop]:
    """Active workshops a student can book now, each with ``bookable_sessions``: its
    first ``per_workshop`` bookable sessions (``WorkshopSessionQuerySet.bookable``),
    earliest first, with their run. Workshops with none are left out. Two queries."""
    sessions = (
        WorkshopSession.objects.bookable(now)
        .select_related("run")
        .order_by("date", "start_time", "id")
    )
    workshops = (
        Workshop.objects.filter(is_active=True)
        .order_by("title")
        .prefetch_related(
            Prefetch("sessions", queryset=sessions[:per_workshop], to_attr="bookable_sessions")
        )
    )
    return [workshop for workshop in workshops if workshop.bookable_sessions]


def workshop_schedule(
    *, workshop: Workshop, now: datetime.datetime | None = None
) -> list[WorkshopRun]:
    """The workshop's runs that have not ended, each with ``schedule``: all of its
    sessions in order, with derived status. Two queries."""
    sessions = WorkshopSession.objects.with_status(now).order_by("date", "start_time", "id")
    return list(
        workshop.runs.filter(end_date__gte=timezone.localdate(now))
        .order_by("start_date", "id")
        .prefetch_related(Prefetch("sessions", queryset=sessions, to_attr="schedule"))
    )


def unlimited_by_mistake(
    sessions: QuerySet[WorkshopSession] | None = None, *, today: datetime.date | None = None
) -> QuerySet[WorkshopSession]:
    """Sessions from today on, not cancelled, with unlimited seats although their
    workshop has default seats: made before new sessions took the default, or cleared
    by hand. The audit's notice ``session_capacity_unset`` asks the same in SQL."""
    sessions = WorkshopSession.objects.all() if sessions is None else sessions
    return sessions.filter(
        capacity__isnull=True,
        cancelled_at__isnull=True,
        date__gte=today or timezone.localdate(),
        workshop__default_capacity__isnull=False,
    )


def with_host_link_flag(sessions: QuerySet[WorkshopSession]) -> QuerySet[WorkshopSession]:
    """Annotate ``has_host_link``: whether each session has a host link."""
    return sessions.annotate(
        has_host_link=Exists(HostSession.objects.filter(session_id=OuterRef("pk")))
    )


def sessions_to_host(*, now: datetime.datetime | None = None) -> QuerySet[WorkshopSession]:
    """Sessions that can be given a host link now: not cancelled and not ended, in date
    order, with workshop and run and ``has_host_link``. One query."""
    sessions = (
        WorkshopSession.objects.not_ended(now)
        .filter(cancelled_at__isnull=True)
        .select_related("workshop", "run")
        .order_by("date", "start_time", "id")
    )
    return with_host_link_flag(sessions)


def host_link_of(*, session: WorkshopSession) -> HostSession | None:
    """The session's host link, if it has one."""
    return HostSession.objects.filter(session=session).first()


_TOKEN = re.compile(HOST_TOKEN_PATTERN)


def host_link_for_token(*, token: str, now: datetime.datetime | None = None) -> HostSession | None:
    """The host link ``token`` opens now, with its session, run and workshop, or
    ``None``: for a token that was never issued, was rotated away, or has expired
    alike, so a page cannot tell which sessions exist. One query, none for a token
    that cannot be one."""
    if not _TOKEN.fullmatch(token):
        return None
    link = (
        HostSession.objects.select_related("session__workshop", "session__run")
        .filter(token=token)
        .first()
    )
    if link is None or not link.opens_at(now):
        return None
    return link


# -- the store: search, filters, sorting, the month calendar ---------------------------

STORE_SORTS = ("date", "price", "title")
SEARCH_MAX_WORDS = 8


@dataclass(frozen=True)
class StoreQuery:
    """What a visitor asked the store for; every part optional, and they combine."""

    search: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    max_price: Decimal | None = None  # 0: free workshops only
    seats: bool = False  # only workshops with a session that can be booked now
    category: Category | None = None
    sort: str = "date"

    @property
    def has_dates(self) -> bool:
        return self.date_from is not None or self.date_to is not None


# A searched word this short matches whole words only: as a prefix it would find too
# much ("خط", calligraphy, is the start of "خطابة", public speaking).
PREFIX_MIN_LENGTH = 3


def _search_filter(search: str) -> Q | None:
    """Workshops whose title, Arabic title or description has each searched word (or
    one of its forms: without an Arabic prefix or a plural ``s``): as the start of a
    word, or as a whole word when its shortest form is under ``PREFIX_MIN_LENGTH``.
    PostgreSQL answers from the GIN index; SQLite reads the stored text with LIKE."""
    words = normalised_words(search)[:SEARCH_MAX_WORDS]
    if not words:
        return None
    # A word whose stem is short ("الخط": "خط") is matched whole in all its forms.
    wanted = [
        (sorted(forms(word)), len(min(forms(word), key=len)) >= PREFIX_MIN_LENGTH) for word in words
    ]
    if connection.vendor == "postgresql":
        # Words are letters and digits only (core.text), so none is tsquery syntax.
        raw = " & ".join(
            "(" + " | ".join(f"'{form}':*" if prefix else f"'{form}'" for form in word_forms) + ")"
            for word_forms, prefix in wanted
        )
        return Q(search_vector=SearchQuery(raw, search_type="raw", config=SEARCH_CONFIG))
    condition = Q()
    for word_forms, prefix in wanted:
        any_form = Q()
        for form in word_forms:
            if prefix:
                any_form |= Q(search_document__startswith=form)
                any_form |= Q(search_document__contains=f" {form}")
            else:
                any_form |= Q(search_document=form) | Q(search_document__startswith=f"{form} ")
                any_form |= Q(search_document__contains=f" {form} ")
                any_form |= Q(search_document__endswith=f" {form}")
        condition &= any_form
    return condition


def _store_sessions(query: StoreQuery, now: datetime.datetime | None) -> QuerySet[WorkshopSession]:
    """The sessions that put a workshop in the store's results: not ended, not
    cancelled, run valid, within the dates; bookable now when only seats will do."""
    sessions = WorkshopSession.objects.not_ended(now).filter(cancelled_at__isnull=True)
    sessions = sessions.bookable(now) if query.seats else sessions.with_valid_run()
    if query.date_from is not None:
        sessions = sessions.filter(date__gte=query.date_from)
    if query.date_to is not None:
        sessions = sessions.filter(date__lte=query.date_to)
    return sessions


def _matching_workshops(query: StoreQuery) -> QuerySet[Workshop]:
    """Active workshops that match the search, price and category (not the dates)."""
    workshops = Workshop.objects.filter(is_active=True)
    if query.search:
        condition = _search_filter(query.search)
        if condition is not None:
            if connection.vendor == "postgresql":
                workshops = workshops.annotate(search_vector=workshop_search_vector())
            workshops = workshops.filter(condition)
    if query.max_price is not None:
        workshops = workshops.filter(price__lte=query.max_price)
    if query.category is not None:
        workshops = workshops.filter(category=query.category)
    return workshops


def store_workshops(
    query: StoreQuery, *, now: datetime.datetime | None = None, per_workshop: int = 4
) -> QuerySet[Workshop]:
    """The store's results, in the order asked, each annotated with ``next_date`` (its
    first session within the dates, or ``None``) and, once evaluated, with
    ``upcoming_sessions``: its first ``per_workshop`` sessions within the dates that
    have not ended (cancelled ones included, for their badge), with status and run.

    Without dates or ``seats``, workshops with nothing scheduled come last. One query
    for a page (plus one for its count) and one for the sessions of that page's
    workshops, whatever the number of workshops."""
    first = (
        _store_sessions(query, now)
        .filter(workshop=OuterRef("pk"))
        .order_by("date", "start_time")
        .values("date")[:1]
    )
    workshops = _matching_workshops(query).annotate(next_date=Subquery(first))
    if query.has_dates or query.seats:
        workshops = workshops.filter(next_date__isnull=False)
    order = {
        "date": (F("next_date").asc(nulls_last=True), "title", "pk"),
        "price": ("price", F("next_date").asc(nulls_last=True), "title", "pk"),
        "title": ("title", "pk"),
    }[query.sort if query.sort in STORE_SORTS else "date"]
    shown = WorkshopSession.objects.with_status(now).not_ended(now).with_valid_run()
    if query.date_from is not None:
        shown = shown.filter(date__gte=query.date_from)
    if query.date_to is not None:
        shown = shown.filter(date__lte=query.date_to)
    shown = shown.select_related("run").order_by("date", "start_time", "id")
    return (
        workshops.select_related("category")
        .order_by(*order)
        .prefetch_related(
            Prefetch("sessions", queryset=shown[:per_workshop], to_attr="upcoming_sessions")
        )
    )


def store_categories() -> list[Category]:
    """The categories for the store's chips, in their order. One query."""
    return list(Category.objects.all())


CALENDAR_PER_DAY = 6


@dataclass(frozen=True)
class CalendarDay:
    date: datetime.date
    sessions: list[WorkshopSession]
    total: int  # sessions that day; more than ``sessions`` when the day is full

    @property
    def more(self) -> int:
        return self.total - len(self.sessions)


def calendar_month(
    *, month: datetime.date, query: StoreQuery, now: datetime.datetime | None = None
) -> list[CalendarDay]:
    """Every day of ``month`` (its first day), each with its first ``CALENDAR_PER_DAY``
    sessions of workshops matching ``query`` (search, price, category; ``seats``:
    bookable ones only), cancelled ones included, with workshop, run and status, and how
    many there are that day. Two queries, whatever the number of sessions."""
    last = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    last -= datetime.timedelta(days=1)
    sessions = WorkshopSession.objects.filter(
        date__range=(month, last), workshop__in=_matching_workshops(query)
    ).with_valid_run()
    if query.seats:
        sessions = sessions.bookable(now)
    totals = dict(sessions.values_list("date").annotate(n=Count("id")).order_by())
    rows = (
        sessions.with_status(now)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("date")], order_by=[F("start_time"), F("id")])
        )
        .filter(rank__lte=CALENDAR_PER_DAY)
        .select_related("workshop", "run")
        .order_by("date", "start_time", "id")
    )
    by_day: dict[datetime.date, list[WorkshopSession]] = {}
    for session in rows:
        by_day.setdefault(session.date, []).append(session)
    return [
        CalendarDay(
            date=month + datetime.timedelta(days=n),
            sessions=by_day.get(month + datetime.timedelta(days=n), []),
            total=totals.get(month + datetime.timedelta(days=n), 0),
        )
        for n in range(last.day)
    ]
