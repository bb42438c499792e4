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
    four queries, each on an index (the outbox's status, the queue's ready jobs, the
    jobs' finishing time and the failed ones: ``emails/migrations/0002``)."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = now or timezone.now()
    emails = Email.objects.filter(status__in=[EmailStatus.QUEUED, EmailStatus.FAILED]).aggregate(
        waiting=Count("pk", filter=Q(status=EmailStatus.QUEUED)),
        failed=Count("pk", filter=Q(status=EmailStatus.FAILED)),
        oldest_due=Min(
            "next_attempt_at", filter=Q(status=EmailStatus.QUEUED, next_attempt_at__lte=now)
        ),
    )
    waited = (now - emails["oldest_due"]).total_seconds() if emails["oldest_due"] else 0.0
    # A job waits from when it was enqueued, or a deferred one (a retry) from when it
    # was due.
    undeferred = Q(run_after=get_date_max())
    jobs = DBTaskResult.objects.ready().aggregate(
        waiting=Count("pk"),
        oldest=Min("enqueued_at", filter=undeferred),
        oldest_due=Min("run_after", filter=~undeferred),
    )
    ready_since = min((at for at in (jobs["oldest"], jobs["oldest_due"]) if at), default=None)
    job_waited = (now - ready_since).total_seconds() if ready_since else 0.0
    last_job = DBTaskResult.objects.aggregate(at=Max("finished_at"))["at"]
    stale = max(waited, job_waited) > STALE_AFTER.total_seconds()
    return {
        "status": "degraded" if stale else "ok",
        "emails_waiting": emails["waiting"],
        "oldest_waiting_seconds": round(waited),
        "emails_failed": emails["failed"],
        "jobs_waiting": jobs["waiting"],
        "oldest_job_waiting_seconds": round(job_waited),
        "jobs_failed": DBTaskResult.objects.failed().count(),
        "last_job_finished_at": last_job.isoformat() if last_job else None,
    }
