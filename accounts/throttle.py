"""Login throttling on top of django-axes, stored in the database every server shares.

Failures count per username and per address. A username is locked after
``AXES_FAILURE_LIMIT`` failures within ``AXES_COOLOFF_TIME``; an address only after
``STUDYHALL_LOGIN_FAILURES_PER_ADDRESS``, far more, because a classroom shares one
address behind NAT and one student's typos must not lock out the others. A
successful login clears that username's failures only, so logging in to your own
account cannot reset the count against someone else's.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class LoginThrottle(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """Failures on the scale of the per-username limit: an address's failures count
        ``AXES_FAILURE_LIMIT / STUDYHALL_LOGIN_FAILURES_PER_ADDRESS`` each."""
        by_username, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        scaled = by_address * settings.AXES_FAILURE_LIMIT
        return max(by_username, scaled // settings.STUDYHALL_LOGIN_FAILURES_PER_ADDRESS)

    def user_logged_in(self, sender, request, user, **kwargs) -> None:
        super().user_logged_in(sender, request, user, **kwargs)
        AccessAttempt.objects.filter(username=user.get_username()).delete()
