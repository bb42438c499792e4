"""Reads for the store and its calendar: search, filters, sorting, the month."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import (
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber

from core.text import forms, normalised_words
from workshops.models import (
    SEARCH_CONFIG,
    Category,
    Workshop,
    WorkshopSession,
    workshop_search_vector,
)

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
