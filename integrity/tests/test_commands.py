"""`check_integrity` and `repair_integrity`: their contract with the operator."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.urls import reverse

from core import invariants as registry
from core.invariants import Check, Invariant
from core.tests.commands import manage_py, run_command
from integrity.models import IntegrityAudit, QuarantinedRow
from integrity.tests.conftest import row_counts, snapshot
from orders.models import Order
from orders.tests.factories import OrderFactory
from workshops.models import WorkshopSession
from workshops.tests.factories import WorkshopSessionFactory

pytestmark = pytest.mark.django_db

MISSING = 987654
DOWN = "postgres://studyhall@127.0.0.1:1/studyhall"


@pytest.fixture
def miscounted(write_broken):
    """Three sessions whose seats taken disagree with their (no) active seats."""
    sessions = [WorkshopSessionFactory(number=n) for n in (1, 2, 3)]
    write_broken(
        (
            "UPDATE workshops_workshopsession SET seats_taken = 2 WHERE id IN (%s, %s, %s)",
            [session.pk for session in sessions],
        )
    )
    return sessions


def test_a_clean_database_is_exit_0_with_a_table_of_every_invariant(monkeypatch):
    WorkshopSessionFactory()
    result = run_command(monkeypatch, "check_integrity")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].split() == ["invariant", "checked", "violations", "sample", "ids", "seconds"]
    named = [line.split()[0] for line in lines[1:-1] if not line.startswith("fk:")]
    assert sorted(named) == sorted(invariant.name for invariant in registry.registered())
    session_line = next(line for line in lines if line.startswith("session_run_workshop "))
    assert session_line.split()[1:4] == ["1", "0", "–"]
    assert lines[-1] == "All invariants hold."


def test_violations_are_exit_1_with_counts_and_sample_ids(monkeypatch, miscounted):
    result = run_command(monkeypatch, "check_integrity", "--json")
    assert result.code == 1
    body = json.loads(result.out)
    assert body["ok"] is False
    (capacity,) = [item for item in body["invariants"] if item["name"] == "session_capacity"]
    assert capacity["checked"] == 3
    assert capacity["violations"] == 3
    assert capacity["sample_ids"] == sorted(session.pk for session in miscounted)
    assert set(capacity) == {"name", "checked", "violations", "sample_ids", "seconds"}


def test_samples_stop_at_five(monkeypatch, write_broken):
    sessions = [WorkshopSessionFactory(number=n) for n in range(1, 8)]
    write_broken("UPDATE workshops_workshopsession SET seats_taken = 1")
    result = run_command(monkeypatch, "check_integrity", "--json", "--only", "session_capacity")
    (capacity,) = json.loads(result.out)["invariants"]
    assert capacity["violations"] == 7
    assert capacity["sample_ids"] == [session.pk for session in sessions[:5]]


def test_only_runs_the_named_invariants(monkeypatch, miscounted):
    result = run_command(
        monkeypatch, "check_integrity", "--json", "--only", "run_dates", "fk:orders_order.buyer_id"
    )
    assert result.code == 0
    names = [item["name"] for item in json.loads(result.out)["invariants"]]
    assert names == ["run_dates", "fk:orders_order.buyer_id"]


def test_an_unknown_name_is_exit_2_naming_the_valid_ones_and_saves_nothing(monkeypatch):
    result = run_command(monkeypatch, "check_integrity", "--only", "session_capcity")
    assert result.code == 2
    assert result.out == ""
    (line,) = result.err.splitlines()
    assert line.startswith("check_integrity: unknown invariant 'session_capcity'; valid names: ")
    assert "session_capacity" in line and "fk:orders_orderitem.session_id" in line
    assert not IntegrityAudit.objects.exists()


def test_an_unreachable_database_is_exit_3_in_one_line():
    completed = manage_py("check_integrity", DATABASE_URL=DOWN)
    assert completed.returncode == 3
    (line,) = completed.stderr.splitlines()
    assert line.startswith("check_integrity: cannot reach the database at 127.0.0.1:1 (")
    completed = manage_py("repair_integrity", "--no-input", DATABASE_URL=DOWN)
    assert completed.returncode == 3


def test_a_bad_name_is_exit_2_even_when_the_database_is_down():
    completed = manage_py("repair_integrity", "--only", "nope", DATABASE_URL=DOWN)
    assert completed.returncode == 2
    assert "unknown invariant 'nope'" in completed.stderr


def test_the_audit_touches_no_domain_table_and_saves_one_record(monkeypatch, miscounted):
    before = snapshot()
    written = _rows_written_in_this_transaction()
    result = run_command(monkeypatch, "check_integrity")
    assert result.code == 1
    assert snapshot() == before
    assert _rows_written_in_this_transaction() == written
    audit = IntegrityAudit.objects.get()
    assert (audit.ok, audit.violations, audit.partial) == (False, 3, False)


def _rows_written_in_this_transaction() -> dict[str, int]:
    """PostgreSQL counts each table's inserts, updates and deletes of the open
    transaction: a write that left the same values behind shows here too."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE relname <> 'integrity_integrityaudit'"
        )
        return dict(cursor.fetchall())


