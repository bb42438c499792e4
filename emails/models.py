"""The outbox: every email Studyhall sends is first a row here.

A service that changes something people must hear about writes the email rows in its
own transaction (``emails.services.emails_queue``), so a rolled-back change leaves no
email and a committed one cannot be lost: the rows wait in the database until a worker
delivers them, even if every process stops right after the commit.

``key`` is the email's identity: what it is about and for whom
(``reminder:seat-41:2027-02-06T09:00``). It is unique, so the same email is never
queued twice, by two services, two workers or a command run twice at once. A worker
claims a row with ``SELECT … FOR UPDATE SKIP LOCKED`` and records it sent in the same
transaction, so two workers never send one row (``emails/services.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    SENT = "sent", _("Sent")
    # Nothing left to say when its turn came (the seat it reminds of was cancelled).
    SKIPPED = "skipped", _("Not needed")
    FAILED = "failed", _("Failed")


class EmailQuerySet(models.QuerySet):
    def due(self, now) -> EmailQuerySet:
        """Waiting emails whose next attempt is due at ``now`` (``emails_email_due_idx``)."""
        return self.filter(status=EmailStatus.QUEUED, next_attempt_at__lte=now)


class Email(models.Model):
    key = models.CharField(
        max_length=200,
        unique=True,
        verbose_name=_("identity"),
        help_text=_("What the email is about and for whom; an email is queued once."),
    )
    kind = models.CharField(max_length=40, verbose_name=_("kind"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="emails",
        verbose_name=_("recipient"),
    )
    context = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("details"),
        help_text=_("The ids and earlier values the email is written from."),
    )
    status = models.CharField(
        max_length=16,
        choices=EmailStatus,
        default=EmailStatus.QUEUED,
        verbose_name=_("status"),
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    address = models.CharField(
        max_length=254,
        blank=True,
        verbose_name=_("sent to"),
        help_text=_("The address the email went to, once sent."),
    )
    subject = models.CharField(max_length=300, blank=True, verbose_name=_("subject"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("queued at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))

    objects = EmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-created_at", "-id"]
        indexes = [
            # What the worker asks for: the waiting emails that are due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="queued"),
                name="emails_email_due_idx",
            ),
            models.Index(fields=["status", "-created_at"], name="emails_email_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False)
                | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="emails_email_sent_when_sent",
                violation_error_message=_(
                    "An email has a sending time exactly when its status is sent."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=EmailStatus.values),
                name="emails_email_status_known",
                violation_error_message=_(
                    "An email's status is waiting, sent, not needed or failed."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.subject or self.key
