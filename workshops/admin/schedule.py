"""Workshops, their runs (with the sessions under each run) and the store's categories
in the admin. A session's own admin page is the orders app's (``orders/admin/sessions.py``):
it shows the session's seats."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin_bilingual import BilingualAdminMixin, BilingualInlineMixin
from core.money import format_price
from workshops.admin.common import SessionSaveRefusals, date_span, seats_label, two_lines
from workshops.forms import CloneRunForm
from workshops.models import (
    Category,
    Workshop,
    WorkshopRun,
    WorkshopSession,
)
from workshops.selectors.schedule import run_summary, runs_with_totals
from workshops.services import (
    ScheduleError,
    run_clone,
    session_update,
)


class WorkshopRunInline(BilingualInlineMixin, admin.TabularInline):
    model = WorkshopRun
    fields = ("name", "name_ar", "start_date", "end_date", "is_default")
    readonly_fields = ("is_default",)
    extra = 0
    show_change_link = True


@admin.register(Workshop)
class WorkshopAdmin(BilingualAdminMixin, admin.ModelAdmin):
    list_display = ("title_both", "price_label", "seats", "is_active")
    list_filter = ("is_active",)
    search_fields = ("title", "title_ar", "slug")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [WorkshopRunInline]

    @admin.display(description=_("Workshop"), ordering="title")
    def title_both(self, workshop: Workshop) -> str:
        if not workshop.title_ar:
            return workshop.title
        return format_html(
            '{}<br><span class="quiet" lang="ar" dir="rtl">{}</span>',
            workshop.title,
            workshop.title_ar,
        )

    @admin.display(description=_("Price"), ordering="price")
    def price_label(self, workshop: Workshop) -> str:
        return format_price(workshop.price)

    @admin.display(description=_("Seats"), ordering="default_capacity")
    def seats(self, workshop: Workshop) -> str:
        """Seats per session, as new sessions get them."""
        if workshop.default_capacity is None:
            return gettext("unlimited")
        return str(workshop.default_capacity)


class WorkshopSessionInline(admin.TabularInline):
    model = WorkshopSession
    fields = (
        "number",
        "date",
        "start_time",
        "end_time",
        "capacity",
        "seats",
        "status",
        "cancelled_at",
    )
    readonly_fields = ("seats", "status", "cancelled_at")
    extra = 0
    show_change_link = True
    ordering = ("number",)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            # WorkshopSession.complete_new gives a new row left empty the workshop's
            # default seats and the next number; the empty boxes say so.
            fields = formset.form.base_fields
            fields["number"].widget.attrs["placeholder"] = gettext("next")
            default = obj.workshop.default_capacity
            fields["capacity"].widget.attrs["placeholder"] = (
                gettext("unlimited") if default is None else str(default)
            )
        return formset

    @admin.display(description=_("Seats"))
    def seats(self, session: WorkshopSession) -> str:
        if session.pk is None:
            return "–"
        return seats_label(session.seats_taken, session.capacity)

    @admin.display(description=_("Status"))
    def status(self, session: WorkshopSession) -> str:
        return session.get_status_display() if session.pk else "–"


class RunStateFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("upcoming", _("Upcoming")),
            ("running", _("Running")),
            ("finished", _("Finished")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "upcoming":
            return queryset.filter(start_date__gt=today)
        if self.value() == "running":
            return queryset.filter(start_date__lte=today, end_date__gte=today)
        if self.value() == "finished":
            return queryset.filter(end_date__lt=today)
        return queryset


@admin.register(WorkshopRun)
class WorkshopRunAdmin(BilingualAdminMixin, SessionSaveRefusals, admin.ModelAdmin):
    list_display = ("name", "workshop", "dates", "sessions", "seats")
    list_filter = (
        RunStateFilter,
        ("start_date", admin.DateFieldListFilter),
        "workshop",
        "is_default",
    )
    list_select_related = ("workshop",)
    search_fields = ("name", "name_ar", "workshop__title")
    date_hierarchy = "start_date"
    fields = ("workshop", "name", "name_ar", "start_date", "end_date", "is_default", "summary")
    readonly_fields = ("is_default", "summary")
    inlines = [WorkshopSessionInline]
    actions = ["clone_run"]

    def get_queryset(self, request):
        return runs_with_totals()

    def save_formset(self, request, form, formset, change):
        if formset.model is not WorkshopSession:
            return super().save_formset(request, form, formset, change)
        for session in formset.save(commit=False):
            session_update(session=session)
        for session in formset.deleted_objects:
            session.delete()
        formset.save_m2m()
        return None

    @admin.display(description=_("Sessions"), ordering="session_count")
    def sessions(self, run: WorkshopRun) -> int:
        return run.session_count

    @admin.display(description=_("Dates"), ordering="start_date")
    def dates(self, run: WorkshopRun) -> str:
        return date_span(run.start_date, run.end_date)

    @admin.display(description=_("Seats"), ordering="seats_sold")
    def seats(self, run: WorkshopRun) -> str:
        left = gettext("unlimited") if run.unlimited_sessions else run.seats_left
        return two_lines(
            gettext("%(count)s sold") % {"count": run.seats_sold},
            gettext("%(count)s left") % {"count": left},
        )

    @admin.display(description=_("Summary"))
    def summary(self, run: WorkshopRun) -> str:
        if run.pk is None:
            return "–"
        totals = run_summary(run=run)
        span = (
            f"{date_format(totals.first_date, 'j M Y')} – {date_format(totals.last_date, 'j M Y')}"
            if totals.first_date
            else gettext("no sessions yet")
        )
        sessions = ngettext(
            "%(count)d session (%(cancelled)d cancelled)",
            "%(count)d sessions (%(cancelled)d cancelled)",
            totals.sessions,
        ) % {"count": totals.sessions, "cancelled": totals.cancelled_sessions}
        sold = ngettext("%(count)d seat sold", "%(count)d seats sold", totals.seats_sold) % {
            "count": totals.seats_sold
        }
        if totals.seats_left is None:
            left = gettext("unlimited seats left")
        else:
            left = ngettext("%(count)d seat left", "%(count)d seats left", totals.seats_left) % {
                "count": totals.seats_left
            }
        return format_html("{} · {} · {} · {}", sessions, sold, left, span)

    @admin.action(description=_("Clone run at a new start date"), permissions=["add"])
    def clone_run(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, gettext("Select exactly one run to clone."), level=messages.WARNING
            )
            return None
        run = queryset.select_related("workshop").get()
        form = CloneRunForm(request.POST if "apply" in request.POST else None, run=run)
        if form.is_valid():
            try:
                copy = run_clone(
                    run=run,
                    start_date=form.cleaned_data["start_date"],
                    name=form.cleaned_data["name"],
                    name_ar=form.cleaned_data["name_ar"],
                )
            except ScheduleError as refusal:
                form.add_error(refusal.field, refusal.message)
            else:
                count = copy.sessions.count()
                self.message_user(
                    request,
                    ngettext(
                        "Created “%(name)s” with %(count)d session.",
                        "Created “%(name)s” with %(count)d sessions.",
                        count,
                    )
                    % {"name": copy.name, "count": count},
                    level=messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:workshops_workshoprun_change", args=[copy.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Clone %(run)s") % {"run": run},
            "opts": self.model._meta,
            "run": run,
            "summary": run_summary(run=run),
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "selected": [run.pk],
            "action": "clone_run",
            "submit_label": gettext("Clone run"),
        }
        return TemplateResponse(request, "admin/workshops/clone_run.html", context)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The store's category chips: their names and order."""

    list_display = ("name", "name_ar", "slug", "position")
    list_editable = ("position",)
    search_fields = ("name", "name_ar")
    prepopulated_fields = {"slug": ("name",)}
