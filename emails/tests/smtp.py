"""A real SMTP server for tests (aiosmtpd, in a thread of the test process): it records
every message it accepts, can refuse the next ones with a temporary error (451), and can
hold a message unanswered until the test lets it go."""

from __future__ import annotations

import email
import logging
import socket
import threading
from email.message import Message

from aiosmtpd.controller import Controller

# Each connection's chatter; failures still show.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_DATA(self, smtp, session, envelope) -> str:
        server = self.server
        with server.lock:
            server.offered += 1
            number = server.offered
            refuse = server.refusals > 0
            if refuse:
                server.refusals -= 1
        if number == server.hold_at:
            server.holding.set()
            # The worker waits for our answer; the test kills it meanwhile.
            await _wait(server.released)
            return "451 4.3.0 Try again later"
        if refuse:
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.content)
        with server.lock:
            server.messages.append(message)
        return "250 OK"


async def _wait(event: threading.Event) -> None:
    import asyncio

    while not event.is_set():
        await asyncio.sleep(0.02)


class MailServer:
    """``url`` for ``DJANGO_EMAIL_URL``; ``messages`` accepted so far."""

    def __init__(self) -> None:
        self.port = free_port()
        self.lock = threading.Lock()
        self.messages: list[Message] = []
        self.offered = 0
        self.refusals = 0
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.released = threading.Event()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def refuse_next(self, count: int) -> None:
        """Answer the next ``count`` messages with 451 (try again later)."""
        with self.lock:
            self.refusals = count

    def hold(self, number: int) -> None:
        """Keep the ``number``-th message offered from now unanswered until ``release()``."""
        with self.lock:
            self.hold_at = self.offered + number

    def release(self) -> None:
        self.released.set()

    def keys(self) -> list[str]:
        """The identity of each message accepted (``X-Studyhall-Email``), in order."""
        with self.lock:
            return [message["X-Studyhall-Email"] for message in self.messages]

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.released.set()
        self.controller.stop()
