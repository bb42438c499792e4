"""At login, a visitor's conversations move to the account they logged in to."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from assistant_chat.owners import VISITOR_KEY
from assistant_chat.services import chat_sessions_claim


def claim_visitor_conversations(
    sender, request: HttpRequest | None, user: AbstractBaseUser, **kwargs
) -> None:
    """Django keeps the session's data across login (it only changes the key), so the
    visitor key and the current conversation are still there. The key is dropped once
    its conversations are the user's."""
    if request is None or not hasattr(request, "session"):
        return
    visitor_key = request.session.pop(VISITOR_KEY, None)
    if visitor_key:
        chat_sessions_claim(visitor_key=visitor_key, user=user)
