"""Named places inside the services where a test can hold a thread: right after a
decision is made under a lock, before it is written (pretix's ``sleep-after-quota-check``
debug flag, as a hook). The concurrency tests use them to make a race happen every
time instead of hoping a sleep is long enough: one thread holds the lock until the
others are queued for it, or, with the lock removed, every thread is past the check
before any writes.

In production no hook is set and each checkpoint is one dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Callable

# name -> what to run there; set only by tests (``core.tests.concurrency.at_checkpoint``).
hooks: dict[str, Callable[[], None]] = {}


def checkpoint(name: str) -> None:
    hook = hooks.get(name)
    if hook is not None:
        hook()
