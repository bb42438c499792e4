from __future__ import annotations

import datetime
import re

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.money import currency
from core.paging import page_of
from workshops.forms import StoreFilterForm, month_after
from workshops.selectors.store import StoreQuery, calendar_month, store_categories, store_workshops

STORE_PAGE_SIZE = 12
# The calendar's months: far enough either way for any schedule, near enough that the
# month before and after are still dates.
CALENDAR_YEARS = (2000, 2200)
_MONTH = re.compile(r"(\d{4})-(\d{2})")


HOME_WORKSHOPS = 6


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The workshops coming up soonest, each with its next few sessions; the store has
    the rest."""
    soonest = StoreQuery(date_from=timezone.localdate())
    workshops = list(store_workshops(soonest, per_workshop=3)[:HOME_WORKSHOPS])
    return render(request, "workshops/home.html", {"workshops": workshops})


def _filters(request: HttpRequest) -> tuple[dict, list[str], StoreQuery]:
    """The store's filters from the URL: the page context they need (the form, the
    category chips, the query, the currency), what could not be read, and the query
    made of the rest."""
    categories = store_categories()
    form = StoreFilterForm(request.GET, categories=categories)
    form.is_valid()
    problems = [
        f"{form.fields[name].label or name.capitalize()}: {' '.join(map(str, errors))}"
        for name, errors in form.errors.items()
        if name in form.fields
    ]
    query = form.store_query(timezone.localdate())
    context = {
        "form": form,
        "categories": categories,
        "query": query,
        "problems": problems,
        "currency": currency(),
    }
    return context, problems, query


def _without(params: QueryDict, *names: str) -> str:
    params = params.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@require_GET
def store(request: HttpRequest) -> HttpResponse:
    """Workshops with their next sessions: searched, filtered, sorted and paged by URL
    parameters (README: the store), so a result can be bookmarked and shared. A
    parameter that cannot be read is named on the page (400) and the rest apply."""
    context, problems, query = _filters(request)
    paged = page_of(store_workshops(query), request.GET, per_page=STORE_PAGE_SIZE)
    context |= {
        "paged": paged,
        "workshops": paged.rows,
        "filtered": query != StoreQuery(sort=query.sort),
        "category_base": _without(request.GET, "page", "category"),
        "calendar_query": _without(request.GET, "page", "sort", "when", "from", "to"),
    }
    return render(request, "workshops/store.html", context, status=400 if problems else 200)


def _month(value: str, today: datetime.date) -> tuple[datetime.date, str]:
    """The first day of the month ``YYYY-MM`` names, or this month and why not."""
    match = _MONTH.fullmatch(value)
    if match and match.group(0).isascii():
        year, month = int(match.group(1)), int(match.group(2))
        if CALENDAR_YEARS[0] <= year < CALENDAR_YEARS[1] and 1 <= month <= 12:
            return datetime.date(year, month, 1), ""
    return today.replace(day=1), _(
        "“%(value)s” is not a month we can show; write it as YYYY-MM, e.g. %(example)s. "
        "This is the current month."
    ) % {"value": value[:20], "example": f"{today:%Y-%m}"}


@require_GET
def store_calendar(request: HttpRequest) -> HttpResponse:
    """The month's sessions, day by day, each linking to its workshop. ``month``
    (YYYY-MM, this month by default) and the store's filters but its dates."""
    today = timezone.localdate()
    month, month_problem = _month(request.GET.get("month", ""), today)
    if "month" not in request.GET:
        month_problem = ""
    context, problems, query = _filters(request)
    if month_problem:
        problems.insert(0, month_problem)
    days = calendar_month(month=month, query=query)
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = month_after(month)
    base = _without(request.GET, "month", "page")
    # The language's first day of the week, as the admin's date picker has it
    # (Django counts from Sunday, Python from Monday).
    first_weekday = (int(get_format("FIRST_DAY_OF_WEEK")) - 1) % 7
    context |= {
        "month": month,
        "today": today,
        "days": days,
        "leading_blanks": range((month.weekday() - first_weekday) % 7),
        "weekdays": [WEEKDAYS_ABBR[(first_weekday + day) % 7] for day in range(7)],
        "has_sessions": any(day.total for day in days),
        "previous_month": previous if previous.year >= CALENDAR_YEARS[0] else None,
        "next_month": following if following.year < CALENDAR_YEARS[1] else None,
        "base_query": base,
        "category_base": _without(request.GET, "category", "page"),
        "list_query": base,
    }
    return render(request, "workshops/calendar.html", context, status=400 if problems else 200)
