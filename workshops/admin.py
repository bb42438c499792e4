import datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin_bilingual import BilingualAdminMixin, BilingualInlineMixin
from core.i18n import localized, time_range_html
from core.money import format_price
from workshops.forms import CloneRunForm
from workshops.models import (
    Category,
    HostSession,
    SessionStatus,
    Workshop,
    WorkshopRun,
    WorkshopSession,
)
from workshops.selectors import (
    host_link_of,
    run_summary,
    runs_with_totals,
    unlimited_by_mistake,
    with_host_link_flag,
)
from workshops.services import (
    HostLinkRefused,
    ScheduleError,
    host_link_provision,
    run_clone,
    session_update,
)


def seats_label(taken: int, capacity: int | None) -> str:
    """Seats taken of the capacity, as staff read them: ``3 / 12``, ``3 / unlimited``."""
    return f"{taken} / {gettext('unlimited') if capacity is None else capacity}"


def date_span(first: datetime.date, last: datetime.date) -> str:
    """Two dates as staff read them in a list: ``8 – 9 Dec 2026``."""
    if first == last:
        return date_format(first, "j M Y")
    if first.year != last.year:
        return f"{date_format(first, 'j M Y')} – {date_format(last, 'j M Y')}"
    if first.month != last.month:
        return f"{date_format(first, 'j M')} – {date_format(last, 'j M Y')}"
    return f"{first.day} – {date_format(last, 'j M Y')}"


def two_lines(first, second) -> str:
    """A list cell with a quieter second line, so one column carries two facts."""
    return format_html('{}<br><span class="quiet">{}</span>', first, second)


def link_state(link: HostSession) -> str:
    """Until when a host link opens, or since when it has not."""
    expires = date_format(timezone.localtime(link.expires_at), "SHORT_DATETIME_FORMAT")
    if link.opens_at():
        return gettext("opens until %(time)s") % {"time": expires}
    return gettext("expired on %(time)s") % {"time": expires}


class SessionSaveRefusals:
    """Sessions edited in the admin, on their own page or under a run, are saved by
    ``session_update``, which re-checks capacity under a row lock.

    Its refusal comes after the form was valid: seats were sold while the form was
    open. The change view's transaction is then rolled back, and the page opens
    afresh with the reason at the top, showing the seats taken now; the staff member
    makes the change again. Nothing is half-saved and nothing is a 500.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ScheduleError as refusal:
            self.message_user(
                request,
                gettext("Nothing was saved: %(reason)s") % {"reason": refusal},
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())


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


class HostLinkFilter(admin.SimpleListFilter):
    title = _("host link")
    parameter_name = "host_link"

    def lookups(self, request, model_admin):
        return [("yes", _("Has a host link")), ("no", _("No host link yet"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(has_host_link=self.value() == "yes")
        return queryset


class RunFilter(admin.RelatedFieldListFilter):
    """Runs by name with their workshop, read in one query (a run's name alone is
    ambiguous, and naming its workshop row by row would be a query per run)."""

    def field_choices(self, field, request, model_admin):
        runs = WorkshopRun.objects.select_related("workshop").order_by(
            "workshop__title", "start_date", "id"
        )
        return [(run.pk, str(run)) for run in runs]


class SeatLimitFilter(admin.SimpleListFilter):
    """Sessions by their seat limit; "unlimited by mistake" finds what ``check_integrity``
    warns about (``session_capacity_unset``): sessions still to come with no limit,
    though their workshop has default seats."""

    title = _("seat limit")
    parameter_name = "seats"

    def lookups(self, request, model_admin):
        return [
            ("limited", _("Limited")),
            ("unlimited", _("Unlimited")),
            ("unset", _("Unlimited, though the workshop has a default")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "limited":
            return queryset.filter(capacity__isnull=False)
        if self.value() == "unlimited":
            return queryset.filter(capacity__isnull=True)
        if self.value() == "unset":
            return unlimited_by_mistake(queryset)
        return queryset


class RunSelect(forms.Select):
    """The runs of every workshop, each option marked with its workshop
    (``data-workshop``), so the add page's script offers only the chosen workshop's."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        run = getattr(value, "instance", None)
        if run is not None:
            option["attrs"]["data-workshop"] = run.workshop_id
        return option


class SessionStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return SessionStatus.choices

    def queryset(self, request, queryset):
        if self.value() in SessionStatus.values:
            return queryset.filter(status_value=self.value())
        return queryset


@admin.register(WorkshopSession)
class WorkshopSessionAdmin(SessionSaveRefusals, admin.ModelAdmin):
    list_display = ("when", "session", "seats", "status", "has_link")
    list_filter = (
        SessionStatusFilter,
        ("date", admin.DateFieldListFilter),
        "workshop",
        ("run", RunFilter),
        SeatLimitFilter,
        HostLinkFilter,
    )
    list_select_related = ("workshop", "run")
    search_fields = ("workshop__title", "workshop__title_ar", "run__name")
    date_hierarchy = "date"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "workshop",
                    "run",
                    "number",
                    "date",
                    ("start_time", "end_time"),
                    "capacity",
                    "seats",
                    "status",
                    "cancelled_at",
                ]
            },
        ),
        (
            _("Metadata"),
            {
                "classes": ["collapse"],
                "fields": ["metadata"],
            },
        ),
    ]
    readonly_fields = ("seats", "status", "cancelled_at")
    # Cancelling a session cancels its seats, so that action is the orders app's
    # (orders/admin.py), where the seats are.
    actions = ["provision_host_links"]

    def get_queryset(self, request):
        return with_host_link_flag(super().get_queryset(request).with_status())

    def _shows_host_link(self, request, obj) -> bool:
        return obj is not None and request.user.has_perm("workshops.view_hostsession")

    class Media:
        js = ["js/admin-session-runs.js"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        fields = form.base_fields
        if "run" not in fields:
            return form
        if obj is not None:
            # A session keeps its workshop: offer only that workshop's runs.
            fields["run"].queryset = WorkshopRun.objects.filter(
                workshop_id=obj.workshop_id
            ).select_related("workshop")
        else:
            # A new session's workshop may be left to its run (complete_new), and the
            # run list follows the workshop chosen (static/js/admin-session-runs.js).
            if "workshop" in fields:
                fields["workshop"].required = False
                fields["workshop"].help_text = gettext(
                    "Choose it to see only its runs; left empty, the run's workshop."
                )
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "run":
            kwargs["widget"] = RunSelect
            kwargs["queryset"] = WorkshopRun.objects.select_related("workshop").order_by(
                "workshop__title", "start_date", "id"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        main, *rest = super().get_fieldsets(request, obj)
        if obj is None:
            # A new session has no status and no seats yet.
            shown = [f for f in main[1]["fields"] if f not in ("seats", "status")]
            main = (main[0], {**main[1], "fields": shown})
        if self._shows_host_link(request, obj):
            main = (main[0], {**main[1], "fields": [*main[1]["fields"], "host_link_address"]})
        return [main, *rest]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # A session keeps its workshop: its seats were bought at that workshop's price.
            readonly.append("workshop")
        if self._shows_host_link(request, obj):
            readonly.append("host_link_address")
        return readonly

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_host_link"
        view = self.admin_site.admin_view(self.host_link_view)
        return [path("<path:object_id>/host-link/", view, name=name), *super().get_urls()]

    def save_model(self, request, obj, form, change):
        session_update(session=obj)

    @admin.display(description=_("When"), ordering="date")
    def when(self, session: WorkshopSession) -> str:
        return two_lines(
            date_format(session.date, "D j M Y"),
            time_range_html(session.start_time, session.end_time),
        )

    @admin.display(description=_("Session"), ordering="workshop__title")
    def session(self, session: WorkshopSession) -> str:
        return two_lines(
            localized(session.workshop, "title"),
            gettext("%(run)s · Day %(number)s")
            % {"run": localized(session.run, "name"), "number": session.number},
        )

    @admin.display(description=_("Seats"))
    def seats(self, session: WorkshopSession) -> str:
        return seats_label(session.seats_taken, session.capacity)

    @admin.display(description=_("Status"), ordering="status_value")
    def status(self, session: WorkshopSession) -> str:
        return session.get_status_display()

    @admin.display(description=_("Host link"), boolean=True, ordering="has_host_link")
    def has_link(self, session: WorkshopSession) -> bool:
        return session.has_host_link

    @admin.display(description=_("Host link"))
    def host_link_address(self, session: WorkshopSession) -> str:
        page = reverse("admin:workshops_workshopsession_host_link", args=[session.pk])
        link = host_link_of(session=session)
        if link is None:
            if session.cancelled_at is not None:
                return gettext("None: a cancelled session gets no host link.")
            return format_html(
                '{} <a class="button" href="{}">{}</a>',
                gettext("None yet."),
                page,
                gettext("Provision a host link"),
            )
        return format_html(
            '<a href="{url}" rel="noreferrer">{url}</a><br><span class="help">{state}'
            '</span> <a class="button" href="{page}">{rotate}</a>',
            url=link.public_url,
            state=gettext("The link %(state)s.") % {"state": link_state(link)},
            page=page,
            rotate=gettext("Rotate"),
        )

    def has_provision_host_links_permission(self, request) -> bool:
        return request.user.has_perm("workshops.add_hostsession")

    @admin.action(description=_("Provision host links"), permissions=["provision_host_links"])
    def provision_host_links(self, request, queryset):
        created, existing, refused = 0, 0, []
        for session_id in queryset.values_list("pk", flat=True):
            try:
                result = host_link_provision(session_id=session_id, by=request.user)
            except HostLinkRefused as refusal:
                message = refusal.message
                if refusal.code == "session_ended":
                    message = gettext(
                        "%(refusal)s To fix its attendance late, give it a link from "
                        "the session's own page."
                    ) % {"refusal": message}
                refused.append(message)
            else:
                created += result.created
                existing += not result.created
        self.message_user(
            request,
            gettext(
                "Host links: %(created)d created, %(existing)d already existed, "
                "%(refused)d refused. Each session's page shows its link."
            )
            % {"created": created, "existing": existing, "refused": len(refused)},
            messages.WARNING if refused else messages.SUCCESS,
        )
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    def host_link_view(self, request, object_id):
        """Provision a session's host link, or rotate it, after staff confirm.

        Staff may do this for a session that has ended, for late attendance fixes: the
        new token opens for ``STUDYHALL_HOST_LINK_GRACE_HOURS`` from now.
        """
        session = self.get_object(request, unquote(object_id))
        if session is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        link = host_link_of(session=session)
        needed = "workshops.change_hostsession" if link else "workshops.add_hostsession"
        if not (self.has_view_permission(request, session) and request.user.has_perm(needed)):
            raise PermissionDenied
        change_page = reverse("admin:workshops_workshopsession_change", args=[session.pk])
        if request.method == "POST":
            try:
                result = host_link_provision(
                    session_id=session.pk, rotate=link is not None, force=True, by=request.user
                )
            except HostLinkRefused as refusal:
                self.message_user(request, refusal.message, messages.ERROR)
            else:
                done = (
                    gettext(
                        "Rotated the host link; the old one no longer opens. "
                        "Send the host %(url)s (it %(state)s)."
                    )
                    if result.rotated
                    else gettext("Created the host link. Send the host %(url)s (it %(state)s).")
                )
                self.message_user(
                    request,
                    done % {"url": result.link.public_url, "state": link_state(result.link)},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(change_page)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Rotate the host link") if link else gettext("Provision a host link"),
            "opts": self.opts,
            "session": session,
            "link": link,
            "ended": session.has_ended(),
            "grace_hours": settings.STUDYHALL_HOST_LINK_GRACE_HOURS,
            "change_page": change_page,
        }
        return TemplateResponse(request, "admin/workshops/host_link.html", context)


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


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The store's category chips: their names and order."""

    list_display = ("name", "name_ar", "slug", "position")
    list_editable = ("position",)
    search_fields = ("name", "name_ar")
    prepopulated_fields = {"slug": ("name",)}
