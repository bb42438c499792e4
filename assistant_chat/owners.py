"""Who is talking: a logged-in user, or an anonymous visitor known by a random key.

The visitor key is a random id kept in the visitor's Django session. It is never the
session key itself: that is a credential, and it changes at login.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from django.db.models import Q
from django.http import HttpRequest

VISITOR_KEY = "assistant_visitor_key"
CURRENT_CONVERSATION = "assistant_conversation"


@dataclass(frozen=True)
class ChatOwner:
    """Exactly one of ``user_id`` and ``visitor_key``, as on ``ChatSession``."""

    user_id: int | None = None
    visitor_key: str | None = None

    def __post_init__(self) -> None:
        if (self.user_id is None) == (self.visitor_key is None):
            raise ValueError("A chat owner is a user or a visitor, exactly one of the two.")

    @property
    def is_visitor(self) -> bool:
        return self.visitor_key is not None

    def lookup(self) -> Q:
        """The sessions this owner owns."""
        if self.user_id is not None:
            return Q(user_id=self.user_id)
        return Q(visitor_key=self.visitor_key)

    def owns(self, *, user_id: int | None, visitor_key: str | None) -> bool:
        if self.user_id is not None:
            return user_id == self.user_id
        return visitor_key == self.visitor_key

    def __str__(self) -> str:
        """For logs and rate-limit keys."""
        return f"user:{self.user_id}" if self.user_id is not None else f"visitor:{self.visitor_key}"


def new_visitor_key() -> str:
    return secrets.token_urlsafe(24)


def owner_for(request: HttpRequest, *, create: bool = False) -> ChatOwner | None:
    """The request's owner. A visitor gets a key only when ``create`` is set (on a
    write), so looking at the page never starts a Django session."""
    if request.user.is_authenticated:
        return ChatOwner(user_id=request.user.pk)
    key = request.session.get(VISITOR_KEY)
    if key is None and create:
        key = new_visitor_key()
        request.session[VISITOR_KEY] = key
    return ChatOwner(visitor_key=key) if key else None


def current_conversation(request: HttpRequest) -> uuid.UUID | None:
    value = request.session.get(CURRENT_CONVERSATION)
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def remember_conversation(request: HttpRequest, session_id: uuid.UUID | None) -> None:
    """Make ``session_id`` the conversation /assistant/ shows; written only on change."""
    value = str(session_id) if session_id else None
    if request.session.get(CURRENT_CONVERSATION) != value:
        if value is None:
            request.session.pop(CURRENT_CONVERSATION, None)
        else:
            request.session[CURRENT_CONVERSATION] = value
