"""The schedule's models, by concern: what is offered (``catalogue``), when it meets
(``schedule``: runs, sessions, what "bookable" means), and the hosts' private links
(``host_links``). Import them from here, as Django does."""

from workshops.models.catalogue import (
    SEARCH_CONFIG,
    Category,
    Workshop,
    workshop_search_vector,
)
from workshops.models.host_links import (
    HOST_TOKEN_BYTES,
    HOST_TOKEN_PATTERN,
    HOST_TOKEN_RULE,
    HostSession,
    new_host_token,
)
from workshops.models.schedule import (
    BookingBlock,
    SessionStatus,
    WorkshopRun,
    WorkshopSession,
    WorkshopSessionQuerySet,
)

__all__ = [
    "HOST_TOKEN_BYTES",
    "HOST_TOKEN_PATTERN",
    "HOST_TOKEN_RULE",
    "SEARCH_CONFIG",
    "BookingBlock",
    "Category",
    "HostSession",
    "SessionStatus",
    "Workshop",
    "WorkshopRun",
    "WorkshopSession",
    "WorkshopSessionQuerySet",
    "new_host_token",
    "workshop_search_vector",
]
