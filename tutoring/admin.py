"""Tutoring in the admin: profiles, packages, and requests answered through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin_bilingual import BilingualAdminMixin, BilingualInlineMixin
from core.admin_widgets import SafeAutocompleteAdmin
from core.money import format_price
from tutoring.models import (
    FamilyLink,
    ParentProfile,
    RequesterType,
    RequestStatus,
    SessionRequest,
    StudentProfile,
    TutorPackage,
    TutorProfile,
)
from tutoring.selectors import pending_request_for_child
from tutoring.services import TutoringError, family_unlink, request_accept, request_decline

USER_SEARCH = ("user__username", "user__first_name", "user__last_name", "user__email")


class TutorPackageInline(BilingualInlineMixin, admin.TabularInline):
    model = TutorPackage
    fields = ("name", "name_ar", "sessions_count", "price", "is_active", "description")
    extra = 0


@admin.register(TutorProfile)
class TutorProfileAdmin(BilingualAdminMixin, SafeAutocompleteAdmin, admin.ModelAdmin):
    list_display = ("__str__", "headline", "subjects", "rate", "is_accepting_requests")
    list_filter = ("is_accepting_requests",)
    list_select_related = ("user",)
    search_fields = (*USER_SEARCH, "subjects", "headline", "headline_ar")
    autocomplete_fields = ("user",)
    fields = (
        "user",
        ("headline", "headline_ar"),
        ("bio", "bio_ar"),
        "subjects",
        "hourly_rate",
        "is_accepting_requests",
    )
    inlines = [TutorPackageInline]

    @admin.display(description=_("Hourly rate"), ordering="hourly_rate")
    def rate(self, tutor: TutorProfile) -> str:
        return format_price(tutor.hourly_rate)


@admin.register(StudentProfile)
class StudentProfileAdmin(SafeAutocompleteAdmin, admin.ModelAdmin):
    list_display = ("__str__", "user", "grade")
    list_select_related = ("user",)
    search_fields = (*USER_SEARCH, "grade")
    autocomplete_fields = ("user",)


class FamilyLinkFormSet(forms.BaseInlineFormSet):
    """A child removed from a parent is refused, in words, while a pending request of the
    parent names them; ``family_unlink`` says the same under its lock when saving."""

    def clean(self) -> None:
        super().clean()
        for form in self.deleted_forms:
            link = form.instance
            if link.pk and pending_request_for_child(parent=link.parent, child=link.child):
                raise forms.ValidationError(
                    gettext(
                        "%(child)s has a pending request from %(parent)s; answer or cancel "
                        "it before removing the child."
                    )
                    % {"child": link.child, "parent": link.parent}
                )


class FamilyLinkInline(SafeAutocompleteAdmin, admin.TabularInline):
    model = FamilyLink
    formset = FamilyLinkFormSet
    fields = ("child",)
    autocomplete_fields = ("child",)
    extra = 0


@admin.register(ParentProfile)
class ParentProfileAdmin(SafeAutocompleteAdmin, admin.ModelAdmin):
    list_display = ("__str__", "user", "child_count")
    list_select_related = ("user",)
    search_fields = USER_SEARCH
    autocomplete_fields = ("user",)
    inlines = [FamilyLinkInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("children")

    def save_formset(self, request, form, formset, change):
        if formset.model is not FamilyLink:
            return super().save_formset(request, form, formset, change)
        for link in formset.save(commit=False):
            link.save()
        for link in formset.deleted_objects:
            try:
                family_unlink(parent=link.parent, child=link.child)
            except TutoringError as refusal:
                self.message_user(request, refusal.message, messages.ERROR)
        return None

    @admin.display(description=_("Children"))
    def child_count(self, parent: ParentProfile) -> int:
        return len(parent.children.all())


class StatusFilter(admin.SimpleListFilter):
    """Status as people see it: a pending request past its time reads as expired."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return RequestStatus.choices

    def queryset(self, request, queryset):
        if self.value() in RequestStatus.values:
            return queryset.filter(effective_status=self.value())
        return queryset


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, sent to each requester"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


