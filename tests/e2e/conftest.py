"""The browser suite: Playwright drives Debian's Chromium against a live server.

- Chromium is found at ``STUDYHALL_CHROMIUM``, else ``chromium`` on the PATH
  (``make test`` installs Debian's package when it is missing). Without it every
  browser test fails with one line saying what to install; none is skipped.
- The live server runs in this process on the test database; each test's rows are
  committed for the server to see, and flushed after the test.
- Playwright's sync API keeps an event loop running in this thread, which Django's
  ORM refuses by default: ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set for these tests only,
  which run last (see the root ``conftest.py``).
- When a test fails, every open page is saved (a screenshot and its HTML) under
  ``var/e2e-failures/<test>/``, and the report names the files and shows the page's
  text, so CI's output says what the browser saw.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, expect

FAILURES = Path(settings.BASE_DIR) / "var" / "e2e-failures"
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str | None:
    configured = os.environ.get("STUDYHALL_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    if path is None:
        pytest.fail(
            "the browser tests need Chromium: apt-get install chromium "
            "(or set STUDYHALL_CHROMIUM to a Chromium binary)",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": path,
        # No sandbox as root in a container; nothing phones home during the tests.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def base_url() -> None:
    """Each context gets the live server's address (below). This also replaces
    pytest-playwright's fallback fixture, which pytest 9 refuses (a session fixture
    defined on an instance)."""
    return None


@pytest.fixture
def site(live_server) -> str:
    """The live server's address, e.g. ``http://localhost:41234``."""
    return live_server.url


@pytest.fixture(autouse=True)
def _links_point_at_the_live_server(settings, site) -> None:
    """Links in emails and calendar addresses start with the site's address."""
    settings.STUDYHALL_SITE_URL = site


@pytest.fixture
def browser_context_args(browser_context_args, site):
    # Playwright's default window is a 1280 x 720 desktop; ``phone`` is the other size.
    return {**browser_context_args, "base_url": site}


@pytest.fixture
def new_context(new_context):
    """Every context waits 5 s for a page or an element, not 30: a local server
    answers in well under a second, and a failing test should say so quickly."""

    def make(**kwargs) -> BrowserContext:
        # An English browser unless a test asks for another language.
        context = new_context(**{"locale": "en-US", **kwargs})
        context.set_default_timeout(5_000)
        return context

    return make


@pytest.fixture(autouse=True)
def _expect_fails_fast() -> None:
    expect.set_options(timeout=5_000)


@pytest.fixture
def phone(new_context) -> Page:
    """A page the size of a phone, touch and all."""
    return new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()


def log_in(context: BrowserContext, user, site: str) -> None:
    """Give the browser a session of ``user``, as if they had logged in."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site}])


def fill_login_form(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def run_admin_action(page: Page, row_text: str, action: str) -> None:
    """On an admin list: tick the row that shows ``row_text``, choose ``action`` and
    run it."""
    page.get_by_role("row").filter(has_text=row_text).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label=action)
    page.locator("#changelist-form .actions").get_by_role("button", name="Run").click()


AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")


def serious_violations(page: Page) -> list[dict]:
    """What axe-core finds serious or critical on the page (the test's context bypasses
    the page's CSP so the script can be injected)."""
    page.add_script_tag(content=AXE)
    violations = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def sideways_overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


# -- what the browser saw, when a test fails -------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """When a test fails, while its pages are still open: save each (screenshot and
    HTML) and add what it showed to the report."""
    report = yield
    browser = item.funcargs.get("browser") if report.when == "call" else None
    if report.failed and isinstance(browser, Browser):
        report.sections.append(("browser", _save_pages(browser, item.nodeid)))
    return report


def _save_pages(browser: Browser, nodeid: str) -> str:
    folder = FAILURES / re.sub(r"[^\w.-]+", "-", nodeid)[-120:]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    lines = []
    pages = [page for context in browser.contexts for page in context.pages]
    for number, page in enumerate(pages, start=1):
        try:
            page.screenshot(path=folder / f"page-{number}.png", full_page=True)
            (folder / f"page-{number}.html").write_text(page.content())
            text = page.inner_text("body")[:1500]
        except Exception as error:  # a closed or crashed page: say so, keep the rest
            lines.append(f"page {number} ({page.url}): could not be saved: {error}")
            continue
        lines.append(f"page {number}: {page.url}\n  saved: {folder}/page-{number}.png, .html")
        lines.append("  text: " + text.replace("\n", "\n        "))
    return "\n".join(lines) or "no page was open"
