from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_widgets import ReadOnlyAdmin
from emails.models import Email, EmailStatus
from emails.services import email_retry


@admin.register(Email)
class EmailAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Every email: waiting, sent, not needed or failed, with the last error. Staff send
    a failed one again with the action; nothing else here changes."""

    list_display = (
        "subject_or_key",
        "recipient",
        "kind",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status", "kind")
    list_select_related = ("recipient",)
    search_fields = ("key", "subject", "address", "recipient__email", "recipient__username")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "key",
        "kind",
        "recipient",
        "status",
        "subject",
        "address",
        "attempts",
        "next_attempt_at",
        "last_error",
        "context",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields
    actions = ["send_again"]

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("emails.change_email")

    @admin.display(description=_("email"), ordering="subject")
    def subject_or_key(self, email: Email) -> str:
        return email.subject or email.key

    @admin.action(description=_("Send the selected failed emails again"), permissions=["retry"])
    def send_again(self, request, queryset):
        retried = sum(
            email_retry(email=email) for email in queryset.filter(status=EmailStatus.FAILED)
        )
        skipped = queryset.count() - retried
        if retried:
            self.message_user(
                request,
                ngettext(
                    "%(count)d email will be sent again.",
                    "%(count)d emails will be sent again.",
                    retried,
                )
                % {"count": retried},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d email was not failed and was left as it is.",
                    "%(count)d emails were not failed and were left as they are.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
