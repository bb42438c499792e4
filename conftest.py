"""Suite-wide set-up: which database we run on, PostgreSQL-only tests, and the fixtures
every app's tests share."""

import os

import pytest
from django.db import connection


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture(scope="session", autouse=True)
def _database_is_the_one_asked_for():
    """`make test` says which database each run is for; never test the wrong one quietly."""
    expected = os.environ.get("STUDYHALL_EXPECT_DB")
    if expected and connection.vendor != expected:
        pytest.exit(
            f"this run is for {expected}, but DATABASE_URL points at {connection.vendor}",
            returncode=2,
        )


def pytest_collection_modifyitems(config, items):
    # The browser tests run last: their live server commits rows and flushes every
    # table afterwards, rows from data migrations included.
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason=f"needs PostgreSQL (raw-SQL constraints, triggers, row locks); this run is "
        f"{connection.vendor}"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def mislinked_rows_allowed(db):
    """Let a test write the rows old databases hold: a session whose run belongs to
    another workshop. On PostgreSQL the composite foreign key is dropped inside the
    test's transaction, so it comes back when the test rolls back."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # ALTER TABLE waits for no deferred check: fire them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE workshops_workshopsession DROP CONSTRAINT session_run_same_workshop_fk"
            )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits and counters start from nothing in every test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language. A request activates its language on
    the thread (the locale middleware) and leaves it there, so an Arabic page in one
    test must not make the next one Arabic."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def clock(monkeypatch):
    """Set the time Studyhall reads (``django.utils.timezone.now``, and so
    ``localdate``): ``clock(moment)``. For tests whose answer depends on the day."""
    from django.utils import timezone

    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_to


@pytest.fixture
def run(db):
    """The run most tests book from: ``run_around_today()``, ten days ago to twenty
    ahead. A module whose tests need a run of their own defines its own ``run``."""
    from workshops.tests.factories import run_around_today

    return run_around_today()


@pytest.fixture
def check_in_always_open(settings):
    """Check-in opens two months before a session, so a test about the roster or the
    check-in itself need not build a session starting within the hour; the window's
    own tests (orders/tests/test_check_in_window.py) leave it as it is."""
    settings.STUDYHALL_CHECK_IN_OPENS_MINUTES = 60 * 24 * 60
