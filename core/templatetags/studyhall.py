"""Display helpers for Studyhall's templates."""

from __future__ import annotations

import datetime

from django import template
from django.utils.html import format_html

from core.i18n import ARABIC, current_language, localized, time_range_html
from core.i18n import comma as language_comma
from core.money import format_price
from core.people import display_name

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


@register.filter(name="display_name")
def display_name_filter(user) -> str:
    """A person as pages name them (``core.people.display_name``)."""
    return display_name(user)


@register.filter
def price(amount) -> str:
    """An amount in the site's currency, as the page's language writes it: ``$45.00``."""
    return format_price(amount)


@register.simple_tag(name="comma")
def comma_tag() -> str:
    """``{% comma %}``: the comma of the page's language, between a date and a time."""
    return language_comma()


@register.simple_tag
def time_range(start: datetime.time, end: datetime.time) -> str:
    """``{% time_range session.start_time session.end_time %}``: ``18:00–20:00``, kept on
    one line and in one direction (``core.i18n.time_range_html``)."""
    if not isinstance(start, datetime.time) or not isinstance(end, datetime.time):
        return ""
    return time_range_html(start, end)


@register.filter
def local(obj, field: str) -> str:
    """``{{ workshop|local:"title" }}``: the field in the page's language (``title_ar``
    on Arabic pages), falling back to the other language when it is empty."""
    return localized(obj, field)


@register.filter
def twin(obj, field: str) -> str:
    """``{{ workshop|twin:"title" }}``: on an English page, the Arabic name beside the
    English one, as the business has always written them, marked with its language and
    direction; nothing when it is empty or the same. An Arabic page is wholly Arabic:
    nothing there."""
    if current_language() == ARABIC:
        return ""
    shown = localized(obj, field)
    text = localized(obj, field, ARABIC)
    if not text or text == shown:
        return ""
    return format_html('<bdi class="twin" lang="ar" dir="rtl">{}</bdi>', text)
