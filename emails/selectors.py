"""What the outbox holds, for /healthz and the admin."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Max, Min
from django.utils import timezone

from emails.models import Email, EmailStatus

# /healthz says "degraded" when the oldest due email has waited longer than this.
STALE_AFTER = datetime.timedelta(minutes=10)


def queue_health(now: datetime.datetime | None = None) -> dict[str, Any]:
    """Emails waiting (and how long the oldest due one has waited), failed, and when a
    worker last finished a job. Read by load balancers every few seconds: indexed."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    waiting = Email.objects.filter(status=EmailStatus.QUEUED)
    oldest_due = waiting.filter(next_attempt_at__lte=now).aggregate(at=Min("next_attempt_at"))["at"]
    waited = (now - oldest_due).total_seconds() if oldest_due else 0.0
    last_job = DBTaskResult.objects.aggregate(at=Max("finished_at"))["at"]
    last_sent = Email.objects.filter(status=EmailStatus.SENT).aggregate(at=Max("sent_at"))["at"]
    return {
        "status": "degraded" if waited > STALE_AFTER.total_seconds() else "ok",
        "emails_waiting": waiting.count(),
        "oldest_waiting_seconds": round(waited),
        "emails_failed": Email.objects.filter(status=EmailStatus.FAILED).count(),
        "jobs_waiting": DBTaskResult.objects.ready().count(),
        "jobs_failed": DBTaskResult.objects.failed().count(),
        "last_job_finished_at": last_job.isoformat() if last_job else None,
        "last_email_sent_at": last_sent.isoformat() if last_sent else None,
    }
