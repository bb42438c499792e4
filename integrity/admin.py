from django.contrib import admin

from integrity.models import QuarantinedRow


@admin.register(QuarantinedRow)
class QuarantinedRowAdmin(admin.ModelAdmin):
    """Quarantined rows, read-only: they are evidence of what arrived broken."""

    list_display = ("source_table", "source_pk", "reason", "created_at", "restored_at")
    list_filter = ("source_table", ("created_at", admin.DateFieldListFilter))
    search_fields = ("source_table", "source_pk", "reason")
    date_hierarchy = "created_at"
    readonly_fields = ("source_table", "source_pk", "data", "reason", "created_at", "restored_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
