"""Demo host links: one for each of the first sessions with bookings, provisioned
through the real service, so `make run` prints an address to open at once."""

from __future__ import annotations

import datetime

from workshops.models import HostSession, WorkshopSession
from workshops.services import HostLinkRefused, host_link_provision

# (workshop slug, run name, day): sessions the demo bookings fill (demo/schedule.py).
HOSTED_SESSIONS = (
    ("robotics-arduino", "Spring build", 1),
    ("intro-to-python", "Weekday cohort", 1),
)


def seed_host_links(now: datetime.datetime) -> list[HostSession]:
    """The demo sessions' host links, created when missing. A session the schedule no
    longer allows a link for (ended, cancelled) is skipped: the demo never overrides
    a rule."""
    links = []
    for slug, run_name, number in HOSTED_SESSIONS:
        session = WorkshopSession.objects.get(
            workshop__slug=slug, run__name=run_name, number=number
        )
        try:
            links.append(host_link_provision(session_id=session.pk, now=now).link)
        except HostLinkRefused:
            continue
    return links
