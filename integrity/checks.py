"""What the audit and the repair run: the named invariants the apps register, and one
``fk:<table>.<column>`` check per foreign key.

A foreign key the database enforces needs no audit of its own. One it does not is
found by introspection: on SQLite every foreign key, since SQLite checks a row only
as it is written (never the rows already there when ``foreign_keys`` was off, a dump
restored, or a table rebuilt); on PostgreSQL a column whose constraint is missing, was
added ``NOT VALID`` and never validated, or has its triggers disabled. Rows written
with ``session_replication_role = replica`` leave no trace in the catalog: the named
invariants cover the keys that matter, and ``--only fk:...`` audits any key on demand.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import connection

from core import invariants as registry
from core.invariants import Check, Invariant, Notice, Quarantine


@dataclass(frozen=True)
class ForeignKey:
    table: str
    column: str
    pk: str
    target_table: str
    target_column: str

    @property
    def name(self) -> str:
        return f"fk:{self.table}.{self.column}"

    def invariant(self) -> Invariant:
        condition = (
            f"t.{self.column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {self.target_table} p "
            f"WHERE p.{self.target_column} = t.{self.column})"
        )
        return Invariant(
            name=self.name,
            description=f"{self.table}.{self.column} points at a row of {self.target_table}",
            order=500,
            checks=(
                Check(
                    table=self.table,
                    condition=f"({condition})",
                    pk=self.pk,
                    actions=(
                        Quarantine(f"its {self.column} points at no row of {self.target_table}"),
                    ),
                ),
            ),
        )


def foreign_keys() -> list[ForeignKey]:
    """Every single-column foreign key of every installed model, by its tables."""
    keys = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not (field.is_relation and (field.many_to_one or field.one_to_one)):
                continue
            target = field.target_field
            key = ForeignKey(
                table=model._meta.db_table,
                column=field.column,
                pk=model._meta.pk.column,
                target_table=target.model._meta.db_table,
                target_column=target.column,
            )
            keys[key.name] = key
    return sorted(keys.values(), key=lambda key: key.name)


def enforced_foreign_keys() -> set[tuple[str, str]]:
    """``(table, column)`` of each foreign key PostgreSQL enforces now: validated, its
    triggers enabled. Empty on SQLite, which never re-checks rows already stored."""
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT src.relname, a.attname, dst.relname, fa.attname
              FROM pg_constraint c
              JOIN pg_class src ON src.oid = c.conrelid
              JOIN pg_class dst ON dst.oid = c.confrelid
              JOIN LATERAL unnest(c.conkey, c.confkey) AS k(col, fcol) ON TRUE
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
              JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = k.fcol
             WHERE c.contype = 'f' AND c.convalidated
               AND src.relnamespace = 'public'::regnamespace
               AND NOT EXISTS (SELECT 1 FROM pg_trigger tg
                                WHERE tg.tgconstraint = c.oid AND tg.tgenabled = 'D')
            """
        )
        return {(table, column) for table, column, _, _ in cursor.fetchall()}


def all_names() -> list[str]:
    """Every name ``--only`` accepts: the named invariants, the notices, then every
    foreign key."""
    return (
        [invariant.name for invariant in registry.registered()]
        + [notice.name for notice in registry.registered_notices()]
        + [key.name for key in foreign_keys()]
    )


def selected_notices(only: list[str] | None = None) -> list[Notice]:
    """The notices a full audit shows, or those ``--only`` names."""
    notices = registry.registered_notices()
    if only:
        return [notice for notice in notices if notice.name in set(only)]
    return notices


def unknown_names(names: list[str]) -> list[str]:
    known = set(all_names())
    return [name for name in names if name not in known]


def selected(only: list[str] | None = None, *, repairing: bool = False) -> list[Invariant]:
    """What to run: the names asked for (any foreign key, enforced or not), or every
    named invariant and the foreign keys the database does not enforce now.

    A repair of ``fk:<table>.<column>`` first runs the named invariants that check the
    same table: they hold the safe repairs (a session without its run goes to the
    default run), so the generic pass quarantines only what they could not fix. When
    the generic pass may take seats away (with an order whose buyer is missing, say),
    the invariant that counts them follows it."""
    keys = foreign_keys()
    if only:
        wanted = set(only)
        asked = [key for key in keys if key.name in wanted]
        tables = {key.table for key in asked} if repairing else set()
        named = [
            invariant
            for invariant in registry.registered()
            if invariant.name in wanted or tables & {check.table for check in invariant.checks}
        ]
        generic = [key.invariant() for key in asked]
        chosen = named + generic
        if repairing:
            chosen += [count for count in _counters_after(generic, keys) if count not in chosen]
        return _in_order(chosen)
    enforced = enforced_foreign_keys()
    return _in_order(
        registry.registered()
        + [key.invariant() for key in keys if (key.table, key.column) not in enforced]
    )


def _counters_after(chosen: list[Invariant], keys: list[ForeignKey]) -> list[Invariant]:
    """The counting invariants a repair of ``chosen`` may leave stale: it can take rows
    of its tables away, and, with them, every row that depends on them."""
    tables = {check.table for invariant in chosen for check in invariant.checks}
    while True:
        more = {key.table for key in keys if key.target_table in tables} - tables
        if not more:
            break
        tables |= more
    return [invariant for invariant in registry.registered() if invariant.counts & tables]


def _in_order(invariants: list[Invariant]) -> list[Invariant]:
    return sorted(invariants, key=lambda invariant: invariant.order)
