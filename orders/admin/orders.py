"""Orders in the admin: found, read, and cancelled through the same service buyers use."""

from django.contrib import admin, messages
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.i18n import localized
from core.money import format_price
from core.people import display_name
from orders.admin.common import ReadOnlyInline, confirm_action
from orders.models import Order, OrderItem, OrderStatus
from orders.services.cancellation import order_cancel
from workshops.admin.common import two_lines


@admin.display(description=_("Buyer"), ordering="buyer__last_name")
def buyer_name(obj: Order | OrderItem) -> str:
    """The buyer of an order or a seat, as staff call them."""
    return display_name(obj.buyer)


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
