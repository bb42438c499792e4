"""Families: a parent books seats for two children in one order, a child sees the seat
booked for them, and the host's roster names each child."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from orders.models import OrderItem
from tests.e2e.conftest import PHONE, log_in, sideways_overflow
from tutoring.tests.factories import ParentProfileFactory, StudentProfileFactory
from workshops.services import host_link_provision
from workshops.tests.factories import (
    WorkshopFactory,
    WorkshopRunFactory,
    WorkshopSessionFactory,
    days_from_today,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_parent_books_two_children_and_a_child_sees_the_seat(new_context, site):
    parent = ParentProfileFactory(user__username="mariam")
    layla = StudentProfileFactory(user__username="layla", user__first_name="Layla")
    zaid = StudentProfileFactory(user__username="zaid", user__first_name="Zaid")
    parent.children.add(layla, zaid)
    run = WorkshopRunFactory(
        workshop=WorkshopFactory(title="Calligraphy", slug="calligraphy", price=45),
        name="Next cohort",
        start_date=days_from_today(5),
        end_date=days_from_today(6),
    )
    session = WorkshopSessionFactory(run=run, number=1, date=run.start_date, capacity=5)

    context = new_context(viewport=PHONE, is_mobile=True)
    log_in(context, parent.user, site)
    page = context.new_page()
    page.goto(site + "/workshops/calligraphy/")
    chooser = page.get_by_role("group", name="Who are the seats for?")
    chooser.get_by_label("Layla Saleh").check()
    chooser.get_by_label("Zaid Saleh").check()
    page.get_by_text("Day 1").click()
    page.get_by_role("button", name="Continue: see the seats and the total").click()
    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("For: Layla Saleh, Zaid Saleh")
    assert sideways_overflow(page) == 0
    page.get_by_role("button", name="Book 2 seats for $90.00").click()
    expect(page.locator(".messages, .messagelist, [role=status]").first).to_contain_text("Booked")
    seats = OrderItem.objects.filter(session=session, buyer=parent.user)
    assert sorted(seats.values_list("attendee__username", flat=True)) == ["layla", "zaid"]
    assert len({seat.order_id for seat in seats}) == 1

    # Zaid, on his own phone, sees the seat his parent booked, and cannot cancel it.
    zaid_context = new_context(viewport=PHONE, is_mobile=True)
    log_in(zaid_context, zaid.user, site)
    zaid_page = zaid_context.new_page()
    zaid_page.goto(site + "/orders/")
    booked = zaid_page.get_by_role("region", name="Booked for you")
    expect(booked).to_contain_text("Calligraphy")
    expect(booked).to_contain_text("booked by Mariam Aziz")
    expect(zaid_page.get_by_role("button", name="Cancel")).to_have_count(0)

    # The host's roster names both children and who booked them.
    link = host_link_provision(session_id=session.pk).link
    host = new_context(viewport=PHONE, is_mobile=True).new_page()
    host.goto(site + link.get_absolute_url())
    expect(host.locator("[data-roster-row]").filter(has_text="Layla Saleh")).to_contain_text(
        "booked by Mariam Aziz"
    )
    expect(host.locator("[data-roster-row]").filter(has_text="Zaid Saleh")).to_be_visible()
