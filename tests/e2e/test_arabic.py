"""The main student journey in Arabic, right to left, as a browser that prefers Arabic
gets it; and the switch back to English on the same page."""

from __future__ import annotations

import pytest
from django.utils import formats, translation
from playwright.sync_api import Page, expect

from orders.models import Order, OrderStatus
from tests.e2e.conftest import PHONE, serious_violations, sideways_overflow
from workshops.tests.factories import WorkshopFactory, WorkshopRunFactory, WorkshopSessionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def arabic_phone(new_context):
    context = new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="ar-KW", bypass_csp=True
    )
    return context.new_page()


def _checked(page: Page, problems: list[str]) -> None:
    """Right to left, in Arabic, fits the phone, and axe finds nothing serious."""
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    if sideways_overflow(page) > 0:
        problems.append(f"{page.url}: wider than the phone")
    problems.extend(
        f"{page.url}: {v['id']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in serious_violations(page)
    )


def test_sign_up_book_see_and_cancel_in_arabic_on_a_phone(arabic_phone: Page):
    page = arabic_phone
    run = WorkshopRunFactory(
        workshop=WorkshopFactory(
            title="Arabic Calligraphy", title_ar="الخط العربي", slug="calligraphy", price=45
        ),
        name="Next cohort",
        name_ar="الدفعة القادمة",
    )
    session = WorkshopSessionFactory(run=run)
    with translation.override("ar"):
        arabic_date = formats.date_format(session.date, "j F")
    problems: list[str] = []

    page.goto("/workshops/")
    _checked(page, problems)
    page.get_by_role("link", name="الخط العربي").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("الخط العربي")
    expect(page.get_by_role("main")).to_contain_text(arabic_date)
    _checked(page, problems)

    page.locator(f"input[name=session][value='{session.pk}']").check()
    page.locator("form[action$='/book/'] button[type=submit]").click()
    page.locator("main a[href^='/accounts/signup/']").click()
    _checked(page, problems)
    page.locator("#id_username").fill("fatima")
    page.locator("input[name=role][value=student]").check()
    page.locator("#id_password1").fill("a long and unusual phrase")
    page.locator("#id_password2").fill("a long and unusual phrase")
    page.locator("main form button[type=submit]").click()

    _checked(page, problems)  # the confirmation page
    expect(page.get_by_role("main")).to_contain_text("الخط العربي")
    page.locator("main form[action$='/book/'] button[type=submit]").click()
    order = Order.objects.get(buyer__username="fatima")
    _checked(page, problems)  # the order
    expect(page.get_by_role("main")).to_contain_text(order.reference)
    expect(page.get_by_role("main")).to_contain_text("الدفعة القادمة")

    page.goto("/orders/")
    _checked(page, problems)
    page.goto(f"/orders/{order.reference}/cancel/")
    _checked(page, problems)
    page.locator("main form button[type=submit]").click()
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED

    # English on the same page, and back.
    here = page.url
    page.locator("form.language-switch button[value=en]:visible").click()
    assert page.url == here
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Order")
    page.locator("form.language-switch button[value=ar]:visible").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert not problems, "\n".join(problems)
