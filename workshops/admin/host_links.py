"""Host links in the admin: read-only, made and rotated from a session's page."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from workshops.admin.common import link_state
from workshops.models import (
    HostSession,
)


@admin.register(HostSession)
class HostSessionAdmin(admin.ModelAdmin):
    """Host links, read-only: they are made and rotated from the sessions. Deleting one
    revokes it."""

    list_display = ("session_page", "created_at", "created_by", "rotated_at", "state")
    list_select_related = ("session__workshop", "session__run", "created_by")
    search_fields = ("session__workshop__title", "session__run__name")
    date_hierarchy = "session__date"
    fields = ("session_page", "url", "created_at", "created_by", "rotated_at", "state")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("Session"), ordering="session__date")
    def session_page(self, link: HostSession) -> str:
        page = reverse("admin:workshops_workshopsession_change", args=[link.session_id])
        return format_html('<a href="{}">{}</a>', page, link.session.schedule_label)

    @admin.display(description=_("Address"))
    def url(self, link: HostSession) -> str:
        return link.public_url

    @admin.display(description=_("Opens"))
    def state(self, link: HostSession) -> str:
        return link_state(link)
