"""Prices carry the site's currency (STUDYHALL_CURRENCY): its decimal places when staff
enter them, its symbol and the language's formatting when anyone reads them."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from core.money import NBSP, format_price
from core.tests.commands import manage_py
from core.tests.factories import UserFactory, staff_user
from orders.services.booking import run_book
from tutoring.tests.factories import TutorPackageFactory, TutorProfileFactory
from workshops.models import Workshop
from workshops.tests.factories import WorkshopRunFactory, WorkshopSessionFactory, days_from_today

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("currency", "amount", "shown"),
    [
        ("USD", Decimal("45"), "$45.00"),
        ("USD", Decimal("1234.5"), "$1,234.50"),
        ("KWD", Decimal("45.5"), f"KWD{NBSP}45.500"),
        ("JPY", Decimal("4500"), "¥4,500"),
        ("EUR", Decimal("9.9"), "€9.90"),
        ("KWD", Decimal("0"), "Free"),
        ("USD", None, "Free"),
    ],
)
def test_a_price_is_shown_in_the_currency_with_its_decimals(settings, currency, amount, shown):
    settings.STUDYHALL_CURRENCY = currency
    assert format_price(amount) == shown


@pytest.mark.parametrize("currency", ["ZZZ", "dollars", "CLF"])
def test_a_currency_that_cannot_work_is_refused_at_start(currency):
    result = manage_py(
        "check", DJANGO_SETTINGS_MODULE="config.settings.local", STUDYHALL_CURRENCY=currency
    )
    assert result.returncode != 0
    assert "STUDYHALL_CURRENCY must be an ISO 4217 currency code" in result.stderr


def workshop_form(price: str) -> dict[str, str]:
    return {
        "title": "Pottery",
        "title_ar": "",
        "slug": "pottery",
        "description": "",
        "default_capacity": "6",
        "price": price,
        "is_active": "on",
        "runs-TOTAL_FORMS": "0",
        "runs-INITIAL_FORMS": "0",
    }


@pytest.mark.parametrize(
    ("currency", "price", "stored"),
    [("KWD", "12.345", Decimal("12.345")), ("USD", "12.50", Decimal("12.5")),
     ("USD", "12.500", Decimal("12.5")), ("JPY", "1200", Decimal("1200"))],
)  # fmt: skip
def test_staff_enter_prices_with_the_currency_s_decimals(client, settings, currency, price, stored):
    settings.STUDYHALL_CURRENCY = currency
    client.force_login(staff_user("workshops"))
    response = client.post(reverse("admin:workshops_workshop_add"), workshop_form(price))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Workshop.objects.get(slug="pottery").price == stored


@pytest.mark.parametrize(
    ("currency", "price", "error"),
    [
        ("USD", "12.345", "no more than 2 decimal places"),
        ("JPY", "12.5", "no more than 0 decimal places"),
        ("KWD", "-1", "greater than or equal to 0"),
        ("KWD", "99999999", "no more than 10 digits"),
    ],
)
def test_a_price_the_currency_cannot_hold_is_explained(client, settings, currency, price, error):
    settings.STUDYHALL_CURRENCY = currency
    client.force_login(staff_user("workshops"))
    response = client.post(reverse("admin:workshops_workshop_add"), workshop_form(price))
    assert response.status_code == 200
    assert error in " ".join(response.context["adminform"].form.errors["price"])
    assert not Workshop.objects.exists()


def test_the_admin_shows_a_stored_price_with_the_currency_s_decimals(client, settings):
    settings.STUDYHALL_CURRENCY = "USD"
    workshop = WorkshopRunFactory(workshop__price=Decimal("45.000")).workshop
    client.force_login(staff_user("workshops"))
    page = client.get(reverse("admin:workshops_workshop_change", args=[workshop.pk]))
    [field] = re.findall(r'<input type="number" name="price"[^>]*>', page.text)
    assert 'value="45.00"' in field and 'step="0.01"' in field


def test_the_store_workshop_page_order_and_tutors_show_prices(client, settings):
    settings.STUDYHALL_CURRENCY = "KWD"
    run = WorkshopRunFactory(
        start_date=days_from_today(5), end_date=days_from_today(6), workshop__price=Decimal("7.5")
    )
    for number in (1, 2):
        WorkshopSessionFactory(run=run, number=number, date=days_from_today(4 + number))
    buyer = UserFactory()
    order = run_book(buyer=buyer, workshop=run.workshop, run_id=run.pk)
    tutor = TutorProfileFactory(hourly_rate=Decimal("12"))
    TutorPackageFactory(tutor=tutor, price=Decimal("40.25"))

    assert f"KWD{NBSP}7.500" in client.get(reverse("workshops:store")).text
    assert f"KWD{NBSP}7.500" in client.get(run.workshop.get_absolute_url()).text
    client.force_login(buyer)
    detail = client.get(order.get_absolute_url()).text
    assert f"Total for the seats you hold: <strong>KWD{NBSP}15.000</strong>" in detail
    tutors = client.get(reverse("tutoring:tutors")).text
    assert f"KWD{NBSP}12.000" in tutors and f"KWD{NBSP}40.250" in tutors


def test_a_free_workshop_says_free(client):
    WorkshopSessionFactory(
        date=days_from_today(6), run__start_date=days_from_today(5), run__workshop__price=0
    )
    assert "Free" in client.get(reverse("workshops:store")).text
