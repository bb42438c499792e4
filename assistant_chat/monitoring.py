"""Exchanges that could not be logged: never dropped silently.

Each failure is written to the log with the session id, the owner and the error, and
counted in the shared cache (Redis), which every app server reads and which is not
the database that may just have failed; ``/healthz`` shows it as
``"assistant": {"log_failures": N}``. When the cache cannot be reached either, the
failure is held in this process and added to the shared count at the next chance,
and ``/healthz`` on this server still includes it.
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

from django.core.cache import cache

from assistant_chat.counters import increment
from assistant_chat.owners import ChatOwner

logger = logging.getLogger(__name__)

LOG_FAILURES_KEY = "assistant:log_failures"

_lock = threading.Lock()
_unsynced = 0


def log_failure_record(*, session_id: uuid.UUID, owner: ChatOwner, error: BaseException) -> None:
    """Log and count one exchange the database did not store."""
    global _unsynced
    logger.error(
        "chat exchange not logged: session=%s owner=%s error=%s: %s",
        session_id,
        owner,
        error.__class__.__name__,
        error,
        exc_info=error,
    )
    with _lock:
        _unsynced += 1
    _sync()


def _sync() -> None:
    """Move the failures held in this process to the shared count, if it answers."""
    global _unsynced
    with _lock:
        pending, _unsynced = _unsynced, 0
    if not pending:
        return
    try:
        increment(LOG_FAILURES_KEY, delta=pending, timeout=None)
    except Exception as error:  # any cache backend's connection error
        logger.warning("assistant: %d log failure(s) held in this process: %r", pending, error)
        with _lock:
            _unsynced += pending


def log_failure_report() -> dict[str, Any]:
    """The /healthz section: failures counted by every server, plus any this server
    could not yet add to the shared count."""
    _sync()
    with _lock:
        held = _unsynced
    try:
        shared = cache.get(LOG_FAILURES_KEY, 0)
    except Exception:  # the cache is down: report what this process knows
        return {"log_failures": held, "shared_count": "unreachable"}
    return {"log_failures": shared + held}
