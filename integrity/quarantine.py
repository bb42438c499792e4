"""Taking rows out of their table into ``QuarantinedRow``, and putting them back.

A row is never quarantined alone when others depend on it: every row that points at
it through a foreign key (a session's seats and host link, a conversation's
messages, and theirs in turn) is copied and removed with it, in the same transaction.
Each row keeps its original values, column by column, and a reason. Nothing is
deleted without its copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from core import invariants as registry
from integrity.checks import foreign_keys
from integrity.models import QuarantinedRow


def model_for_table(table: str) -> type[Model] | None:
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table == table and not model._meta.proxy:
            return model
    return None


def dependents_of(model: type[Model]) -> list[tuple[type[Model], str, str]]:
    """(model, its column, the target column here) for each foreign key into ``model``."""
    found = []
    for other in apps.get_models(include_auto_created=True):
        if other._meta.proxy:
            continue
        for field in other._meta.concrete_fields:
            if (
                field.is_relation
                and (field.many_to_one or field.one_to_one)
                and field.related_model is not None
                and field.related_model._meta.db_table == model._meta.db_table
            ):
                found.append((other, field.column, field.target_field.column))
    return found


def row_data(model: type[Model], pks: Sequence[Any]) -> dict[Any, dict[str, Any]]:
    """The rows as they are, column by column, keyed by primary key."""
    fields = model._meta.concrete_fields
    # No ordering: a model's default ordering may join the very row that is missing.
    rows = (
        model._base_manager.filter(pk__in=pks).order_by().values_list(*[f.attname for f in fields])
    )
    pk_index = [f.attname for f in fields].index(model._meta.pk.attname)
    return {
        row[pk_index]: {f.column: value for f, value in zip(fields, row, strict=True)}
        for row in rows
    }


@dataclass
class Taken:
    model: type[Model]
    pk: Any
    data: dict[str, Any]
    reason: str


def quarantine(table: str, pks: Sequence[Any], reason: str) -> int:
    """Move the rows, and every row that depends on them, to the quarantine, in the
    caller's transaction. Returns how many rows were taken."""
    model = model_for_table(table)
    if model is None:
        raise LookupError(f"No model stores the table {table}.")
    taken: list[Taken] = []
    seen: set[tuple[str, Any]] = set()
    # Raw SQL gives a UUID as SQLite stores it (hex); the ORM gives a UUID.
    _collect(model, [model._meta.pk.to_python(pk) for pk in pks], reason, taken, seen)
    now = timezone.now()
    QuarantinedRow.objects.bulk_create(
        QuarantinedRow(
            source_table=row.model._meta.db_table,
            source_pk=str(row.pk),
            data=row.data,
            reason=row.reason,
            created_at=now,
        )
        for row in taken
    )
    # Dependents were collected after the rows they depend on: remove them first.
    by_table: dict[type[Model], list[Any]] = {}
    for row in reversed(taken):
        by_table.setdefault(row.model, []).append(row.pk)
    with connection.cursor() as cursor:
        for dependent, rows in by_table.items():
            pk = dependent._meta.pk
            pk_column = pk.column
            values = [pk.get_db_prep_value(value, connection) for value in rows]
            for start in range(0, len(values), 1000):
                chunk = values[start : start + 1000]
                cursor.execute(
                    f"DELETE FROM {dependent._meta.db_table} WHERE {pk_column} IN "
                    f"({registry.placeholders(chunk)})",
                    chunk,
                )
        _recount_what_counted(cursor, taken)
    return len(taken)


