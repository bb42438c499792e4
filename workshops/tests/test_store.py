"""The store: search in English and Arabic, filters that combine, sorting, pages that
keep the filters, the month calendar, and what bad parameters get."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from workshops.forms import period
from workshops.models import Category, Workshop, WorkshopSession
from workshops.tests.factories import (
    WorkshopFactory,
    WorkshopRunFactory,
    WorkshopSessionFactory,
    days_from_today,
    sell_seats,
)

pytestmark = pytest.mark.django_db

STORE = reverse("workshops:store")
CALENDAR = reverse("workshops:calendar")


def workshop_on(day: datetime.date, **fields) -> Workshop:
    """A workshop with one session on ``day``."""
    workshop = WorkshopFactory(**fields)
    run = WorkshopRunFactory(workshop=workshop, start_date=day, end_date=day)
    WorkshopSessionFactory(run=run, number=1, date=day, capacity=fields.get("default_capacity"))
    return workshop


def found(client, **params) -> list[str]:
    response = client.get(STORE, params)
    assert response.status_code == 200, response.context.get("problems")
    return [workshop.slug for workshop in response.context["workshops"]]


@pytest.fixture
def catalogue():
    """Calligraphy (English and Arabic titles), Python, and free public speaking, whose
    Arabic title starts with the same letters as calligraphy's."""
    art = Category.objects.create(name="Art", name_ar="فنون", slug="art")
    tech = Category.objects.create(name="Technology", slug="technology")
    return {
        "calligraphy": workshop_on(
            days_from_today(3),
            slug="calligraphy",
            title="Arabic Calligraphy for Beginners",
            title_ar="الخطّ العربيّ للمبتدئين",
            price=Decimal("45"),
            category=art,
        ),
        "python": workshop_on(
            days_from_today(20),
            slug="python",
            title="Intro to Python",
            title_ar="مقدمة في بايثون",
            description="Loops and functions by building a quiz game.",
            price=Decimal("60"),
            category=tech,
        ),
        "speaking": workshop_on(
            days_from_today(10),
            slug="speaking",
            title="Public Speaking",
            title_ar="معسكر الخطابة",
            price=Decimal("0"),
        ),
    }


# -- search -----------------------------------------------------------------------------


def test_search_finds_titles_by_the_start_of_a_word(client, catalogue):
    assert found(client, q="calligraphy") == ["calligraphy"]
    assert found(client, q="Calli") == ["calligraphy"]
    assert found(client, q="intro pyth") == ["python"]
    assert found(client, q="graphy") == []  # words are matched from their start


def test_search_reads_descriptions_too(client, catalogue):
    assert found(client, q="quiz") == ["python"]


@pytest.mark.parametrize("typed", ["خط", "الخط", "الخَطّ", "خـــط"])
def test_arabic_search_finds_the_arabic_title_however_it_is_typed(client, catalogue, typed):
    """Diacritics, tatweel and the article do not matter, and a two-letter word is a
    whole word: "خط" (calligraphy) does not find "الخطابة" (public speaking)."""
    assert found(client, q=typed) == ["calligraphy"]


@pytest.mark.parametrize("typed", ["مقدمه", "مقدمة", "بايثون"])
def test_arabic_letter_variants_match(client, catalogue, typed):
    assert found(client, q=typed) == ["python"]


def test_alef_forms_match_each_other(client):
    workshop_on(days_from_today(2), slug="english", title="English", title_ar="الإنجليزية")
    assert found(client, q="انجليزيه") == ["english"]
    assert found(client, q="أنجليزية") == ["english"]


def test_every_searched_word_must_match(client, catalogue):
    assert found(client, q="calligraphy python") == []


def test_search_text_follows_the_title(client, catalogue):
    workshop = catalogue["python"]
    workshop.title = "Intro to Rust"
    workshop.save(update_fields=["title"])
    assert found(client, q="rust") == ["python"]
    assert found(client, q="intro pyth") == []


@pytest.mark.parametrize("junk", ["'", "a:*", "a & | !", "(", "\\", "___", "😀", "x" * 500])
def test_search_syntax_is_just_text(client, catalogue, junk):
    response = client.get(STORE, {"q": junk})
    assert response.status_code == 200


# -- filters ------------------------------------------------------------------------------


def test_price_filters_free_and_up_to_an_amount(client, catalogue):
    assert found(client, max_price="0") == ["speaking"]
    assert found(client, max_price="45") == ["calligraphy", "speaking"]
    assert found(client, max_price="45.000") == ["calligraphy", "speaking"]


