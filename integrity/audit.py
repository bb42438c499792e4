"""The audit: each invariant's violations counted, with samples, in a READ ONLY
transaction, then one ``IntegrityAudit`` record saved.

Per check, at most two statements: the table's row count (once per table), and the
violating rows as one anti-join that returns the count with the first five ids (a
window over the whole result, sorted only for the top five), so the audit costs
about what the bare anti-joins cost.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from core.invariants import Check, Invariant, Notice
from integrity.models import IntegrityAudit

SAMPLES = 5


@dataclass
class Finding:
    name: str
    checked: int = 0
    violations: int = 0
    sample_ids: list[Any] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@contextmanager
def read_only() -> Iterator[None]:
    """One transaction in which the database refuses every write. It is rolled back at
    the end (it wrote nothing), which also ends READ ONLY when it runs inside an outer
    transaction, as a savepoint."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET TRANSACTION READ ONLY")
            else:
                cursor.execute("PRAGMA query_only = ON")
        try:
            yield
        finally:
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA query_only = OFF")
            transaction.set_rollback(True)


def violations_sql(check: Check) -> str:
    return f"SELECT t.{check.pk} FROM {check.table} t WHERE {check.condition}"


def check_count(cursor, check: Check, counted: dict[str, int]) -> tuple[int, int, list[Any]]:
    """(rows checked, violations, up to five sample ids) for one check. ``counted``
    keeps each table's row count for the rest of the audit: one scan per table."""
    if check.table not in counted:
        cursor.execute(f"SELECT COUNT(*) FROM {check.table}")
        (counted[check.table],) = cursor.fetchone()
    checked = counted[check.table]
    cursor.execute(
        f"SELECT v.{check.pk}, COUNT(*) OVER () FROM ({violations_sql(check)}) v "
        f"ORDER BY v.{check.pk} LIMIT {SAMPLES}"
    )
    rows = cursor.fetchall()
    violations = rows[0][1] if rows else 0
    return checked, violations, [_plain(row[0]) for row in rows]


def _plain(value: Any) -> Any:
    return value if isinstance(value, int | str) else str(value)


def audit_one(cursor, invariant: Invariant, counted: dict[str, int]) -> Finding:
    finding = Finding(invariant.name)
    started = time.perf_counter()
    for check in invariant.checks:
        checked, violations, samples = check_count(cursor, check, counted)
        finding.checked += checked
        finding.violations += violations
        finding.sample_ids.extend(samples[: SAMPLES - len(finding.sample_ids)])
    finding.seconds = round(time.perf_counter() - started, 3)
    return finding


def audit_notices(notices: list[Notice], *, today: datetime.date | None = None) -> list[Finding]:
    """Count and name each notice's rows, reading only. ``{today}`` in a condition is
    the business's date."""
    today = today or timezone.localdate()
    counted: dict[str, int] = {}
    findings = []
    with read_only(), connection.cursor() as cursor:
        for notice in notices:
            check = Check(
                table=notice.table,
                condition=notice.condition.replace("{today}", f"'{today.isoformat()}'"),
                pk=notice.pk,
            )
            started = time.perf_counter()
            finding = Finding(notice.name)
            finding.checked, finding.violations, finding.sample_ids = check_count(
                cursor, check, counted
            )
            finding.seconds = round(time.perf_counter() - started, 3)
            findings.append(finding)
    return findings


def audit(invariants: list[Invariant]) -> list[Finding]:
    """Audit each invariant, reading only."""
    counted: dict[str, int] = {}
    with read_only(), connection.cursor() as cursor:
        return [audit_one(cursor, invariant, counted) for invariant in invariants]


def audit_record(findings: list[Finding], *, only: list[str] | None, seconds: float) -> None:
    """Save the audit's outcome, after its read-only transaction; /healthz reads it."""
    IntegrityAudit.objects.create(
        checked_at=timezone.now(),
        ok=not any(finding.violations for finding in findings),
        violations=sum(finding.violations for finding in findings),
        partial=bool(only),
        seconds=round(seconds, 3),
        invariants=[finding.as_dict() for finding in findings],
    )


def last_audit_report() -> dict[str, Any]:
    """The /healthz section: the last full audit, one indexed row. Informative only:
    violations never make the health check unhealthy."""
    last = (
        IntegrityAudit.objects.filter(partial=False)
        .order_by("-checked_at")
        .values("ok", "checked_at", "violations")
        .first()
    )
    if last is None:
        return {"ok": None, "checked_at": None, "violations": None}
    return {**last, "checked_at": last["checked_at"].isoformat()}