def _recount_what_counted(cursor, taken: list[Taken]) -> None:
    """The counters that counted the rows taken (a session's seats taken, a
    conversation's messages) are fixed in the same transaction, as the repair would
    fix them: PostgreSQL checks them when it commits."""
    gone = {(row.model._meta.db_table, row.pk) for row in taken}
    for invariant in registry.registered():
        counted = [row for row in taken if row.model._meta.db_table in invariant.counts]
        if not counted:
            continue
        for check in invariant.checks:
            if not any(isinstance(action, registry.Fix) for action in check.actions):
                continue
            parents = set()
            for row in counted:
                for field in row.model._meta.concrete_fields:
                    if (
                        field.is_relation
                        and field.many_to_one
                        and field.related_model._meta.db_table == check.table
                    ):
                        value = field.target_field.to_python(row.data[field.column])
                        if value is not None and (check.table, value) not in gone:
                            parents.add(field.target_field.get_db_prep_value(value, connection))
            for value in sorted(parents, key=str):
                cursor.execute(
                    f"SELECT t.{check.pk} FROM {check.table} t "
                    f"WHERE t.{check.pk} = %s AND {check.condition}",
                    [value],
                )
                found = [pk for (pk,) in cursor.fetchall()]
                if found and isinstance(
                    action := _first_claiming(cursor, check, found), registry.Fix
                ):
                    action.apply(cursor, found)


def _collect(model, pks, reasons, taken, seen) -> None:
    """Take ``pks`` of ``model`` (``reasons`` maps each to its reason, or is one reason
    for all), then, recursively, every row pointing at them."""
    data = row_data(model, pks)
    table = model._meta.db_table
    fresh = [pk for pk in pks if pk in data and (table, pk) not in seen]
    for pk in fresh:
        seen.add((table, pk))
        reason = reasons if isinstance(reasons, str) else reasons[pk]
        taken.append(Taken(model, pk, data[pk], reason))
    if not fresh:
        return
    for dependent, column, target_column in dependents_of(model):
        parent_of = {data[pk][target_column]: pk for pk in fresh}
        targets = list(parent_of)
        for start in range(0, len(targets), 1000):
            chunk = targets[start : start + 1000]
            found = dict(
                dependent._base_manager.filter(**{f"{column}__in": chunk})
                .order_by("pk")
                .values_list("pk", column)
            )
            if not found:
                continue
            because = {}
            for pk, target in found.items():
                parent_pk = parent_of[target]
                root = reasons if isinstance(reasons, str) else reasons[parent_pk]
                because[pk] = f"it depends on {table} #{parent_pk}, quarantined with it. {root}"
            _collect(dependent, list(found), because, taken, seen)


class RestoreRefused(Exception):
    pass


def quarantined_row_restore(*, row: QuarantinedRow) -> None:
    """Put a quarantined row back in its table, once its cause is fixed.

    In a savepoint: the row is inserted with its original values; the database's own
    constraints are checked at once, then every named invariant on that row and on the
    rows it points at. What the repair would fix (the seat counter of a session that
    gets a seat back, or a session back without its seats yet) is fixed the same way;
    anything else still broken undoes the insert and says why (``RestoreRefused``). So a
    session quarantined with its seats comes back first, then its seats, one by one.
    """
    if row.restored_at is not None:
        raise RestoreRefused(f"{row} was already restored.")
    model = model_for_table(row.source_table)
    if model is None:
        raise RestoreRefused(f"No model stores the table {row.source_table}.")
    fields = {f.column: f for f in model._meta.concrete_fields}
    unknown = set(row.data) - set(fields)
    if unknown:
        raise RestoreRefused(
            f"{row} was kept in an older shape (columns {', '.join(sorted(unknown))}); "
            "restore it by hand."
        )
    try:
        values = {
            fields[column].attname: fields[column].to_python(v) for column, v in row.data.items()
        }
        instance = model(**values)
    except Exception as error:  # a value the field no longer accepts
        raise RestoreRefused(f"{row}: {error}") from None
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                _lock_counted(cursor, model, instance)
            model._base_manager.bulk_create([instance])
            with connection.cursor() as cursor:
                pk = model._meta.pk.get_db_prep_value(instance.pk, connection)
                broken = _foreign_key_broken(cursor, model, pk) or _settle(
                    cursor, _touched(model, instance)
                )
                if broken:
                    raise RestoreRefused(f"{row} still breaks {broken}.")
                # The counters are settled: now the database's own deferred checks, so
                # what it refuses is refused here, in words, not at the final commit.
                _deferred_checks_now(cursor)
            row.restored_at = timezone.now()
            row.save(update_fields=["restored_at"])
    except DatabaseError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise RestoreRefused(f"{row}: the database refused it ({first}).") from None


