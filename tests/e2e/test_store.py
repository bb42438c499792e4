"""A student finds a workshop on a phone: a search, a month, a price, one tap."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, sideways_overflow
from workshops.forms import period
from workshops.models import Category
from workshops.tests.factories import (
    WorkshopFactory,
    WorkshopRunFactory,
    WorkshopSessionFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _workshop(slug: str, title: str, title_ar: str, price: str, day: datetime.date, category):
    workshop = WorkshopFactory(
        slug=slug, title=title, title_ar=title_ar, price=Decimal(price), category=category
    )
    run = WorkshopRunFactory(workshop=workshop, start_date=day, end_date=day)
    WorkshopSessionFactory(run=run, number=1, date=day, capacity=8)
    return workshop


@pytest.fixture
def phone(browser, browser_context_args) -> Page:
    """A phone-sized page (the shared fixture's arguments collide with the viewport the
    context already gets)."""
    context = browser.new_context(
        **{**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}
    )
    context.set_default_timeout(5_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def store():
    art = Category.objects.create(name="Art", name_ar="فنون", slug="art")
    next_month = period("next-month", timezone.localdate())[0] + datetime.timedelta(days=6)
    _workshop("calligraphy", "Arabic Calligraphy", "الخط العربي", "45", next_month, art)
    _workshop("thuluth", "Thuluth Calligraphy Masterclass", "خط الثلث", "90", next_month, art)
    _workshop(
        "soon",
        "Calligraphy Taster",
        "تذوق الخط",
        "10",
        timezone.localdate() + datetime.timedelta(1),
        art,
    )
    _workshop("speaking", "Public Speaking", "معسكر الخطابة", "0", next_month, None)


@pytest.mark.parametrize("search", ["calligraphy", "خط"])
def test_calligraphy_next_month_under_a_price_on_a_phone(phone: Page, store, search):
    phone.goto("/workshops/")
    assert sideways_overflow(phone) == 0
    phone.get_by_label("Search workshops").fill(search)
    phone.get_by_label("When").select_option(label="Next month")
    phone.get_by_label("Price up to").fill("50")
    phone.get_by_role("button", name="Search").click()

    main = phone.get_by_role("main")
    expect(main.get_by_role("heading", level=2)).to_have_text(["Arabic Calligraphy"])
    expect(main).to_contain_text("1 workshop")
    assert sideways_overflow(phone) == 0
    main.get_by_role("link", name="Arabic Calligraphy").first.click()
    expect(phone).to_have_url("/workshops/calligraphy/")


def test_the_calendar_is_a_list_of_days_on_a_phone(phone: Page, store):
    month = period("next-month", timezone.localdate())[0]
    phone.goto(f"/workshops/calendar/?month={month:%Y-%m}")
    assert sideways_overflow(phone) == 0
    day = phone.locator("ol.month > li.day:visible")
    expect(day).to_have_count(1)  # days without sessions are left out on a phone
    expect(day).to_contain_text("Arabic Calligraphy")
    phone.get_by_role("link", name="Art").click()
    expect(phone.locator("ol.month > li.day:visible")).not_to_contain_text("Public Speaking")
