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
        max_length=200, help_text=_("The database table the row was taken from.")
    )
    source_pk = models.CharField(
        _("source primary key"), max_length=64, help_text=_("The row's id in that table.")
    )
    data = models.JSONField(
        encoder=DjangoJSONEncoder, help_text=_("The row as it was, column by column.")
    )
    reason = models.TextField(help_text=_("Why the row could not stay in its table."))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    restored_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the row was put back into its table.")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        # Not translated: Django would add an English "s" to an Arabic name, and a
        # translated verbose_name_plural is a model option, so a migration.
        verbose_name = "quarantined row"
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

    checked_at = models.DateTimeField(db_index=True)
    ok = models.BooleanField(help_text=_("True when no invariant had a violation."))
    violations = models.PositiveBigIntegerField(help_text=_("Violations of every invariant."))
    partial = models.BooleanField(
        default=False, help_text=_("Only some invariants were checked (--only).")
    )
    seconds = models.FloatField(help_text=_("How long the audit took."))
    invariants = models.JSONField(
        encoder=DjangoJSONEncoder,
        help_text=_("Per invariant: rows checked, violations, sample ids, seconds."),
    )

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = "integrity audit"

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
