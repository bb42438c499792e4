"""Suite-wide set-up: which database we run on, and PostgreSQL-only tests."""

import os

import pytest
from django.db import connection


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture(scope="session", autouse=True)
def _database_is_the_one_asked_for(django_db_blocker):
    """`make test` says which database each run is for; never test the wrong one quietly."""
    expected = os.environ.get("STUDYHALL_EXPECT_DB")
    if expected and connection.vendor != expected:
        pytest.exit(
            f"this run is for {expected}, but DATABASE_URL points at {connection.vendor}",
            returncode=2,
        )


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason=f"needs PostgreSQL (raw-SQL constraints, triggers, row locks); this run is "
        f"{connection.vendor}"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
