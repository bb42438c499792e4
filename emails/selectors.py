"""What the outbox holds, for /healthz and the admin."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from emails.models import Email, EmailStatus

# /healthz says "degraded" when the oldest due email has waited longer than this.
STALE_AFTER = datetime.timedelta(minutes=10)


def queue_health(now: datetime.datetime | None = None) -> dict[str, Any]:
    """Emails waiting (and how long the oldest due one has waited), failed, jobs waiting
    and when a worker last finished one. Asked by load balancers every few seconds:
    three queries, each on an index (the outbox's status, the queue's ready jobs, the
    jobs' finishing time: ``emails/migrations/0002``)."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    emails = Email.objects.filter(status__in=[EmailStatus.QUEUED, EmailStatus.FAILED]).aggregate(
        waiting=Count("pk", filter=Q(status=EmailStatus.QUEUED)),
        failed=Count("pk", filter=Q(status=EmailStatus.FAILED)),
        oldest_due=Min(
            "next_attempt_at", filter=Q(status=EmailStatus.QUEUED, next_attempt_at__lte=now)
        ),
    )
    waited = (now - emails["oldest_due"]).total_seconds() if emails["oldest_due"] else 0.0
    last_job = DBTaskResult.objects.aggregate(at=Max("finished_at"))["at"]
    return {
        "status": "degraded" if waited > STALE_AFTER.total_seconds() else "ok",
        "emails_waiting": emails["waiting"],
        "oldest_waiting_seconds": round(waited),
        "emails_failed": emails["failed"],
        "jobs_waiting": DBTaskResult.objects.ready().count(),
        "last_job_finished_at": last_job.isoformat() if last_job else None,
    }
