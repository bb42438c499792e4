"""Every page as a browser shows it: no sideways scrolling on a phone, no serious
accessibility violation (axe-core), no console error or failed request."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from core.tests.factories import UserFactory
from orders.services.booking import seat_book
from tests.e2e.conftest import PHONE, log_in, serious_violations, sideways_overflow
from tutoring.tests.factories import TutorPackageFactory, TutorProfileFactory
from workshops.tests.factories import WorkshopFactory, WorkshopRunFactory, WorkshopSessionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LONG_NAME = "abdulrahman.al-khwarizmi.the.third"


@pytest.fixture
def schedule():
    """A workshop with a long title and a multi-day run, a tutor with a package, and a
    buyer with a long user name who holds a seat."""
    run = WorkshopRunFactory(
        workshop=WorkshopFactory(
            title="Arabic calligraphy for complete beginners: pens, inks and the naskh script",
            slug="calligraphy",
            description="Learn the naskh script from the first stroke.",
            price=12,
        ),
        name="Winter course for beginners",
    )
    sessions = [WorkshopSessionFactory(run=run, number=day) for day in (1, 2)]
    tutor = TutorProfileFactory()
    TutorPackageFactory(tutor=tutor, name="Exam prep")
    buyer = UserFactory(username=LONG_NAME)
    seat = seat_book(buyer=buyer, workshop=run.workshop, session_id=sessions[0].pk)
    return {"buyer": buyer, "order": seat.order, "tutor": tutor}


PUBLIC = [
    "/",
    "/workshops/",
    "/workshops/calligraphy/",
    "/tutors/",
    "/assistant/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password_reset/",
]


def _signed_in_pages(schedule) -> list[str]:
    return [
        "/orders/",
        schedule["order"].get_absolute_url(),
        f"/orders/{schedule['order'].reference}/cancel/",
        "/orders/calendar/",
        "/tutoring/requests/",
        "/workshops/calligraphy/",
        "/accounts/password_change/",
    ]


def test_axe_finds_what_it_is_asked_to_find(new_context):
    """The control: the check below would see a violation if a page had one."""
    page = new_context(bypass_csp=True).new_page()
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main></html>')
    assert [v["id"] for v in serious_violations(page)] == ["image-alt"]


def _visit_and_check(page: Page, path: str, problems: list[str]) -> None:
    """Open ``path``, run axe on it, and note what a visitor would suffer."""
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    for violation in serious_violations(page):
        targets = [node["target"] for node in violation["nodes"]][:3]
        problems.append(f"{path}: {violation['id']} ({violation['impact']}) at {targets}")
    overflow = sideways_overflow(page)
    if overflow > 0:
        problems.append(f"{path}: {overflow}px wider than the window")


def _watch(page: Page, problems: list[str]) -> None:
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and problems.append(f"console error on {page.url}: {message.text}")
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and problems.append(f"{response.status} for {response.url} (on {page.url})")
        ),
    )


@pytest.mark.parametrize("width", [PHONE["width"], 1280], ids=["phone", "desktop"])
def test_public_pages_pass_axe_fit_the_window_and_load_cleanly(new_context, site, schedule, width):
    # axe is injected as a script: the test bypasses the page's CSP to do it.
    page = new_context(viewport={"width": width, "height": 844}, bypass_csp=True).new_page()
    problems: list[str] = []
    _watch(page, problems)
    tutor_page = schedule["tutor"].get_absolute_url()
    for path in [*PUBLIC, tutor_page]:
        _visit_and_check(page, path, problems)
    assert not problems, "\n" + "\n".join(problems)


@pytest.mark.parametrize("width", [PHONE["width"], 1280], ids=["phone", "desktop"])
def test_signed_in_pages_pass_axe_fit_the_window_and_load_cleanly(
    new_context, site, schedule, width
):
    context = new_context(viewport={"width": width, "height": 844}, bypass_csp=True)
    log_in(context, schedule["buyer"], site)
    page = context.new_page()
    problems: list[str] = []
    _watch(page, problems)
    for path in _signed_in_pages(schedule):
        _visit_and_check(page, path, problems)
    assert not problems, "\n" + "\n".join(problems)


def test_on_a_phone_the_header_store_workshop_and_my_orders_fit(new_context, site, schedule):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(context, schedule["buyer"], site)
    page = context.new_page()
    for path in ("/workshops/", "/workshops/calligraphy/", "/orders/"):
        page.goto(path)
        assert sideways_overflow(page) == 0, path
        # One row: the name, the language and a menu; the links are in the menu.
        header = page.get_by_role("banner")
        box = header.bounding_box()
        assert box is not None and box["width"] <= PHONE["width"], path
        assert box["height"] <= 110, f"{path}: the header is {box['height']} px tall"
        expect(header.get_by_role("link", name="My orders")).to_be_hidden()
        header.get_by_text("Menu").click()
        # The long user name is in the menu, shortened rather than pushing it wide.
        expect(header.get_by_role("link", name=LONG_NAME)).to_be_visible()
        assert sideways_overflow(page) == 0, path
    page.get_by_role("banner").get_by_role("link", name="Workshops").click()
    expect(page).to_have_url(f"{site}/workshops/")
    page.goto("/orders/")
    expect(page.get_by_role("region", name="Upcoming")).to_contain_text("Arabic calligraphy")


def test_robots_and_icon_are_served(page: Page):
    robots = page.request.get("/robots.txt")
    assert robots.ok and "Disallow: /orders/" in robots.text()
    icon = page.request.get("/favicon.ico")
    assert icon.ok and "svg" in icon.headers["content-type"]