def _deferred_checks_now(cursor) -> None:
    """Run PostgreSQL's deferred checks (foreign keys, the counters' triggers) on what
    this transaction wrote so far, then give each constraint its own timing back, so
    the next row restored in the same transaction is checked as this one was."""
    if connection.vendor != "postgresql":
        return
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    cursor.execute(
        "SELECT DISTINCT quote_ident(conname) FROM pg_constraint "
        "WHERE condeferrable AND NOT condeferred AND connamespace = 'public'::regnamespace"
    )
    immediate = [name for (name,) in cursor.fetchall()]
    if immediate:
        cursor.execute(f"SET CONSTRAINTS {', '.join(immediate)} IMMEDIATE")


def _foreign_key_broken(cursor, model, pk) -> str | None:
    """The first foreign key the row breaks. SQLite defers its foreign keys to COMMIT,
    so they are asked here too."""
    table = model._meta.db_table
    for key in foreign_keys():
        if key.table == table:
            (check,) = key.invariant().checks
            cursor.execute(
                f"SELECT 1 FROM {table} t WHERE t.{check.pk} = %s AND {check.condition}", [pk]
            )
            if cursor.fetchone():
                return key.name
    return None


def _parents(model, instance) -> list[tuple[str, str, Any]]:
    """(table, column, value as the database takes it) of each row ``instance`` points
    at."""
    return [
        (
            field.related_model._meta.db_table,
            field.target_field.column,
            field.target_field.get_db_prep_value(getattr(instance, field.attname), connection),
        )
        for field in model._meta.concrete_fields
        if field.is_relation
        and (field.many_to_one or field.one_to_one)
        and getattr(instance, field.attname) is not None
    ]


def _lock_counted(cursor, model, instance) -> None:
    """Lock, before the row goes back, the rows whose counters count it (a seat's
    session), so a restore takes its locks in the order every booking path does:
    sessions first, then the order and its seats."""
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    counters = {
        check.table
        for invariant in registry.registered()
        if table in invariant.counts
        for check in invariant.checks
    }
    for parent, column, value in _parents(model, instance):
        if parent in counters:
            cursor.execute(f"SELECT 1 FROM {parent} WHERE {column} = %s FOR UPDATE", [value])


def _touched(model, instance) -> list[tuple[str, str, Any]]:
    """(table, column, value) of the restored row, then of each row it points at."""
    pk = model._meta.pk.get_db_prep_value(instance.pk, connection)
    return [(model._meta.db_table, model._meta.pk.column, pk), *_parents(model, instance)]


def _settle(cursor, rows) -> str | None:
    """Check each row against every named invariant on its table. A violation whose
    first claiming action is a fix is fixed (as the repair would), then checked again;
    any other violation is returned by name."""
    for table, column, value in rows:
        for invariant in registry.registered():
            for check in invariant.checks:
                if check.table != table:
                    continue
                where = f"FROM {table} t WHERE t.{column} = %s AND {check.condition}"
                cursor.execute(f"SELECT t.{check.pk} {where}", [value])
                found = [pk for (pk,) in cursor.fetchall()]
                if not found:
                    continue
                action = _first_claiming(cursor, check, found)
                if not isinstance(action, registry.Fix):
                    return invariant.name
                action.apply(cursor, found)
                cursor.execute(f"SELECT 1 {where}", [value])
                if cursor.fetchone():
                    return invariant.name
    return None


def _first_claiming(cursor, check, pks):
    """The first of the check's actions whose condition holds for these rows."""
    for action in check.actions:
        if not action.when:
            return action
        cursor.execute(
            f"SELECT 1 FROM {check.table} t WHERE t.{check.pk} IN "
            f"({registry.placeholders(pks)}) AND {registry.claims(action)}",
            list(pks),
        )
        if cursor.fetchone():
            return action
    return None
