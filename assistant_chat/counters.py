"""Counts every app server shares: the rate limit and the logging-failure count.

They live in Django's default cache, ``STUDYHALL_CACHE_URL``: Redis in production,
which every server reads and which increments atomically. Nothing here is kept in
one process's memory except failures that could not be written anywhere yet
(``assistant_chat.monitoring``), and everything when no shared cache is configured
(``make run``: one process).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext

from assistant_chat.owners import ChatOwner

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


def increment(key: str, *, delta: int = 1, timeout: int | None) -> int:
    """Add ``delta`` to the integer at ``key``, creating it, and return the new value.

    Atomic on Redis, Memcached and in memory; the database cache reads, then writes
    (the ``assistant_chat.W002`` deploy check says so), and resets the expiry to its
    default, so a key that must never expire (``timeout=None``) is touched again. Keys
    that carry their time window in their name need not be.
    """
    cache.add(key, 0, timeout=timeout)
    try:
        value = cache.incr(key, delta)
    except ValueError:  # expired between add() and incr()
        cache.set(key, delta, timeout=timeout)
        return delta
    if timeout is None:
        cache.touch(key, None)
    return value


@dataclass(frozen=True)
class RateLimited:
    limit: int
    retry_after: int

    @property
    def message(self) -> str:
        sent = ngettext(
            "You have sent %(limit)d message this minute, the most the assistant takes;",
            "You have sent %(limit)d messages this minute, the most the assistant takes;",
            self.limit,
        ) % {"limit": self.limit}
        wait = ngettext(
            "try again in %(seconds)d second.",
            "try again in %(seconds)d seconds.",
            self.retry_after,
        ) % {"seconds": self.retry_after}
        return f"{sent} {wait}"


def rate_limit_hit(*, owner: ChatOwner, address: str, now: datetime.datetime) -> RateLimited | None:
    """Count one message from ``owner`` at ``address``; ``RateLimited`` once either
    passes its limit of messages a minute, per calendar minute: the owner's
    (``STUDYHALL_ASSISTANT_RATE_LIMIT``), and the address's, much higher
    (``STUDYHALL_ASSISTANT_RATE_LIMIT_PER_ADDRESS``), for a client that drops its
    cookies to become a new visitor with every message.

    When the cache cannot be reached the message is let through and a warning logged:
    a throttle must not take the assistant down with it.
    """
    second = int(now.timestamp())
    window = second // WINDOW_SECONDS
    limits = (
        (f"assistant:rate:{owner}:{window}", settings.ASSISTANT["RATE_LIMIT"]),
        (
            f"assistant:rate-address:{address}:{window}",
            settings.ASSISTANT["RATE_LIMIT_PER_ADDRESS"],
        ),
    )
    for key, limit in limits:
        try:
            count = increment(key, timeout=2 * WINDOW_SECONDS)
        except Exception as error:  # any cache backend's connection error
            logger.warning("assistant rate limit skipped, the cache is unreachable: %r", error)
            return None
        if count > limit:
            return RateLimited(limit=limit, retry_after=WINDOW_SECONDS - second % WINDOW_SECONDS)
    return None
