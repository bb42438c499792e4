"""Email that goes out only once the change it reports is committed."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.mail import send_mail
from django.db import transaction

logger = logging.getLogger(__name__)


def send_after_commit(*, subject: str, body: str, to: Sequence[str]) -> None:
    """Send ``body`` to ``to`` after the current transaction commits (at once outside one).

    A rolled-back change sends nothing. A mail server that refuses is logged, not
    raised: the change it reports is already saved and the page must not fail.
    """
    recipients = [address for address in to if address]
    if not recipients:
        return

    def send() -> None:
        try:
            send_mail(subject, body, None, recipients)
        except Exception:  # any backend failure; the change itself stands
            logger.exception("could not send %r to %s", subject, ", ".join(recipients))

    transaction.on_commit(send)
