"""What each kind of email says, registered by the app that owns its subject.

An email row holds only ids and the values that changed (``Email.context``); its
text is written when a worker sends it, in the recipient's language of that moment,
from the rows as they are then. A writer returns ``None`` when there is nothing left
to say (the seat a reminder is about was cancelled since), and the email is recorded
as not needed instead of sent.

Each app registers its writers from its ``AppConfig.ready()`` (``orders/emails.py``,
``tutoring/emails.py``), so this app imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emails.models import Email


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class Letter:
    """One email's words: ``template`` names ``templates/emails/<template>.txt`` and
    ``.html``, both given ``context``."""

    subject: str
    template: str
    context: dict[str, Any]
    attachments: tuple[Attachment, ...] = field(default=())


Writer = Callable[["Email"], Letter | None]
_writers: dict[str, Writer] = {}


def writer(kind: str) -> Callable[[Writer], Writer]:
    """Register the function that writes emails of ``kind``."""

    def register(function: Writer) -> Writer:
        if kind in _writers and _writers[kind] is not function:
            raise ValueError(f"Two writers for emails of kind {kind!r}.")
        _writers[kind] = function
        return function

    return register


def writer_of(kind: str) -> Writer:
    try:
        return _writers[kind]
    except KeyError:
        raise LookupError(f"No writer for emails of kind {kind!r}.") from None


def kinds() -> list[str]:
    return sorted(_writers)


# Work a periodic run finds due (``send_reminders``): each app registers a function
# that queues its due emails and returns how many it queued.
DueFinder = Callable[..., int]
_due_finders: dict[str, DueFinder] = {}


def due_finder(name: str) -> Callable[[DueFinder], DueFinder]:
    def register(function: DueFinder) -> DueFinder:
        _due_finders[name] = function
        return function

    return register


def due_finders() -> dict[str, DueFinder]:
    return dict(_due_finders)
