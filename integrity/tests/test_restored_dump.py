"""The operator's story: a damaged dump is restored (the database's guards off, as
``pg_restore --disable-triggers`` and SQLite with foreign keys off do), then
``check_integrity`` names each problem, ``repair_integrity`` repairs or quarantines
it, each batch committed for real, and ``check_integrity`` then exits 0."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from core.tests.commands import run_command
from integrity.models import QuarantinedRow
from integrity.tests.conftest import assert_nothing_lost, row_counts
from orders.tests.factories import SeatFactory
from tutoring.tests.factories import SessionRequestFactory
from workshops.models import WorkshopRun
from workshops.tests.factories import (
    HostSessionFactory,
    WorkshopRunFactory,
    WorkshopSessionFactory,
)

MISSING = 987654


def restore_damaged(*statements) -> None:
    """Write, and commit, rows no guard checked."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            try:
                for sql, params in statements:
                    cursor.execute(sql, params)
            finally:
                cursor.execute("SET session_replication_role = origin")
    else:
        with connection.constraint_checks_disabled(), connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)


@pytest.mark.django_db(transaction=True)
def test_a_restored_damaged_dump_is_audited_repaired_and_then_clean(monkeypatch):
    run = WorkshopRunFactory()
    other = WorkshopRunFactory()
    mislinked = WorkshopSessionFactory(run=run, number=1)
    seat = SeatFactory(session=mislinked)
    outside = WorkshopSessionFactory(run=run, number=2)
    gone = WorkshopSessionFactory(run=run, number=3)
    link = HostSessionFactory(session=gone)
    request = SessionRequestFactory()
    restore_damaged(
        # Moved to another workshop's run; its seat still names the old run.
        (
            "UPDATE workshops_workshopsession SET run_id = %s, seats_taken = 1 WHERE id = %s",
            [other.pk, mislinked.pk],
        ),
        (
            "UPDATE workshops_workshopsession SET date = %s WHERE id = %s",
            [run.end_date.replace(year=run.end_date.year + 1), outside.pk],
        ),
        ("UPDATE workshops_workshopsession SET seats_taken = 3 WHERE id = %s", [outside.pk]),
        ("UPDATE workshops_hostsession SET session_id = %s WHERE id = %s", [MISSING, link.pk]),
        ("UPDATE tutoring_sessionrequest SET tutor_id = %s WHERE id = %s", [MISSING, request.pk]),
    )
    before = row_counts()

    audit = run_command(monkeypatch, "check_integrity", "--json")
    assert audit.code == 1
    found = {i["name"]: i["violations"] for i in json.loads(audit.out)["invariants"]}
    assert {name: count for name, count in found.items() if count and ":" not in name} == {
        "session_run_workshop": 1,
        "run_dates": 1,
        "order_item_session": 1,
        "session_capacity": 1,
        "host_session": 1,
        "session_request_parties": 1,
    }

    repair = run_command(monkeypatch, "repair_integrity", "--no-input", "--batch-size", "1")
    assert repair.code == 0, repair.err

    audit = run_command(monkeypatch, "check_integrity")
    assert audit.code == 0, audit.out
    assert audit.out.endswith("All invariants hold.\n")
    assert set(QuarantinedRow.objects.values_list("source_table", "source_pk")) == {
        ("workshops_hostsession", str(link.pk)),
        ("tutoring_sessionrequest", str(request.pk)),
    }
    assert_nothing_lost(before, created={"workshops_workshoprun": 1})
    default = WorkshopRun.objects.get(workshop=run.workshop, is_default=True)
    seat.refresh_from_db()
    assert (seat.session.run_id, seat.run_id) == (default.pk, default.pk)