@pytest.mark.postgres
def test_the_audit_runs_in_a_read_only_transaction(monkeypatch):
    """A check that tried to write (here, by advancing a sequence) is refused."""
    writer = Invariant(
        name="writes",
        description="a check that writes",
        checks=(Check(table="orders_order", condition="nextval('orders_order_id_seq') > 0"),),
    )
    monkeypatch.setattr("integrity.checks.selected", lambda only=None: [writer])
    monkeypatch.setattr(
        "integrity.management.commands.check_integrity.selected", lambda only=None: [writer]
    )
    OrderFactory()
    result = run_command(monkeypatch, "check_integrity")
    assert result.code == 3
    assert "read-only transaction" in result.err


def test_healthz_reports_the_last_full_audit_and_stays_healthy(client, monkeypatch, miscounted):
    assert client.get(reverse("healthz")).json()["integrity"] == {
        "ok": None,
        "checked_at": None,
        "violations": None,
    }
    run_command(monkeypatch, "check_integrity")
    run_command(monkeypatch, "check_integrity", "--only", "run_dates")  # partial: not shown
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    full = IntegrityAudit.objects.get(partial=False)
    assert body["integrity"] == {
        "ok": False,
        "checked_at": full.checked_at.isoformat(),
        "violations": 3,
    }


def test_healthz_reads_one_row_not_an_audit(client, django_assert_max_num_queries, miscounted):
    client.get(reverse("healthz"))  # warm up the migration loader's own queries
    with django_assert_max_num_queries(4 + 4):  # and four for the queue (emails)
        client.get(reverse("healthz"))


# -- the foreign-key pass --------------------------------------------------------------


def test_orphans_behind_a_foreign_key_the_database_does_not_enforce_are_found(
    monkeypatch, write_broken
):
    order = OrderFactory()
    if connection.vendor == "postgresql":
        # As a large table gets its key: added NOT VALID over rows already there.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'orders_order'::regclass "
                "AND contype = 'f'"
            )
            (name,) = [row[0] for row in cursor.fetchall()]
            cursor.execute(f"ALTER TABLE orders_order DROP CONSTRAINT {name}")
            cursor.execute(
                "UPDATE orders_order SET buyer_id = %s WHERE id = %s", [MISSING, order.pk]
            )
            cursor.execute(
                f"ALTER TABLE orders_order ADD CONSTRAINT {name} FOREIGN KEY (buyer_id) "
                "REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED NOT VALID"
            )
    else:
        write_broken(("UPDATE orders_order SET buyer_id = %s WHERE id = %s", [MISSING, order.pk]))
    result = run_command(monkeypatch, "check_integrity", "--json")
    assert result.code == 1
    found = {item["name"]: item for item in json.loads(result.out)["invariants"]}
    assert found["fk:orders_order.buyer_id"]["violations"] == 1
    assert found["fk:orders_order.buyer_id"]["sample_ids"] == [order.pk]

    before = row_counts()
    result = run_command(
        monkeypatch, "repair_integrity", "--no-input", "--only", "fk:orders_order.buyer_id"
    )
    assert result.code == 0
    held = QuarantinedRow.objects.get()
    assert (held.source_table, held.source_pk) == ("orders_order", str(order.pk))
    assert held.data["buyer_id"] == MISSING
    assert held.reason == ("fk:orders_order.buyer_id: its buyer_id points at no row of auth_user")
    assert row_counts()["orders_order"] == before["orders_order"] - 1


@pytest.mark.postgres
def test_foreign_keys_postgresql_enforces_are_not_audited_by_default(monkeypatch):
    result = run_command(monkeypatch, "check_integrity", "--json")
    names = [item["name"] for item in json.loads(result.out)["invariants"]]
    assert names == [invariant.name for invariant in registry.registered()]


# -- repair_integrity ------------------------------------------------------------------


def test_repair_asks_first_and_a_no_changes_nothing(monkeypatch, miscounted):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    before = snapshot()
    result = run_command(monkeypatch, "repair_integrity")
    assert result.code == 0
    assert "  session_capacity: 3 violation(s)" in result.out
    assert "    3 seats taken recounted from the active seats" in result.out
    assert result.out.endswith("Nothing was changed.\n")
    assert snapshot() == before


def test_repair_goes_ahead_on_yes(monkeypatch, miscounted):
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    result = run_command(monkeypatch, "repair_integrity")
    assert result.code == 0
    assert "  session_capacity: 3 fixed, 0 quarantined, 0 reported" in result.out
    assert set(WorkshopSession.objects.values_list("seats_taken", flat=True)) == {0}


def test_repair_works_in_batches_and_shows_progress(monkeypatch, miscounted):
    monkeypatch.setattr("integrity.management.commands.repair_integrity.PROGRESS_EVERY", -1)
    result = run_command(monkeypatch, "repair_integrity", "--no-input", "--batch-size", "1")
    assert result.code == 0
    progress = [line for line in result.err.splitlines() if line.startswith("session_capacity")]
    assert [line.split(" rows done")[0] for line in progress] == [
        "session_capacity: 1",
        "session_capacity: 2",
        "session_capacity: 3",
    ]
    assert all(line.endswith("rows/s") for line in progress)
    assert set(WorkshopSession.objects.values_list("seats_taken", flat=True)) == {0}


