"""Orders and their seats. In code an ``OrderItem`` is called a seat: one seat in one
session, with its status (``SeatStatus``) and check-in time.

Invariants kept here (see docs/invariants.md):

- ``order_item_session``: a seat's session exists, and the seat's run and workshop
  equal the session's. ``clean()`` explains it; on PostgreSQL the composite foreign
  key ``(session_id, run_id, workshop_id) -> session(id, run_id, workshop_id)``
  refuses it (migration 0001).
- ``session_capacity`` (count): a session's ``seats_taken`` equals its active seats.
  Only ``orders.services`` change either, in one transaction, under a row lock.
- ``seat_attendee``: a seat's attendee is its buyer or one of the buyer's children
  (``tutoring.FamilyLink``); ``clean()`` explains it, on PostgreSQL a constraint
  trigger refuses it (migration 0013). One active seat per attendee per session: a
  partial unique constraint.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.money import PriceField
from core.people import display_name
from tutoring.selectors import children_user_ids
from workshops.models import Workshop, WorkshopRun, WorkshopSession

# No 0/O or 1/I/L: references are read out over the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 10


def new_reference() -> str:
    """A short, unguessable order reference: 10 characters, about 50 bits."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


class OrderStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class SeatStatus(models.TextChoices):
    ACTIVE = "active", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


class Order(models.Model):
    reference = models.CharField(
        max_length=16,
        unique=True,
        default=new_reference,
        editable=False,
        verbose_name=_("reference"),
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("buyer"),
    )
    status = models.CharField(
        max_length=16,
        choices=OrderStatus,
        default=OrderStatus.CONFIRMED,
        verbose_name=_("status"),
    )
    created_at = models.DateTimeField(
        auto_now_add=True,
        db_index=True,
        verbose_name=_("created at"),
    )
    updated_at = models.DateTimeField(
        auto_now=True,
        verbose_name=_("updated at"),
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values),
                name="order_status_valid",
                violation_error_message=_("An order is confirmed or cancelled."),
            ),
            # The target of the seats' (order_id, buyer_id) foreign key.
            models.UniqueConstraint(
                fields=["id", "buyer"],
                name="order_id_buyer_key",
                violation_error_message=_("An order has one buyer."),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("orders:detail", kwargs={"reference": self.reference})

    @property
    def total(self) -> Decimal:
        """What the seats still held cost (from ``seats``, prefetched by the pages)."""
        return sum((seat.price for seat in self.seats.all() if seat.is_active), Decimal(0))


class OrderItem(models.Model):
    """One seat in one session. Run and workshop are copied from the session."""

    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        related_name="seats",
        verbose_name=_("order"),
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="seats",
        help_text=_("Who holds the seat: always the order's buyer."),
        verbose_name=_("buyer"),
    )
    attendee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="attended_seats",
        help_text=_("Who sits in the seat: the buyer, or one of the buyer's children."),
        verbose_name=_("attendee"),
    )
    session = models.ForeignKey(
        WorkshopSession,
        on_delete=models.PROTECT,
        related_name="seats",
        verbose_name=_("session"),
    )
    run = models.ForeignKey(
        WorkshopRun,
        on_delete=models.PROTECT,
        related_name="seats",
        verbose_name=_("run"),
    )
    workshop = models.ForeignKey(
        Workshop,
        on_delete=models.PROTECT,
        related_name="seats",
        verbose_name=_("workshop"),
    )
    price = PriceField(
        help_text=_("What the seat cost when it was booked."),
        verbose_name=_("price"),
    )
    status = models.CharField(
        max_length=16,
        choices=SeatStatus,
        default=SeatStatus.ACTIVE,
        verbose_name=_("status"),
    )
    checked_in_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("checked in at"),
    )
    created_at = models.DateTimeField(
        auto_now_add=True,
        verbose_name=_("created at"),
    )
    cancelled_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("cancelled at"),
    )

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        ordering = ["session__date", "session__start_time", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "attendee"],
                condition=Q(status=SeatStatus.ACTIVE),
                name="item_one_active_seat_per_attendee_and_session",
                violation_error_message=_("This person already has a seat in this session."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=SeatStatus.values),
                name="item_status_valid",
                violation_error_message=_("A seat is booked or cancelled."),
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="item_price_not_negative",
                violation_error_message=_("A seat's price cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(status=SeatStatus.CANCELLED, cancelled_at__isnull=False)
                | Q(status=SeatStatus.ACTIVE, cancelled_at__isnull=True),
                name="item_cancelled_at_matches_status",
                violation_error_message=_(
                    "A cancelled seat has the time it was cancelled and a booked seat has "
                    "none; cancel seats with the cancel action, not by hand."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status=SeatStatus.ACTIVE) | Q(checked_in_at__isnull=True),
                name="item_checked_in_only_when_active",
                violation_error_message=_(
                    "A cancelled seat keeps no check-in time; cancelling a seat clears it."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} – {self.session}"

    @property
    def attendee_name(self) -> str:
        return display_name(self.attendee)

    @property
    def booked_by_name(self) -> str:
        return display_name(self.buyer)

    @property
    def for_someone_else(self) -> bool:
        """A parent's seat for their child."""
        return self.attendee_id != self.buyer_id

    @property
    def is_active(self) -> bool:
        return self.status == SeatStatus.ACTIVE

    def clean(self) -> None:
        errors: dict[str, str] = {}
        session = WorkshopSession.objects.filter(pk=self.session_id).first()
        if self.session_id is not None and session is None:
            errors["session"] = gettext("This session does not exist.")
        elif session is not None:
            if self.run_id != session.run_id:
                errors["run"] = gettext("The seat's run must be its session's run.")
            if self.workshop_id != session.workshop_id:
                errors["workshop"] = gettext("The seat's workshop must be its session's workshop.")
        if (
            self.order_id
            and self.buyer_id
            and not Order.objects.filter(pk=self.order_id, buyer_id=self.buyer_id).exists()
        ):
            errors["buyer"] = gettext("The seat's buyer must be its order's buyer.")
        if (
            self.attendee_id
            and self.buyer_id
            and self.attendee_id != self.buyer_id
            and self.attendee_id not in children_user_ids(self.buyer_id)
        ):
            errors["attendee"] = gettext(
                "The attendee must be the buyer or one of the buyer's children."
            )
        if errors:
            raise ValidationError(errors)


def new_feed_token() -> str:
    """A calendar feed's secret: random, about 190 bits, safe in a URL path."""
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The private address from which a user's calendar app reads their seats.

    Whoever has the address can read the user's bookings, so it is made only when the
    user asks, and the user can renew it (the old address stops working) or turn it off.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    token = models.CharField(
        max_length=64,
        unique=True,
        default=new_feed_token,
        editable=False,
        verbose_name=_("token"),
    )
    created_at = models.DateTimeField(
        default=timezone.now,
        editable=False,
        help_text=_("When the current address was made."),
        verbose_name=_("created at"),
    )

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return gettext("Calendar feed of %(user)s") % {"user": self.user}

    def get_absolute_url(self) -> str:
        return reverse("orders:calendar_feed", kwargs={"token": self.token})
