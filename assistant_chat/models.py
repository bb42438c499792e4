"""Conversations with the booking assistant and their messages.

Invariant kept here (see docs/invariants.md), ``chat_message_session``: every message
belongs to an existing chat session, and every session belongs to an existing user or
to an anonymous visitor key, never both and never neither.

- A message's ``session`` is a required foreign key; the database deletes a session's
  messages with it (``ON DELETE CASCADE``), so no delete path can leave one behind.
- A session's ``user`` is a foreign key (deleting the user deletes their
  conversations); the check ``chat_session_user_or_visitor`` requires exactly one of
  ``user`` and ``visitor_key``.
- An answer replies to a question of its own session: on PostgreSQL the composite
  foreign key ``(reply_to_id, session_id) -> message(id, session_id)`` (migration 0001).

Only ``assistant_chat.services`` writes these rows: it creates the session before its
messages, race-safely, and numbers the messages under the session row's lock.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

TITLE_LENGTH = 80


def title_from(question: str) -> str:
    """A conversation's title: its first question on one line, shortened."""
    line = " ".join(question.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "…"


class ChatSession(models.Model):
    """One conversation. The client may propose its id (a UUID); the server checks who
    owns it before adding to it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DB_CASCADE,
        related_name="chat_sessions",
        db_index=False,  # chat_session_user_recent_idx leads with user_id
        verbose_name=_("user"),
    )
    # NULL, not "", means "no visitor": the owner check and the indexes rely on it.
    visitor_key = models.CharField(  # noqa: DJ001
        max_length=64,
        null=True,
        blank=True,
        help_text=_(
            "Tells apart visitors who asked without logging in: the same key means the "
            "same browser. Empty when a logged-in user asked."
        ),
        verbose_name=_("visitor key"),
    )
    title = models.CharField(
        max_length=200,
        blank=True,
        verbose_name=_("title"),
    )
    created_at = models.DateTimeField(
        default=timezone.now,
        verbose_name=_("created at"),
    )
    last_message_at = models.DateTimeField(
        default=timezone.now,
        verbose_name=_("last message at"),
    )
    message_count = models.PositiveIntegerField(
        default=0,
        help_text=_("How many messages the conversation has, questions and answers."),
        verbose_name=_("message count"),
    )

    class Meta:
        verbose_name = _("chat session")
        verbose_name_plural = _("chat sessions")
        ordering = ["-last_message_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, visitor_key__isnull=True)
                | Q(user__isnull=True, visitor_key__isnull=False),
                name="chat_session_user_or_visitor",
                violation_error_message=_(
                    "A conversation belongs to a user or to a visitor, exactly one of the two."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(visitor_key=""),
                name="chat_session_visitor_key_not_empty",
                violation_error_message=_("A visitor key cannot be empty."),
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-last_message_at"], name="chat_session_user_recent_idx"),
            models.Index(fields=["visitor_key"], name="chat_session_visitor_idx"),
            models.Index(fields=["last_message_at"], name="chat_session_last_message_idx"),
        ]

    def __str__(self) -> str:
        return self.title or gettext("Conversation %(id)s") % {"id": self.pk}

    @property
    def owner_label(self) -> str:
        if self.user_id is not None:
            return self.user.get_username()
        return f"visitor {self.visitor_key}"

    def clean(self) -> None:
        if (self.user_id is None) == (self.visitor_key in (None, "")):
            raise ValidationError(
                {"user": "A conversation belongs to a user or to a visitor, not both or neither."}
            )


class ChatRole(models.TextChoices):
    USER = "user", _("Question")
    ASSISTANT = "assistant", _("Answer")


class ChatMessage(models.Model):
    """A question (``role=user``) or the answer to one (``role=assistant``)."""

    session = models.ForeignKey(
        ChatSession,
        on_delete=models.DB_CASCADE,
        related_name="messages",
        db_index=False,  # chat_message_sequence_unique_per_session leads with session_id
        verbose_name=_("session"),
    )
    sequence = models.PositiveIntegerField(
        help_text=_("The message's place in the conversation: 1 for the first."),
        verbose_name=_("sequence"),
    )
    role = models.CharField(
        max_length=16,
        choices=ChatRole,
        verbose_name=_("role"),
    )
    content = models.TextField(
        verbose_name=_("content"),
    )
    # NULL, not "", means "none sent": only ids that were sent must be unique.
    client_message_id = models.CharField(  # noqa: DJ001
        max_length=100,
        null=True,
        blank=True,
        help_text=_(
            "Sent by the browser with each question, so a question sent twice (after a "
            "dropped connection) is kept once."
        ),
        verbose_name=_("client message id"),
    )
    reply_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.DB_CASCADE,
        related_name="+",
        db_index=False,  # chat_message_one_answer_per_question is its index
        help_text=_("On an answer: the question it answers."),
        verbose_name=_("reply to"),
    )
    created_at = models.DateTimeField(
        default=timezone.now,
        verbose_name=_("created at"),
    )

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["session_id", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "sequence"],
                name="chat_message_sequence_unique_per_session",
                violation_error_message=_(
                    "This conversation already has a message with this sequence number."
                ),
            ),
            models.UniqueConstraint(
                fields=["session", "client_message_id"],
                condition=Q(client_message_id__isnull=False),
                name="chat_message_client_id_unique_per_session",
                violation_error_message=_(
                    "This conversation already has a message with this client message id."
                ),
            ),
            models.UniqueConstraint(
                fields=["reply_to"],
                name="chat_message_one_answer_per_question",
                violation_error_message=_("This question already has an answer."),
            ),
            # The target of the answers' composite foreign key (same session).
            models.UniqueConstraint(
                fields=["id", "session"],
                name="chat_message_id_session_key",
                violation_error_message=_("A message belongs to one conversation."),
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1),
                name="chat_message_sequence_positive",
                violation_error_message=_("Sequence numbers start at 1."),
            ),
            models.CheckConstraint(
                condition=Q(role=ChatRole.USER, reply_to__isnull=True)
                | Q(role=ChatRole.ASSISTANT, reply_to__isnull=False),
                name="chat_message_answers_reply_to_a_question",
                violation_error_message=_(
                    "An answer replies to a question; a question replies to nothing."
                ),
            ),
            models.CheckConstraint(
                condition=Q(role=ChatRole.USER) | Q(client_message_id__isnull=True),
                name="chat_message_client_id_on_questions_only",
                violation_error_message=_("Only a question carries a client message id."),
            ),
            models.CheckConstraint(
                condition=~Q(client_message_id=""),
                name="chat_message_client_id_not_empty",
                violation_error_message=_("A client message id cannot be empty."),
            ),
            models.CheckConstraint(
                condition=~Q(content=""),
                name="chat_message_content_not_empty",
                violation_error_message=_("A message cannot be empty."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} #{self.sequence}"

    def clean(self) -> None:
        if self.reply_to_id is None:
            return
        question = ChatMessage.objects.filter(pk=self.reply_to_id).first()
        if question is None or question.session_id != self.session_id:
            raise ValidationError(
                {"reply_to": gettext("An answer replies to a question of its own conversation.")}
            )
        if question.role != ChatRole.USER:
            raise ValidationError(
                {"reply_to": gettext("An answer replies to a question, not an answer.")}
            )
