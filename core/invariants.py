"""The invariant registry: every named rule of docs/invariants.md, declared by the app
that owns it, in its own ``invariants.py``.

An invariant is one or more checks. A check names a table and a SQL condition that is
true for a row breaking the rule (written over the alias ``t``, with ``NOT EXISTS``
anti-joins, never ``NOT IN``, which finds nothing once a NULL is involved). The audit
counts the table's rows and those that match, in one scan. A check also lists what
the repair does with a violating row, in order, first match wins:

- ``Fix``: a set-based statement over a batch of ids that makes the row true again;
- ``Quarantine``: the row (and every row that depends on it) is copied to
  ``integrity.QuarantinedRow`` with a reason, then leaves its table;
- ``Report``: no safe repair; the row stays and is reported.

A violating row no action claims is reported too. The engine that runs them
(``integrity.audit``, ``integrity.repair``) lives in the integrity app; apps declare
here and import nothing from it. The integrity app imports each app's
``invariants`` module when Django starts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# A fix runs on an open cursor with the ids of one batch of violating rows.
FixFunction = Callable[[Any, Sequence[Any]], None]


@dataclass(frozen=True)
class Fix:
    does: str  # for the plan: "moved to their workshop's default run"
    apply: FixFunction
    when: str = ""  # a SQL condition over ``t``; empty means every violating row


@dataclass(frozen=True)
class Quarantine:
    reason: str  # stored with each row; the invariant's name is put in front
    when: str = ""


@dataclass(frozen=True)
class Report:
    why: str  # for the plan and the report: why the row is left as it is
    when: str = ""


Action = Fix | Quarantine | Report


def claims(action: Action) -> str:
    """SQL over ``t``, true for the violating rows ``action`` takes (all when it has no
    condition; a condition that is NULL takes none)."""
    return f"COALESCE(({action.when}), FALSE)" if action.when else "TRUE"


@dataclass(frozen=True)
class Check:
    table: str
    condition: str
    actions: tuple[Action, ...] = ()
    pk: str = "id"


@dataclass(frozen=True)
class Invariant:
    name: str
    description: str
    checks: tuple[Check, ...]
    # Repairs run in this order, so that one repair's result (a session's run) is in
    # place before another reads it (its seats' run).
    order: int = 100
    tags: frozenset[str] = field(default_factory=frozenset)
    # Tables whose rows this invariant counts (a session's seats): a repair that may
    # take such rows away is followed by this one, even when only that repair is asked.
    counts: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Notice:
    """Not a broken rule, but rows staff should look at: the audit counts and names them
    beside the invariants, they never make it fail, and the repair leaves them alone
    (what is right for them is a person's decision). ``condition`` is SQL over ``t``, as
    a check's, and may name the business's date as ``{today}``."""

    name: str
    description: str
    table: str
    condition: str
    where_to_look: str  # for staff: where the admin lists these rows
    pk: str = "id"


_registry: dict[str, Invariant] = {}
_notices: dict[str, Notice] = {}


def register(*invariants: Invariant) -> None:
    for invariant in invariants:
        if invariant.name in _registry and _registry[invariant.name] is not invariant:
            raise ValueError(f"Invariant {invariant.name!r} is declared twice.")
        _registry[invariant.name] = invariant


def register_notices(*notices: Notice) -> None:
    for notice in notices:
        if notice.name in _notices and _notices[notice.name] is not notice:
            raise ValueError(f"Notice {notice.name!r} is declared twice.")
        _notices[notice.name] = notice


def registered_notices() -> list[Notice]:
    return sorted(_notices.values(), key=lambda notice: notice.name)


def registered() -> list[Invariant]:
    """The named invariants, in repair order."""
    return sorted(_registry.values(), key=lambda invariant: (invariant.order, invariant.name))


def get(name: str) -> Invariant | None:
    return _registry.get(name)


def sql_least(vendor: str) -> str:
    """The SQL function for the smaller of two values: ``LEAST`` or SQLite's ``MIN``."""
    return "MIN" if vendor == "sqlite" else "LEAST"


def sql_greatest(vendor: str) -> str:
    return "MAX" if vendor == "sqlite" else "GREATEST"


def placeholders(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))