def test_category_filter_and_its_chips(client, catalogue):
    response = client.get(STORE, {"category": "art", "q": "arabic"})
    assert [w.slug for w in response.context["workshops"]] == ["calligraphy"]
    page = response.content.decode()
    assert 'href="?q=arabic&amp;category=technology"' in page  # a chip keeps the search
    assert 'aria-current="true">Art' in page


def test_date_filters(client, catalogue):
    assert found(client, **{"from": str(days_from_today(5))}) == ["speaking", "python"]
    assert found(client, to=str(days_from_today(5))) == ["calligraphy"]


@pytest.mark.parametrize("weekday", range(7))
def test_this_week_runs_from_monday_to_sunday_whatever_the_day(client, clock, weekday):
    """On each day of a week from Monday 3 March 2031: this week's Monday and Sunday
    sessions are shown (if not yet over), last Sunday's and next Monday's are not."""
    monday = datetime.date(2031, 3, 3)
    today = monday + datetime.timedelta(days=weekday)
    clock(timezone.make_aware(datetime.datetime.combine(today, datetime.time(7))))
    for slug, day in (("last-sunday", -1), ("monday", 0), ("sunday", 6), ("next-monday", 7)):
        workshop_on(monday + datetime.timedelta(days=day), slug=slug, default_capacity=5)
    shown = ["sunday"] if weekday else ["monday", "sunday"]  # Monday's is over after Monday
    assert found(client, when="week") == shown


def test_next_month_and_this_month_are_calendar_months():
    assert period("month", datetime.date(2027, 1, 31)) == (
        datetime.date(2027, 1, 1),
        datetime.date(2027, 1, 31),
    )
    assert period("next-month", datetime.date(2027, 1, 31)) == (
        datetime.date(2027, 2, 1),
        datetime.date(2027, 2, 28),
    )
    assert period("next-month", datetime.date(2027, 12, 5))[1] == datetime.date(2028, 1, 31)
    assert period("week", datetime.date(2027, 1, 6)) == (
        datetime.date(2027, 1, 4),
        datetime.date(2027, 1, 10),
    )


def test_seats_available_leaves_out_full_and_cancelled_sessions(client, catalogue):
    for session in WorkshopSession.objects.filter(workshop=catalogue["python"]):
        WorkshopSession.objects.filter(pk=session.pk).update(capacity=1)
        sell_seats(session, 1)
    WorkshopSession.objects.filter(workshop=catalogue["speaking"]).update(
        cancelled_at=timezone.now()
    )
    assert found(client, seats="1") == ["calligraphy"]
    # Without the filter, both are listed; the cancelled session does not count as next.
    assert set(found(client)) == {"calligraphy", "python", "speaking"}


def test_filters_combine(client, catalogue):
    params = {"q": "خط", "max_price": "50", "from": str(days_from_today(1)), "seats": "1"}
    assert found(client, **params) == ["calligraphy"]
    assert found(client, **params, category="technology") == []


def test_sorting(client, catalogue):
    assert found(client) == ["calligraphy", "speaking", "python"]  # next session first
    assert found(client, sort="price") == ["speaking", "calligraphy", "python"]
    assert found(client, sort="title") == ["calligraphy", "python", "speaking"]


def test_workshops_with_nothing_scheduled_come_last_and_drop_out_of_date_filters(client, catalogue):
    WorkshopFactory(slug="aaa-unscheduled", title="AAA unscheduled")
    assert found(client)[-1] == "aaa-unscheduled"
    assert "aaa-unscheduled" not in found(client, when="month")


def test_inactive_workshops_are_never_listed(client, catalogue):
    Workshop.objects.filter(slug="python").update(is_active=False)
    assert "python" not in found(client, q="python")


# -- pages ---------------------------------------------------------------------------------


def test_pages_hold_a_fixed_number_and_keep_the_filters(client):
    for n in range(15):
        workshop_on(days_from_today(2 + n), slug=f"art-{n:02}", title=f"Art {n:02}")
    first = client.get(STORE, {"q": "art", "sort": "title"})
    assert len(first.context["workshops"]) == 12
    assert first.context["paged"].next_url == "?q=art&sort=title&page=2"
    assert 'href="?q=art&amp;sort=title&amp;page=2"' in first.content.decode()
    second = client.get(STORE + first.context["paged"].next_url)
    assert [w.slug for w in second.context["workshops"]] == ["art-12", "art-13", "art-14"]
    assert second.context["paged"].previous_url == "?q=art&sort=title"
    assert second.context["paged"].next_url == ""


