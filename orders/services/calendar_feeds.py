"""A user's private calendar address: made when they ask, renewed or turned off."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from orders.models import CalendarFeed, new_feed_token


def calendar_feed_turn_on(*, user: AbstractBaseUser) -> CalendarFeed:
    """The user's calendar address, made now if they have none (a double click makes
    one, not two: the user is unique)."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_renew(*, user: AbstractBaseUser) -> CalendarFeed:
    """A new address for the user's calendar; the old one stops working at once."""
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": new_feed_token(), "created_at": timezone.now()}
    )
    return feed


def calendar_feed_turn_off(*, user: AbstractBaseUser) -> bool:
    """No calendar address for the user any more; True if there was one."""
    deleted, _rows = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)
