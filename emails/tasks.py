"""The background job: deliver every email that is due.

One job delivers until nothing is due, each email in its own transaction, so any
number of jobs and workers can run at once (``emails.services.email_deliver_next``).
A job that runs twice, or after its emails went out, finds nothing and ends.
"""

from __future__ import annotations

from django.tasks import task


@task()
def deliver_due_emails() -> int:
    from emails.services import emails_deliver_due

    return emails_deliver_due()