@pytest.mark.parametrize(
    ("page", "shown", "note"),
    [
        ("abc", 1, "not understood"),
        ("-1", 1, "not understood"),
        ("0", 1, "not understood"),
        ("999999", 2, "only 2 pages"),
        (str(10**30), 1, "not understood"),
    ],
)
def test_a_page_that_is_not_one_gives_a_sensible_page(client, page, shown, note):
    for n in range(13):
        workshop_on(days_from_today(2), slug=f"w-{n:02}")
    response = client.get(STORE, {"page": page})
    assert response.status_code == 200
    assert response.context["paged"].page.number == shown
    assert note in response.context["paged"].note


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"from": "2027-02-30"}, "From: Enter a date"),
        ({"to": "tomorrow"}, "To: Enter a date"),
        ({"from": "2027-03-01", "to": "2027-02-01"}, "before the start date"),
        ({"max_price": "-5"}, "Prices start at 0"),
        ({"max_price": "cheap"}, "Enter an amount"),
        ({"max_price": "1e309"}, "Price up to"),
        ({"when": "someday"}, "this week, this month or next month"),
        ({"sort": "rating"}, "Sort by next session, price or title"),
        ({"category": "nope"}, "no such category"),
    ],
)
def test_bad_parameters_are_named_and_the_rest_still_apply(client, catalogue, params, named):
    response = client.get(STORE, {"q": "calligraphy", **params})
    assert response.status_code == 400
    assert any(named in problem for problem in response.context["problems"])
    assert named.split(": ")[-1] in response.content.decode()
    assert [w.slug for w in response.context["workshops"]] == ["calligraphy"]


# -- the calendar -------------------------------------------------------------------------


def test_the_calendar_lists_the_months_sessions_by_day_with_links(client, catalogue):
    day = days_from_today(3)
    response = client.get(CALENDAR, {"month": f"{day:%Y-%m}"})
    assert response.status_code == 200
    days = response.context["days"]
    assert len(days) == (period("month", day)[1]).day
    [entry] = [d for d in days if d.date == day]
    assert [s.workshop.slug for s in entry.sessions] == ["calligraphy"]
    assert f'href="{catalogue["calligraphy"].get_absolute_url()}"' in response.content.decode()


@pytest.mark.parametrize("language, sunday", [("en", "Sun"), ("ar", "أحد")])
def test_the_calendars_weeks_start_on_the_languages_first_day(client, language, sunday):
    """Django's formats start both languages' weeks on Sunday, as the admin's date
    picker does; 1 February 2027 is a Monday, one blank after it."""
    response = client.get(CALENDAR, {"month": "2027-02"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.context["weekdays"][0] == sunday
    assert len(response.context["leading_blanks"]) == 1


def test_the_calendar_applies_the_stores_filters(client, catalogue):
    month = days_from_today(20)
    response = client.get(CALENDAR, {"month": f"{month:%Y-%m}", "category": "technology"})
    slugs = {s.workshop.slug for d in response.context["days"] for s in d.sessions}
    assert slugs == {"python"}


def test_a_busy_day_shows_its_first_sessions_and_how_many_more(client):
    day = days_from_today(4)
    for n in range(9):
        workshop_on(day, slug=f"busy-{n}")
    response = client.get(CALENDAR, {"month": f"{day:%Y-%m}"})
    [entry] = [d for d in response.context["days"] if d.date == day]
    assert (len(entry.sessions), entry.total, entry.more) == (6, 9, 3)
    assert f"from={day:%Y-%m-%d}&amp;to={day:%Y-%m-%d}" in response.content.decode()


@pytest.mark.parametrize("month", ["2027-13", "27-01", "abc", "9999-12", "١٢٣٤-٠١", "1999-12"])
def test_a_month_that_is_not_one_shows_this_month_with_a_message(client, month):
    response = client.get(CALENDAR, {"month": month})
    assert response.status_code == 400
    assert response.context["month"] == timezone.localdate().replace(day=1)
    assert "write it as YYYY-MM" in response.content.decode()


def test_calendar_is_not_a_workshop_slug():
    from django.core.exceptions import ValidationError

    workshop = Workshop(title="Calendar", slug="calendar")
    with pytest.raises(ValidationError) as refused:
        workshop.full_clean()
    assert "address of a store page" in str(refused.value)


# -- PostgreSQL's full-text index ----------------------------------------------------------


@pytest.mark.postgres
def test_postgresql_answers_the_search_from_its_gin_index(catalogue):
    from workshops.selectors.store import StoreQuery, store_workshops

    sql, params = store_workshops(StoreQuery(search="خط")).query.sql_with_params()
    with connection.cursor() as cursor:
        # Whatever the table's statistics after earlier tests, only the search's own
        # index can then find the rows: no sequential scan, no walk of another index.
        for method in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "workshop_search_idx" in plan