@admin.register(SessionRequest)
class SessionRequestAdmin(admin.ModelAdmin):
    list_display = ("asked", "student_and_asker", "tutor_and_package", "status_display")
    list_filter = (StatusFilter, "requester_type", "tutor")
    list_select_related = ("tutor__user", "student__user", "parent__user")
    search_fields = (
        "student_name",
        "contact_email",
        "contact_phone",
        "tutor__user__first_name",
        "tutor__user__last_name",
        "student__user__username",
        "student__user__first_name",
        "student__user__last_name",
        "parent__user__username",
        "parent__user__first_name",
        "parent__user__last_name",
    )
    date_hierarchy = "created_at"
    fields = (
        ("tutor", "requester_type"),
        ("student", "parent", "child"),
        ("package", "package_name", "package_name_ar"),
        ("student_name", "student_grade"),
        "preferred_schedule",
        "message",
        ("contact_email", "contact_phone"),
        ("status_display", "responded_at"),
        "decline_reason",
        ("created_at", "updated_at"),
    )
    readonly_fields = (
        "tutor",
        "requester_type",
        "student",
        "parent",
        "child",
        "package",
        "package_name",
        "package_name_ar",
        "status_display",
        "responded_at",
        "decline_reason",
        "created_at",
        "updated_at",
    )
    actions = ["accept_requests", "decline_requests"]

    def has_add_permission(self, request) -> bool:
        return False  # requests come from students and parents, through the request form

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # nothing is deleted behind a request; it is declined or cancelled

    def get_queryset(self, request):
        return super().get_queryset(request).with_effective_status()

    @admin.display(description=_("Asked"), ordering="created_at")
    def asked(self, request: SessionRequest) -> str:
        return date_format(timezone.localtime(request.created_at), "j M Y, H:i")

    @admin.display(description=_("For"), ordering="student_name")
    def student_and_asker(self, request: SessionRequest) -> str:
        """The student, then who asked: the student, or their parent."""
        asker = (
            gettext("asked by %(parent)s, parent") % {"parent": request.requester}
            if request.requester_type == RequesterType.PARENT
            else gettext("their own request")
        )
        return format_html('{}<br><span class="quiet">{}</span>', request.student_name, asker)

    @admin.display(description=_("Tutor"), ordering="tutor__user__last_name")
    def tutor_and_package(self, request: SessionRequest) -> str:
        if not request.package_name:
            return str(request.tutor)
        return format_html(
            '{}<br><span class="quiet">{}</span>', request.tutor, request.package_name
        )

    @admin.display(description=_("Status"), ordering="effective_status")
    def status_display(self, request: SessionRequest) -> str:
        return request.get_current_status_display()

    def _answer_each(self, request, queryset, answer) -> None:
        done, refused = 0, []
        for session_request in queryset.select_related("tutor"):
            try:
                answer(session_request)
            except TutoringError as refusal:
                refused.append(f"{session_request}: {refusal.message}")
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("Answered %(count)d request.", "Answered %(count)d requests.", done)
                % {"count": done},
                messages.SUCCESS,
            )
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    @admin.action(description=_("Accept selected requests"), permissions=["change"])
    def accept_requests(self, request, queryset):
        self._answer_each(
            request,
            queryset,
            lambda r: request_accept(request_id=r.pk, tutor=r.tutor),
        )

    @admin.action(description=_("Decline selected requests…"), permissions=["change"])
    def decline_requests(self, request, queryset):
        form = DeclineForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._answer_each(
                request,
                queryset,
                lambda r: request_decline(request_id=r.pk, tutor=r.tutor, reason=reason),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Decline requests"),
            "opts": self.model._meta,
            "requests": queryset.select_related("tutor__user"),
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "selected": [r.pk for r in queryset],
            "action": "decline_requests",
            "submit_label": gettext("Decline"),
        }
        return TemplateResponse(request, "admin/tutoring/decline_requests.html", context)
