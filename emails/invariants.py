"""What the audit says about the outbox (``check_integrity``).

``email_once`` is held by the database alone: the unique ``key`` (an email is queued
once) and the check that a sending time goes with the status sent. No form edits an
email and no repair could improve on the constraints, so the audit's part is a notice:
emails that failed after every attempt, for staff to send again.
"""

from core.invariants import Notice, register_notices

EMAILS_FAILED = Notice(
    name="emails_failed",
    description="emails that failed after every attempt and were not sent",
    table="emails_email",
    condition="t.status = 'failed'",
    where_to_look="admin: Emails, filter by status Failed, then Send the selected failed "
    "emails again (after fixing DJANGO_EMAIL_URL or the address).",
)

register_notices(EMAILS_FAILED)
