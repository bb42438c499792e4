"""A student's account: a forgotten password, and their seats in a calendar app."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from core.tests.factories import UserFactory
from orders.services.booking import seat_book
from tests.e2e.conftest import fill_login_form, log_in
from workshops.tests.factories import WorkshopFactory, WorkshopSessionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_forgotten_password_is_replaced_through_the_emailed_link(page: Page):
    UserFactory(username="rania", email="rania@example.com")

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("rania@example.com")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    [email] = mail.outbox
    link = re.search(r"https?://\S+/reset/\S+/", email.body.replace("=\n", ""))
    assert link, email.body
    page.goto(link.group(0))
    page.get_by_label("New password", exact=True).fill("a brand new phrase of mine")
    page.get_by_label("New password confirmation").fill("a brand new phrase of mine")
    page.get_by_role("button", name="Save the new password").click()

    page.goto("/accounts/login/")
    fill_login_form(page, "rania", "a brand new phrase of mine")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_private_calendar_address_is_made_renewed_and_turned_off(page: Page, context, site):
    session = WorkshopSessionFactory(run__workshop=WorkshopFactory(title="Calligraphy"))
    student = UserFactory(username="samir")
    seat_book(buyer=student, workshop=session.workshop, session_id=session.pk)
    log_in(context, student, site)

    page.goto("/orders/")
    page.get_by_role("link", name="See your seats in your calendar app").click()
    page.get_by_role("button", name="Make my calendar address").click()
    address = page.get_by_label("Your calendar address").input_value()
    feed = page.request.get(address)
    assert feed.ok and "Calligraphy" in feed.text()

    page.get_by_role("button", name="Make a new address").click()
    renewed = page.get_by_label("Your calendar address").input_value()
    assert renewed != address
    assert page.request.get(address).status == 404, "the old address stops at once"
    assert page.request.get(renewed).ok

    page.get_by_role("button", name="Turn it off").click()
    expect(page.get_by_role("button", name="Make my calendar address")).to_be_visible()
    assert page.request.get(renewed).status == 404
