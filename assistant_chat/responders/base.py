"""What every responder is given and what it returns.

A responder turns a ``Question`` into an answer: text in which ``[label](/path)`` is a
link to one of Studyhall's pages (``assistant_chat.markup`` renders it). It is called
outside any transaction and may be slow; it must not write.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Protocol

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone


@dataclass(frozen=True)
class Question:
    text: str
    user: AbstractBaseUser | None = None
    # The conversation it belongs to, when that conversation already has messages.
    session_id: uuid.UUID | None = None
    now: datetime.datetime = field(default_factory=timezone.now)

    @property
    def asker(self) -> AbstractBaseUser | None:
        """The logged-in user asking, or ``None`` for a visitor."""
        return self.user if self.user is not None and self.user.is_authenticated else None


class Responder(Protocol):
    def reply(self, question: Question) -> str: ...


def link(label: str, url: str) -> str:
    """A link in an answer. Brackets in the label would end it early."""
    return f"[{label.replace('[', '(').replace(']', ')')}]({url})"
