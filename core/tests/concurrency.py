"""Races with real threads: each thread has its own database connection and transaction."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator

from django.db import close_old_connections, connection

from core import checkpoints


def race(count: int, work: Callable[[int], object]) -> list[object]:
    """Run ``work(i)`` in ``count`` threads released together; each has its own connection.

    Returns each thread's result, or the exception it raised.
    """
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # the race reports every outcome, whatever it is
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    close_old_connections()
    return results


# -- making the race happen every time ---------------------------------------------------


@contextlib.contextmanager
def at_checkpoint(name: str, hook: Callable[[], None]) -> Iterator[None]:
    """Run ``hook`` wherever a service passes ``checkpoint(name)`` (``core.checkpoints``)."""
    checkpoints.hooks[name] = hook
    try:
        yield
    finally:
        checkpoints.hooks.pop(name, None)


def lock_waiters() -> int:
    """How many transactions of this database wait for a lock now (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # not this transaction's old view
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def wait_for_lock_waiters(count: int, timeout: float = 30) -> None:
    """Return once ``count`` transactions are queued for a lock; fail after ``timeout``
    seconds. It polls a condition, so it never guesses how long a race takes."""
    deadline = time.monotonic() + timeout
    while lock_waiters() < count:
        assert time.monotonic() < deadline, f"{count} transaction(s) never queued for a lock"
        time.sleep(0.002)


def first_holds_until_queued(waiters: int) -> Callable[[], None]:
    """A checkpoint hook: the first thread to reach it (holding the lock the others
    want) waits there until ``waiters`` others are queued behind it, so every run of the
    test really contends for the lock; later threads pass straight through."""
    first = threading.Lock()

    def hook() -> None:
        if first.acquire(blocking=False):
            wait_for_lock_waiters(waiters)

    return hook


def all_together(count: int) -> Callable[[], None]:
    """A checkpoint hook for a control test with the lock removed: no thread goes on
    until all ``count`` have made their decision, so every one decided on what it read
    before any of them wrote. With the lock in place this would never open (the threads
    queue for the lock before the checkpoint), and fails after 30 seconds."""
    everyone = threading.Barrier(count, timeout=30)

    def hook() -> None:
        everyone.wait()

    return hook


def without_row_locks(monkeypatch) -> None:
    """Switch off every row lock of ``core.locking`` in the modules that took one: the
    rows are read, not locked."""
    from core import locking

    def read_only(queryset):
        return queryset.order_by("pk")

    def ids_only(model, ids, *, using=None):
        wanted = set(ids)
        rows = model._default_manager.using(using).filter(pk__in=wanted)
        return list(rows.order_by("pk").values_list("pk", flat=True)) if wanted else []

    originals = {"locked": (locking.locked, read_only), "lock": (locking.lock, ids_only)}
    for module in list(sys.modules.values()):
        for name, (original, replacement) in originals.items():
            if module is not locking and getattr(module, name, None) is original:
                monkeypatch.setattr(module, name, replacement)
