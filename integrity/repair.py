"""The repair: what each invariant's actions would do (the plan, read-only), and doing
it, in batches.

Each check walks its violating rows by primary key, a batch at a time, each batch in
its own short transaction (on PostgreSQL its rows locked, in id order, as the booking
paths lock sessions). Within a batch, each action takes the rows its condition
matches, first match wins: a fix is one statement, a quarantine takes the rows and
their dependents, a report leaves them. A second run finds nothing to do, since every
fixed or quarantined row no longer matches, and reported rows are reported again.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from core.invariants import Check, Fix, Invariant, Quarantine, Report, claims, placeholders
from integrity.audit import read_only
from integrity.quarantine import quarantine

NO_REPAIR = "no safe repair is known for it"

Progress = Callable[[str, int, float], None]


@dataclass
class PlanLine:
    name: str
    violations: int = 0
    fix: int = 0
    quarantine: int = 0
    report: int = 0
    actions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Outcome:
    name: str
    fixed: int = 0
    quarantined: int = 0  # rows taken, their dependents included
    reported: int = 0
    reasons: Counter = field(default_factory=Counter)  # why rows were reported
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "fixed": self.fixed,
            "quarantined": self.quarantined,
            "reported": self.reported,
            "reported_because": dict(self.reasons),
            "seconds": self.seconds,
        }


def _kind(action) -> str:
    return {Fix: "fix", Quarantine: "quarantine", Report: "report"}[type(action)]


def _what(action) -> str:
    if isinstance(action, Fix):
        return action.does
    if isinstance(action, Quarantine):
        return f"quarantined: {action.reason}"
    return f"reported: {action.why}"


def plan(invariants: list[Invariant]) -> list[PlanLine]:
    """How many violating rows each action would take, reading only."""
    lines = []
    with read_only(), connection.cursor() as cursor:
        for invariant in invariants:
            line = PlanLine(invariant.name)
            for check in invariant.checks:
                cursor.execute(f"SELECT COUNT(*) FROM {check.table} t WHERE {check.condition}")
                (violations,) = cursor.fetchone()
                line.violations += violations
                claimed = 0
                earlier: list[str] = []
                for action in check.actions:
                    if not violations:
                        break
                    excluded = "".join(f" AND NOT {clause}" for clause in earlier)
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {check.table} t WHERE {check.condition} "
                        f"AND {claims(action)}{excluded}"
                    )
                    (count,) = cursor.fetchone()
                    earlier.append(claims(action))
                    claimed += count
                    setattr(line, _kind(action), getattr(line, _kind(action)) + count)
                    if count:
                        line.actions.append({"rows": count, "action": _what(action)})
                if violations - claimed:
                    line.report += violations - claimed
                    line.actions.append(
                        {"rows": violations - claimed, "action": f"reported: {NO_REPAIR}"}
                    )
            lines.append(line)
    return lines


def repair(
    invariants: list[Invariant], *, batch_size: int, progress: Progress | None = None
) -> list[Outcome]:
    outcomes = []
    for invariant in invariants:
        outcome = Outcome(invariant.name)
        started = time.perf_counter()
        for check in invariant.checks:
            _repair_check(invariant, check, outcome, batch_size, progress, started)
        outcome.seconds = round(time.perf_counter() - started, 3)
        outcomes.append(outcome)
    return outcomes


def _repair_check(invariant, check: Check, outcome, batch_size, progress, started) -> None:
    lock = " FOR UPDATE OF t" if connection.vendor == "postgresql" else ""
    last = None
    done = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            after = f" AND t.{check.pk} > %s" if last is not None else ""
            cursor.execute(
                f"SELECT t.{check.pk} FROM {check.table} t WHERE {check.condition}{after} "
                f"ORDER BY t.{check.pk} LIMIT {int(batch_size)}{lock}",
                [last] if last is not None else [],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return
            remaining = ids
            for action in check.actions:
                if not remaining:
                    break
                if action.when:
                    cursor.execute(
                        f"SELECT t.{check.pk} FROM {check.table} t WHERE t.{check.pk} IN "
                        f"({placeholders(remaining)}) AND {claims(action)}",
                        remaining,
                    )
                    claimed = {row[0] for row in cursor.fetchall()}
                    taken = [pk for pk in remaining if pk in claimed]
                else:
                    taken = remaining
                if not taken:
                    continue
                if isinstance(action, Fix):
                    action.apply(cursor, taken)
                    outcome.fixed += len(taken)
                elif isinstance(action, Quarantine):
                    outcome.quarantined += quarantine(
                        check.table, taken, f"{invariant.name}: {action.reason}"
                    )
                else:
                    outcome.reported += len(taken)
                    outcome.reasons[action.why] += len(taken)
                taken_set = set(taken)
                remaining = [pk for pk in remaining if pk not in taken_set]
            if remaining:
                outcome.reported += len(remaining)
                outcome.reasons[NO_REPAIR] += len(remaining)
        last = ids[-1]
        done += len(ids)
        if progress is not None:
            progress(invariant.name, done, time.perf_counter() - started)
