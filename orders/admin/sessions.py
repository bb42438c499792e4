"""Sessions in the admin, in one place: their schedule fields, status, seats and host
link, and their attendees with check-in, cancelling sessions and exporting attendees.

It lives in the orders app because it shows and changes seats (orders depend on
workshops, never the other way); the schedule's own pieces it uses (filters aside) are
in ``workshops/admin/common.py``.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.i18n import localized, time_range_html
from core.spreadsheets import write_csv
from orders.admin.common import ReadOnlyInline, confirm_action
from orders.models import OrderItem
from orders.selectors import session_attendees
from orders.services.cancellation import sessions_cancel
from orders.services.checkin import CheckInRefused, seat_check_in, seat_check_in_undo
from orders.services.session_moves import session_move
from workshops.admin.common import (
    SessionSaveRefusals,
    link_state,
    seats_label,
    two_lines,
)
from workshops.models import (
    SessionStatus,
    WorkshopRun,
    WorkshopSession,
)
from workshops.selectors.host_links import host_link_of, with_host_link_flag
from workshops.selectors.schedule import unlimited_by_mistake
from workshops.services import (
    HostLinkRefused,
    host_link_provision,
    session_update,
)


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


class AttendeeForm(forms.ModelForm):
    """One attendee's check-in box. It changes no field itself: the session admin
    passes a change to the check-in services."""

    # The page carries what it showed, so a save compares the box with that, not with
    # the database now: a host's check-in or undo since the page opened is not undone
    # by a save that did not touch the box.
    checked_in = forms.BooleanField(required=False, label=_("Checked in"), show_hidden_initial=True)

    class Meta:
        model = OrderItem
        fields = ()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial["checked_in"] = self.instance.checked_in_at is not None
        if not self.instance.is_active:
            self.fields["checked_in"].disabled = True  # a cancelled seat is not checked in

    def _post_clean(self) -> None:
        pass  # no model field is edited here; the check-in service checks the seat


class AttendeeInline(ReadOnlyInline):
    """A session's attendees. Staff who may change seats tick "Checked in"."""

    model = OrderItem
    form = AttendeeForm
    verbose_name = _("attendee")
    verbose_name_plural = _("attendees")
    fields = (
        "attendee_label",
        "attendee_email",
        "order_link",
        "status",
        "checked_in",
        "checked_in_at",
    )
    readonly_fields = ("attendee_label", "attendee_email", "order_link", "status", "checked_in_at")
    ordering = ("status", "attendee__last_name", "attendee__username")

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("orders.change_orderitem")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("attendee", "buyer", "order")

    @admin.display(description=_("Attendee"))
    def attendee_label(self, seat: OrderItem) -> str:
        """Who sits in the seat, and who booked it when that is a parent."""
        if not seat.for_someone_else:
            return seat.attendee_name
        return format_html(
            "{}<br><small>{}</small>",
            seat.attendee_name,
            gettext("booked by %(name)s") % {"name": seat.booked_by_name},
        )

    @admin.display(description=_("Email"))
    def attendee_email(self, seat: OrderItem) -> str:
        return seat.attendee.email

    @admin.display(description=_("Checked in"), boolean=True)
    def checked_in(self, seat: OrderItem) -> bool:
        """Shown to staff who may only view seats, in place of the box."""
        return seat.checked_in_at is not None

    @admin.display(description=_("Order"))
    def order_link(self, seat: OrderItem) -> str:
        url = reverse("admin:orders_order_change", args=[seat.order_id])
        return format_html('<a href="{}">{}</a>', url, seat.order.reference)


ATTENDEE_COLUMNS = (
    "workshop",
    "run",
    "day",
    "date",
    "start",
    "end",
    "attendee",
    "name",
    "email",
    "booked by",
    "order",
    "seat status",
    "checked in at",
)


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
    inlines = [AttendeeInline]
    actions = ["cancel_sessions", "provision_host_links", "export_attendees"]

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
        if change and "run" in form.changed_data:
            # Another run of the same workshop: the seats move with the session.
            session_move(session=obj, run=obj.run)
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

    @admin.action(
        description=_("Cancel selected sessions and their seats…"), permissions=["change"]
    )
    def cancel_sessions(self, request, queryset):
        """Each buyer is told by email, with the next available session of the workshop."""
        sessions = queryset.select_related("workshop", "run")
        if "apply" not in request.POST:
            return confirm_action(
                self,
                request,
                sessions,
                action="cancel_sessions",
                step=gettext("Cancel sessions"),
                intro=gettext(
                    "These sessions are cancelled. Every seat booked in them is freed, and "
                    "each buyer gets an email with the next available session:"
                ),
                items=[
                    ngettext(
                        "%(session)s · %(count)d seat booked",
                        "%(session)s · %(count)d seats booked",
                        session.seats_taken,
                    )
                    % {"session": session, "count": session.seats_taken}
                    for session in sessions
                ],
                submit=gettext("Yes, cancel these sessions"),
            )
        done = sessions_cancel(session_ids=[session.pk for session in sessions])
        sessions_part = ngettext(
            "Cancelled %(count)d session;", "Cancelled %(count)d sessions;", done.sessions
        ) % {"count": done.sessions}
        seats_part = ngettext(
            "%(count)d seat freed and its buyer told by email;",
            "%(count)d seats freed and their buyers told by email;",
            done.seats,
        ) % {"count": done.seats}
        orders_part = ngettext(
            "%(count)d order cancelled with its last seat.",
            "%(count)d orders cancelled with their last seat.",
            done.orders,
        ) % {"count": done.orders}
        self.message_user(request, f"{sessions_part} {seats_part} {orders_part}", messages.SUCCESS)
        return None

    def save_formset(self, request, form, formset, change):
        if formset.model is not OrderItem:
            return super().save_formset(request, form, formset, change)
        # What formset.save() would record, for the admin's history of this session.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for seat_form in formset.forms:
            if "checked_in" not in seat_form.changed_data:
                continue
            service, done = (
                (seat_check_in, gettext("%(name)s is checked in."))
                if seat_form.cleaned_data["checked_in"]
                else (seat_check_in_undo, gettext("%(name)s is no longer checked in."))
            )
            try:
                # Staff fix attendance after the session's day too (late=True).
                seat = service(session=form.instance, seat_id=seat_form.instance.pk, late=True)
            except CheckInRefused as refusal:
                self.message_user(request, refusal.message, messages.WARNING)
            else:
                formset.changed_objects.append((seat, ["checked_in"]))
                self.message_user(request, done % {"name": seat.attendee_name}, messages.SUCCESS)
        return None

    @admin.action(
        description=_("Export attendees of selected sessions (CSV)"), permissions=["view"]
    )
    def export_attendees(self, request, queryset):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="attendees-{stamp}.csv"'
        rows = (
            [
                seat.workshop.title,
                seat.run.name,
                seat.session.number,
                seat.session.date.isoformat(),
                f"{seat.session.start_time:%H:%M}",
                f"{seat.session.end_time:%H:%M}",
                seat.attendee.get_username(),
                seat.attendee.get_full_name(),
                seat.attendee.email,
                seat.buyer.get_username(),
                seat.order.reference,
                seat.status,
                timezone.localtime(seat.checked_in_at).isoformat() if seat.checked_in_at else "",
            ]
            for seat in session_attendees(sessions=queryset)
        )
        write_csv(response, ATTENDEE_COLUMNS, rows)
        return response
