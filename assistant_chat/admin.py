"""Chat logs for staff: read-only, searchable by user and content, exportable.

Conversations are written only by the assistant and removed only by their owner or
by ``purge_chat_logs`` (retention), so the admin adds, changes and deletes nothing.
"""

import json

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assistant_chat.models import ChatMessage, ChatSession
from assistant_chat.selectors import conversation_export
from core.admin_widgets import ReadOnlyAdmin
from core.people import display_name


class ChatMessageInline(ReadOnlyAdmin, admin.TabularInline):
    model = ChatMessage
    fields = ("sequence", "role", "content", "client_message_id", "created_at")
    readonly_fields = fields
    ordering = ("sequence",)
    extra = 0


class OwnerKindFilter(admin.SimpleListFilter):
    title = _("asked by")
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("user", _("Logged-in users")), ("visitor", _("Visitors"))]

    def queryset(self, request, queryset):
        if self.value() == "user":
            return queryset.filter(user__isnull=False)
        if self.value() == "visitor":
            return queryset.filter(user__isnull=True)
        return queryset


@admin.register(ChatSession)
class ChatSessionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("title_or_id", "owner", "messages", "last_message_at")
    list_filter = (
        OwnerKindFilter,
        ("created_at", admin.DateFieldListFilter),
        ("last_message_at", admin.DateFieldListFilter),
    )
    search_fields = (
        "title",
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "=visitor_key",
        "messages__content",
    )
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    fields = (
        "id",
        "title",
        "user",
        "visitor_key",
        "created_at",
        "last_message_at",
        "message_count",
        "export_link",
    )
    readonly_fields = fields
    inlines = [ChatMessageInline]

    @admin.display(description=_("Conversation"), ordering="title")
    def title_or_id(self, session: ChatSession) -> str:
        return session.title or str(session.pk)

    @admin.display(description=_("Asked by"), ordering="user__username")
    def owner(self, session: ChatSession) -> str:
        if session.user_id is None:
            return gettext("Visitor")
        return display_name(session.user)

    @admin.display(description=_("Messages"), ordering="message_count")
    def messages(self, session: ChatSession) -> int:
        return session.message_count

    @admin.display(description=_("Export"))
    def export_link(self, session: ChatSession) -> str:
        url = reverse("admin:assistant_chat_chatsession_export", args=[session.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Download this conversation (JSON)"))

    def get_urls(self):
        export = path(
            "<uuid:object_id>/export/",
            self.admin_site.admin_view(self.export_view),
            name="assistant_chat_chatsession_export",
        )
        return [export, *super().get_urls()]

    def export_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        session = ChatSession.objects.select_related("user").filter(pk=object_id).first()
        if session is None:
            raise Http404("No such conversation.")
        response = HttpResponse(
            json.dumps(conversation_export(session=session), ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="conversation-{session.pk}.json"'
        return response
