"""Display helpers for Studyhall's templates."""

from __future__ import annotations

import datetime

from django import template

from core.money import format_price

register = template.Library()


@register.filter
def minutes(duration: datetime.timedelta | None) -> int | str:
    """A duration in whole minutes (at least 1), for "wait 15 minutes"."""
    if not isinstance(duration, datetime.timedelta):
        return ""
    return max(1, round(duration.total_seconds() / 60))


@register.filter
def get(mapping, key):
    """``mapping[key]``, or nothing: a lookup a view prepared, by a key from the page."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def price(amount) -> str:
    """An amount in the site's currency, as the page's language writes it: ``$45.00``."""
    return format_price(amount)
