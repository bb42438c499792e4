"""What the orders app's admin pages share: the question an action asks first, and
read-only seats."""

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse


def confirm_action(
    model_admin, request, queryset, *, action, step, intro, items, submit
) -> TemplateResponse:
    """The question an admin action asks before it changes anything (it works without
    JavaScript): the selection, what will happen, and a button that applies it."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": step,
        "opts": model_admin.model._meta,
        "step": step,
        "intro": intro,
        "items": items,
        "form": None,
        "selected": [obj.pk for obj in queryset],
        "action": action,
        "submit_label": submit,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/confirm_action.html", context)


class ReadOnlyInline(admin.TabularInline):
    """Seats change only through the booking and cancelling services."""

    extra = 0
    can_delete = False

    class Media:
        css = {"all": ["css/admin-seats.css"]}

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
