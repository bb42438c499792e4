from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_widgets import ReadOnlyAdmin
from integrity.models import IntegrityAudit, QuarantinedRow
from integrity.quarantine import RestoreRefused, quarantined_row_restore


@admin.register(QuarantinedRow)
class QuarantinedRowAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Quarantined rows, read-only: they are evidence of what arrived broken. Once a
    row's cause is fixed (its session restored, say), the restore action puts it back."""

    list_display = ("source_table", "source_pk", "reason", "created_at", "restored_at")
    list_filter = (
        "source_table",
        ("restored_at", admin.EmptyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("source_table", "source_pk", "reason")
    date_hierarchy = "created_at"
    readonly_fields = ("source_table", "source_pk", "data", "reason", "created_at", "restored_at")
    actions = ["restore"]

    def has_restore_permission(self, request) -> bool:
        return request.user.has_perm("integrity.change_quarantinedrow")

    @admin.action(
        description=_("Restore the selected rows to their tables"), permissions=["restore"]
    )
    def restore(self, request, queryset) -> None:
        restored = 0
        # Oldest first: a row is restored before the rows that depend on it.
        for row in queryset.filter(restored_at__isnull=True).order_by("id"):
            try:
                quarantined_row_restore(row=row)
            except RestoreRefused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                restored += 1
        if restored:
            self.message_user(
                request,
                ngettext("%(count)d row restored.", "%(count)d rows restored.", restored)
                % {"count": restored},
                messages.SUCCESS,
            )


@admin.register(IntegrityAudit)
class IntegrityAuditAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """What each check_integrity run found (read-only)."""

    list_display = ("checked_at", "ok", "violations", "partial", "seconds")
    list_filter = ("ok", "partial")
    readonly_fields = ("checked_at", "ok", "violations", "partial", "seconds", "invariants")
