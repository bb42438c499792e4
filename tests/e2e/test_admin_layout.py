"""Staff work in the admin on a 1280-pixel screen: the lists fit without sideways
scrolling, with the admin's side menu open."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from demo.accounts import STAFF_USER
from tests.e2e.conftest import log_in, sideways_overflow

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LISTS = [
    "workshops/workshop",
    "workshops/workshoprun",
    "workshops/workshopsession",
    "orders/order",
    "tutoring/sessionrequest",
    "assistant_chat/chatsession",
]


def demo_data_and_more() -> None:
    """The demo, with the longer names staff make: a repeated run, a whole run's order."""
    from django.contrib.auth.models import User

    from orders.services.booking import run_book
    from workshops.models import WorkshopRun
    from workshops.services import run_clone
    from workshops.tests.factories import days_from_today

    call_command("seed_demo", stdout=io.StringIO())
    run = WorkshopRun.objects.select_related("workshop").get(name="Summer build")
    copy = run_clone(run=run, start_date=days_from_today(90))
    run_book(buyer=User.objects.get(username="omar"), workshop=run.workshop, run_id=copy.pk)


def table_overflow(page: Page) -> int:
    """How many pixels the results table is wider than the box that holds it."""
    return page.evaluate(
        """() => {
            const table = document.querySelector('#result_list');
            return table.scrollWidth - table.parentElement.clientWidth;
        }"""
    )


@pytest.mark.parametrize("changelist", LISTS)
def test_an_admin_list_of_demo_data_fits_a_1280_pixel_screen(page: Page, site, changelist):
    from django.contrib.auth.models import User

    demo_data_and_more()
    log_in(page.context, User.objects.get(username=STAFF_USER[0]), site)
    page.goto(f"/admin/{changelist}/")
    assert page.locator("#result_list tbody tr").count() > 1
    assert page.locator("#nav-sidebar").is_visible()
    assert sideways_overflow(page) == 0
    assert table_overflow(page) <= 0


def test_a_workshops_page_with_its_runs_fits_a_1280_pixel_screen(page: Page, site):
    from django.contrib.auth.models import User

    from workshops.models import Workshop

    demo_data_and_more()
    log_in(page.context, User.objects.get(username=STAFF_USER[0]), site)
    workshop = max(Workshop.objects.all(), key=lambda w: w.runs.count())
    page.goto(f"/admin/workshops/workshop/{workshop.pk}/change/")
    runs = page.locator(".inline-group .tabular table")
    assert runs.locator("tbody tr.has_original").count() > 1
    assert sideways_overflow(page) == 0
    # The last column (delete) is inside the box, not cut off at its edge.
    overflow = runs.evaluate("t => t.scrollWidth - t.closest('.inline-group').clientWidth")
    assert overflow <= 0
