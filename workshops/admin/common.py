"""What the schedule's admin pages share (and the session admin, in the orders app,
uses): seat counts in words, dates and two-line cells, a host link's state, and the
refusal of a save that seats sold meanwhile made wrong."""

import datetime

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext

from workshops.models import (
    HostSession,
)
from workshops.services import (
    ScheduleError,
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
