"""Reads of conversations for the chat page, the API, the admin and the responders."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from assistant_chat.models import ChatMessage, ChatRole, ChatSession
from assistant_chat.owners import ChatOwner


def chat_session_owner(*, session_id: uuid.UUID) -> dict[str, Any] | None:
    """``{"user_id", "visitor_key"}`` of the session, or ``None`` when it does not exist."""
    return ChatSession.objects.filter(pk=session_id).values("user_id", "visitor_key").first()


def stored_answer(*, session_id: uuid.UUID, client_message_id: str) -> ChatMessage | None:
    """The answer already stored for the question sent with ``client_message_id``, with
    that question as ``reply_to``."""
    return (
        ChatMessage.objects.select_related("reply_to")
        .filter(
            session_id=session_id,
            role=ChatRole.ASSISTANT,
            reply_to__client_message_id=client_message_id,
        )
        .first()
    )


def conversation_for(*, owner: ChatOwner, session_id: uuid.UUID) -> ChatSession | None:
    """The owner's conversation ``session_id``; ``None`` when it is someone else's or
    does not exist, so callers answer both the same way (not found)."""
    return ChatSession.objects.filter(owner.lookup(), pk=session_id).first()


def conversations_for(*, owner: ChatOwner, limit: int = 20) -> list[ChatSession]:
    """The owner's conversations, the most recent first."""
    return list(ChatSession.objects.filter(owner.lookup()).order_by("-last_message_at")[:limit])


def conversation_messages(*, session_id: uuid.UUID) -> QuerySet[ChatMessage]:
    """A conversation's messages in order. One query."""
    return ChatMessage.objects.filter(session_id=session_id).order_by("sequence")


def conversation_tail(*, session_id: uuid.UUID, limit: int) -> list[ChatMessage]:
    """The last ``limit`` messages of a conversation, oldest first."""
    newest = ChatMessage.objects.filter(session_id=session_id).order_by("-sequence")[:limit]
    return list(reversed(newest))


def conversation_export(*, session: ChatSession) -> dict[str, Any]:
    """One conversation as plain data, for staff's export: who, when, and every message."""
    messages = list(conversation_messages(session_id=session.pk))
    sequence_of = {message.pk: message.sequence for message in messages}
    return {
        "id": str(session.pk),
        "title": session.title,
        "user": session.user.get_username() if session.user_id else None,
        "visitor_key": session.visitor_key,
        "created_at": timezone.localtime(session.created_at).isoformat(),
        "last_message_at": timezone.localtime(session.last_message_at).isoformat(),
        "message_count": session.message_count,
        "messages": [
            {
                "sequence": message.sequence,
                "role": message.role,
                "content": message.content,
                "client_message_id": message.client_message_id,
                "reply_to": sequence_of.get(message.reply_to_id),
                "created_at": timezone.localtime(message.created_at).isoformat(),
            }
            for message in messages
        ],
    }
