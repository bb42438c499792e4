"""Rows taken out of a live table because they break an invariant and cannot be
repaired safely. Nothing is deleted: the row's original values are kept here as
JSON with the reason, and can be put back once the cause is fixed.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _


class QuarantinedRow(models.Model):
    source_table = models.CharField(
        max_length=200,
        help_text=_("The database table the row was taken from."),
        verbose_name=_("source table"),
    )
    source_pk = models.CharField(
        _("source primary key"), max_length=64, help_text=_("The row's id in that table.")
    )
    data = models.JSONField(
        encoder=DjangoJSONEncoder,
        help_text=_("The row as it was, column by column."),
        verbose_name=_("data"),
    )
    reason = models.TextField(
        help_text=_("Why the row could not stay in its table."),
        verbose_name=_("reason"),
    )
    created_at = models.DateTimeField(
        auto_now_add=True,
        db_index=True,
        verbose_name=_("created at"),
    )
    restored_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the row was put back into its table."),
        verbose_name=_("restored at"),
    )

    class Meta:
        verbose_name = _("quarantined row")
        verbose_name_plural = _("quarantined rows")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A row is held once at a time: quarantining is safe to re-run.
            models.UniqueConstraint(
                fields=["source_table", "source_pk"],
                condition=Q(restored_at__isnull=True),
                name="quarantine_one_held_copy_per_row",
                violation_error_message=_("This row is already in quarantine."),
            ),
        ]
        indexes = [models.Index(fields=["source_table", "created_at"], name="quarantine_table_idx")]

    def __str__(self) -> str:
        return f"{self.source_table} #{self.source_pk}"


class IntegrityAudit(models.Model):
    """One run of ``check_integrity``: what it found. /healthz shows the last full one."""

    checked_at = models.DateTimeField(
        db_index=True,
        verbose_name=_("checked at"),
    )
    ok = models.BooleanField(
        help_text=_("True when no invariant had a violation."),
        verbose_name=_("ok"),
    )
    violations = models.PositiveBigIntegerField(
        help_text=_("Violations of every invariant."),
        verbose_name=_("violations"),
    )
    partial = models.BooleanField(
        default=False,
        help_text=_("Only some invariants were checked (--only)."),
        verbose_name=_("partial"),
    )
    seconds = models.FloatField(
        help_text=_("How long the audit took."),
        verbose_name=_("seconds"),
    )
    invariants = models.JSONField(
        encoder=DjangoJSONEncoder,
        help_text=_("Per invariant: rows checked, violations, sample ids, seconds."),
        verbose_name=_("invariants"),
    )

    class Meta:
        verbose_name = _("integrity audit")
        verbose_name_plural = _("integrity audits")
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        if self.ok:
            state = gettext("clean")
        else:
            state = ngettext("%(count)d violation", "%(count)d violations", self.violations) % {
                "count": self.violations
            }
        return gettext("Audit of %(time)s (%(state)s)") % {
            "time": date_format(self.checked_at, "Y-m-d H:i"),
            "state": state,
        }
