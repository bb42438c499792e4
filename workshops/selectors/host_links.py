"""Reads of host links: which sessions have one, and which link a token opens."""

from __future__ import annotations

import datetime
import re

from django.db.models import (
    Exists,
    OuterRef,
    QuerySet,
)

from workshops.models import (
    HOST_TOKEN_PATTERN,
    HostSession,
    WorkshopSession,
)


def with_host_link_flag(sessions: QuerySet[WorkshopSession]) -> QuerySet[WorkshopSession]:
    """Annotate ``has_host_link``: whether each session has a host link."""
    return sessions.annotate(
        has_host_link=Exists(HostSession.objects.filter(session_id=OuterRef("pk")))
    )


def sessions_to_host(*, now: datetime.datetime | None = None) -> QuerySet[WorkshopSession]:
    """Sessions that can be given a host link now: not cancelled and not ended, in date
    order, with workshop and run and ``has_host_link``. One query."""
    sessions = (
        WorkshopSession.objects.not_ended(now)
        .filter(cancelled_at__isnull=True)
        .select_related("workshop", "run")
        .order_by("date", "start_time", "id")
    )
    return with_host_link_flag(sessions)


def host_link_of(*, session: WorkshopSession) -> HostSession | None:
    """The session's host link, if it has one."""
    return HostSession.objects.filter(session=session).first()


_TOKEN = re.compile(HOST_TOKEN_PATTERN)


def host_link_for_token(*, token: str, now: datetime.datetime | None = None) -> HostSession | None:
    """The host link ``token`` opens now, with its session, run and workshop, or
    ``None``: for a token that was never issued, was rotated away, or has expired
    alike, so a page cannot tell which sessions exist. One query, none for a token
    that cannot be one."""
    if not _TOKEN.fullmatch(token):
        return None
    link = (
        HostSession.objects.select_related("session__workshop", "session__run")
        .filter(token=token)
        .first()
    )
    if link is None or not link.opens_at(now):
        return None
    return link