@pytest.mark.parametrize("size", ["0", "-1", "ten", "10001", "99999999999999999999"])
def test_a_bad_batch_size_is_exit_2(monkeypatch, size):
    result = run_command(monkeypatch, "repair_integrity", "--no-input", "--batch-size", size)
    assert result.code == 2
    assert result.err.startswith("repair_integrity: --batch-size must be a whole number")


def test_a_dry_run_in_json_writes_nothing_and_says_what_it_would_do(monkeypatch, miscounted):
    before = snapshot()
    result = run_command(monkeypatch, "repair_integrity", "--dry-run", "--json")
    assert result.code == 0
    body = json.loads(result.out)
    assert body["dry_run"] is True and body["repaired"] == []
    (line,) = [line for line in body["plan"] if line["name"] == "session_capacity"]
    assert (line["violations"], line["fix"], line["quarantine"], line["report"]) == (3, 3, 0, 0)
    assert snapshot() == before
    assert not QuarantinedRow.objects.exists()
    assert not IntegrityAudit.objects.exists()


def test_a_session_with_seats_is_quarantined_with_them(monkeypatch, write_broken):
    from orders.tests.factories import SeatFactory

    session = WorkshopSessionFactory()
    seats = [SeatFactory(session=session) for _ in range(2)]
    write_broken(
        (
            "UPDATE workshops_workshopsession SET workshop_id = %s WHERE id = %s",
            [MISSING, session.pk],
        )
    )
    result = run_command(monkeypatch, "repair_integrity", "--no-input", "--json")
    assert result.code == 0
    held = dict(QuarantinedRow.objects.values_list("source_table", "source_pk").order_by("id")[:0])
    held = list(
        QuarantinedRow.objects.order_by("id").values_list("source_table", "source_pk", "reason")
    )
    assert held[0][:2] == ("workshops_workshopsession", str(session.pk))
    assert sorted(row[:2] for row in held[1:]) == sorted(
        ("orders_orderitem", str(seat.pk)) for seat in seats
    )
    assert all(
        row[2].startswith(f"it depends on workshops_workshopsession #{session.pk}, quarantined")
        for row in held[1:]
    )
    assert Order.objects.count() == 2  # the orders stay; only their seats went with it


def test_repairing_one_foreign_key_uses_the_safe_repair_before_the_quarantine(
    monkeypatch, write_broken
):
    """A booked session whose run is gone goes to its workshop's default run, seats and
    all, even when the operator asks only for the run key's generic pass."""
    from orders.models import OrderItem
    from orders.tests.factories import SeatFactory
    from workshops.models import WorkshopRun, WorkshopSession
    from workshops.tests.factories import WorkshopSessionFactory

    session = WorkshopSessionFactory()
    seat = SeatFactory(session=session)
    write_broken(
        ("UPDATE workshops_workshopsession SET run_id = %s WHERE id = %s", [987654, session.pk])
    )
    result = run_command(
        monkeypatch,
        "repair_integrity",
        "--no-input",
        "--only",
        "fk:workshops_workshopsession.run_id",
    )
    assert result.code == 0
    default = WorkshopRun.objects.get(workshop=session.workshop, is_default=True)
    assert WorkshopSession.objects.get(pk=session.pk).run_id == default.pk
    assert OrderItem.objects.filter(pk=seat.pk).exists()
    assert not QuarantinedRow.objects.exists()


def test_a_sqlite_file_that_is_not_there_is_exit_3_and_stays_not_there(tmp_path):
    missing = tmp_path / "typo.sqlite3"
    completed = manage_py("check_integrity", DATABASE_URL=f"sqlite:///{missing}")
    assert completed.returncode == 3
    assert completed.stderr.strip().splitlines() == [
        f"check_integrity: cannot reach the database at the SQLite file {missing} (no such "
        "file). Does DATABASE_URL point at it?"
    ]
    assert not missing.exists()


def test_host_links_of_cancelled_sessions_are_a_notice_not_a_violation(monkeypatch):
    from orders.services.cancellation import sessions_cancel
    from workshops.services import host_link_provision

    kept = WorkshopSessionFactory(number=1)
    cancelled = WorkshopSessionFactory(number=2)
    host_link_provision(session_id=kept.pk)
    link = host_link_provision(session_id=cancelled.pk).link
    sessions_cancel(session_ids=[cancelled.pk])
    result = run_command(monkeypatch, "check_integrity", "--json")
    assert result.code == 0, result.out
    notices = {n["name"]: n for n in json.loads(result.out)["notices"]}
    assert (
        notices["host_link_cancelled_session"]["rows"],
        notices["host_link_cancelled_session"]["sample_ids"],
    ) == (1, [link.pk])
