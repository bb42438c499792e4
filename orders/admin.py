"""Orders in the admin, and each session's attendees.

The attendees inline (with check-in) and the CSV export extend the workshops app's
session admin from here, so the dependency keeps pointing from orders to workshops.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Prefetch
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.i18n import localized
from core.money import format_price
from core.spreadsheets import write_csv
from orders.models import Order, OrderItem, OrderStatus, person_name
from orders.selectors import session_attendees
from orders.services.cancellation import order_cancel, sessions_cancel
from orders.services.checkin import CheckInRefused, seat_check_in, seat_check_in_undo
from orders.services.session_moves import session_move
from workshops.admin import WorkshopSessionAdmin, two_lines
from workshops.models import WorkshopSession


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


@admin.display(description=_("Buyer"), ordering="buyer__last_name")
def buyer_name(obj: Order | OrderItem) -> str:
    """The buyer of an order or a seat, as staff call them."""
    return person_name(obj.buyer)


@admin.display(description=_("Email"), ordering="buyer__email")
def buyer_email(obj: Order | OrderItem) -> str:
    return obj.buyer.email


class SeatInline(ReadOnlyInline):
    model = OrderItem
    verbose_name = _("seat")
    verbose_name_plural = _("seats")
    fields = ("session_page", "price_label", "status", "checked_in_at", "cancelled_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session__workshop", "session__run")

    @admin.display(description=_("Session"))
    def session_page(self, seat: OrderItem) -> str:
        url = reverse("admin:workshops_workshopsession_change", args=[seat.session_id])
        return format_html('<a href="{}">{}</a>', url, seat.session.schedule_label)

    @admin.display(description=_("Price"))
    def price_label(self, seat: OrderItem) -> str:
        return format_price(seat.price)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("order", buyer_name, "booked", "total", "status")
    list_filter = ("status", ("created_at", admin.DateFieldListFilter))
    search_fields = (
        "reference",
        "buyer__username",
        "buyer__first_name",
        "buyer__last_name",
        "buyer__email",
    )
    date_hierarchy = "created_at"
    list_select_related = ("buyer",)
    fields = ("reference", buyer_name, buyer_email, "status", "total", "created_at", "updated_at")
    readonly_fields = fields
    inlines = [SeatInline]
    actions = ["cancel_orders"]
    # An order's page on the site is its buyer's alone (others get a 404), so the admin
    # offers no "View on site" link that would fail for staff.
    view_on_site = False

    def has_add_permission(self, request) -> bool:
        return False  # orders are made by booking, which keeps the seat counts true

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cancel instead: nothing is deleted

    def get_queryset(self, request):
        seats = OrderItem.objects.select_related("session__workshop", "session__run")
        return super().get_queryset(request).prefetch_related(Prefetch("seats", queryset=seats))

    @admin.display(description=_("Order"), ordering="created_at")
    def order(self, order: Order) -> str:
        """The reference, and when it was placed below it."""
        return two_lines(
            order.reference,
            date_format(timezone.localtime(order.created_at), "SHORT_DATETIME_FORMAT"),
        )

    @admin.display(description=_("Booked"))
    def booked(self, order: Order) -> str:
        """The workshop and the session (or the run, for a whole run's order)."""
        sessions = [seat.session for seat in order.seats.all()]
        if not sessions:
            return "–"
        first = sessions[0]
        names = {
            "run": localized(first.run, "name"),
            "number": first.number,
            "sessions": len(sessions),
            "date": date_format(first.date, "j M Y"),
        }
        if len(sessions) == 1:
            detail = gettext("%(run)s · Day %(number)s · %(date)s") % names
        else:
            detail = (
                ngettext(
                    "%(run)s · %(sessions)d session from %(date)s",
                    "%(run)s · %(sessions)d sessions from %(date)s",
                    len(sessions),
                )
                % names
            )
        return two_lines(localized(first.workshop, "title"), detail)

    @admin.display(description=_("Total"))
    def total(self, order: Order) -> str:
        """What the seats still held cost; a cancelled order holds none, which is not
        the same as free."""
        if order.status == OrderStatus.CANCELLED:
            return "–"
        return format_price(order.total)

    @admin.action(
        description=_("Cancel selected orders and free their seats…"), permissions=["change"]
    )
    def cancel_orders(self, request, queryset):
        if "apply" not in request.POST:
            return confirm_action(
                self,
                request,
                queryset,
                action="cancel_orders",
                step=gettext("Cancel orders"),
                intro=gettext(
                    "These orders are cancelled and their seats freed at once, also in "
                    "sessions that have started:"
                ),
                items=[f"{order.reference}: {buyer_name(order)}" for order in queryset],
                submit=gettext("Yes, cancel these orders"),
            )
        cancelled, refused = 0, []
        for order in queryset.exclude(status=OrderStatus.CANCELLED):
            try:
                order_cancel(order=order, by_staff=True)
            except DomainError as refusal:
                refused.append(refusal.message)
            else:
                cancelled += 1
        self.message_user(
            request,
            ngettext("Cancelled %(count)d order.", "Cancelled %(count)d orders.", cancelled)
            % {"count": cancelled},
            messages.SUCCESS,
        )
        for message in refused:
            self.message_user(request, message, messages.WARNING)


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
    fields = (buyer_name, buyer_email, "order_link", "status", "checked_in", "checked_in_at")
    readonly_fields = (buyer_name, buyer_email, "order_link", "status", "checked_in_at")
    ordering = ("status", "buyer__last_name", "buyer__username")

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("orders.change_orderitem")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("buyer", "order")

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
    "buyer",
    "name",
    "email",
    "order",
    "seat status",
    "checked in at",
)


class SessionWithAttendeesAdmin(WorkshopSessionAdmin):
    inlines = [*WorkshopSessionAdmin.inlines, AttendeeInline]
    actions = ["cancel_sessions", *WorkshopSessionAdmin.actions, "export_attendees"]

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

    def save_model(self, request, obj, form, change):
        if change and "run" in form.changed_data:
            # Another run of the same workshop: the seats move with the session.
            session_move(session=obj, run=obj.run)
        super().save_model(request, obj, form, change)

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
                seat.buyer.get_username(),
                seat.buyer.get_full_name(),
                seat.buyer.email,
                seat.order.reference,
                seat.status,
                timezone.localtime(seat.checked_in_at).isoformat() if seat.checked_in_at else "",
            ]
            for seat in session_attendees(sessions=queryset)
        )
        write_csv(response, ATTENDEE_COLUMNS, rows)
        return response


admin.site.unregister(WorkshopSession)
admin.site.register(WorkshopSession, SessionWithAttendeesAdmin)
