"""Row locks, taken one way (pretix's ``lock_objects``): ``SELECT … FOR UPDATE`` of the
rows' own table only, in id order, so two writers that lock the same rows never wait
for each other in a circle.

How long a statement waits for a lock is the connection's ``lock_timeout``
(``STUDYHALL_DB_LOCK_TIMEOUT``, set when a PostgreSQL connection opens: no extra round
trip per request). A lock held longer is an error the pages answer with 503 and
``Retry-After`` and the commands with exit code 3, never a hung worker. SQLite has no
row locks: its transactions take the database's write lock when they begin.

Queues do not wait either: ``first_free`` takes the first row no other transaction
holds (``SKIP LOCKED``), so two workers never take one email. ``purge_chat_logs``
skips a conversation being written the same way. ``tests/test_architecture.py`` fails
on any other ``select_for_update``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model, QuerySet


def locked[M: Model](queryset: QuerySet[M]) -> QuerySet[M]:
    """``queryset`` to be read with its rows locked for the rest of the transaction, in
    id order. Joined tables (``select_related``) are read, not locked."""
    return queryset.select_for_update(of=("self",)).order_by("pk")


def lock(model: type[Model], ids: Iterable[Any], *, using: str | None = None) -> list[Any]:
    """Lock the rows of ``model`` with these ids, in id order; the ids that exist."""
    wanted = set(ids)
    if not wanted:
        return []
    rows = model._default_manager.using(using).filter(pk__in=wanted)
    return list(locked(rows).values_list("pk", flat=True))


def first_free[M: Model](queryset: QuerySet[M]) -> M | None:
    """The first row of ``queryset`` (in its order) that no other transaction holds,
    locked for the rest of this one; ``None`` when there is none free. For queues: two
    workers asking at once get two different rows, and neither waits. On SQLite, whose
    transactions hold the whole database, it is the first row."""
    return queryset.select_for_update(skip_locked=True, of=("self",)).first()
