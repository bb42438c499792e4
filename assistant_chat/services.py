"""Conversations with the assistant: the only writers of chat sessions and messages.

``chat_message_session`` holds because every message is written by
``chat_exchange_log``, in the same transaction that first makes sure its session
exists, and a session is only ever created for an owner the request already has: a
logged-in user (the foreign key refuses one that does not exist, at COMMIT) or a
visitor key. The logger never creates a user, and never adds to a session that
belongs to someone else.

The answer is computed before that transaction and outside it
(``chat_question_answer``), so a slow backend holds no lock. When logging fails the
user still gets the answer, and the failure is logged and counted
(``assistant_chat.monitoring``).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from assistant_chat.models import ChatMessage, ChatRole, ChatSession, title_from
from assistant_chat.monitoring import log_failure_record
from assistant_chat.owners import ChatOwner
from assistant_chat.responders import Question, Responder, configured_responder
from assistant_chat.selectors import chat_session_owner, stored_answer
from core.checkpoints import checkpoint
from core.errors import DomainError

logger = logging.getLogger(__name__)

APOLOGY = gettext_lazy(
    "Sorry, I cannot look that up right now. The workshops and your orders are on "
    "their pages: [Workshops](/workshops/), [My orders](/orders/)."
)


class ChatSessionNotFound(DomainError):
    """The session belongs to someone else (or was deleted): answered as not found, so
    nobody learns whether someone else's conversation exists."""

    code = "chat_session_not_found"

    def __init__(self) -> None:
        super().__init__(gettext("There is no such conversation."))


@dataclass(frozen=True)
class LoggedExchange:
    question: ChatMessage
    answer: ChatMessage
    retried: bool = False  # the client_message_id was stored already: these are those rows


def _reserve_sequences(
    *, session_id: uuid.UUID, owner: ChatOwner, title: str, now: datetime.datetime
) -> int | None:
    """Create the owner's session ``session_id`` if it does not exist, reserve two
    sequence numbers in it and return the higher one; ``None`` when the session is
    someone else's.

    One statement, ``INSERT … ON CONFLICT (id) DO UPDATE SET message_count =
    message_count + 2 … WHERE <owner> RETURNING message_count``. It is race-safe over
    the primary key: of any number of requests creating one session at once, one
    inserts it and the others wait for it, then update it; none fails. The update
    takes the session row's lock for the rest of the transaction, so the exchanges of
    one session are numbered one after the other, never by reading a maximum.
    """
    opts = ChatSession._meta
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    if owner.user_id is not None:
        owner_column, owner_value = "user_id", owner.user_id
    else:
        owner_column, owner_value = "visitor_key", owner.visitor_key
    sql = (
        f"INSERT INTO {table} "
        "(id, user_id, visitor_key, title, created_at, last_message_at, message_count) "
        "VALUES (%s, %s, %s, %s, %s, %s, 2) "
        "ON CONFLICT (id) DO UPDATE "
        f"SET message_count = {table}.message_count + 2, "
        "last_message_at = excluded.last_message_at "
        f"WHERE {table}.{quote(owner_column)} = %s "
        "RETURNING message_count"
    )
    when = opts.get_field("last_message_at").get_db_prep_value(now, connection)
    params = [
        opts.pk.get_db_prep_value(session_id, connection),
        owner.user_id,
        owner.visitor_key,
        title,
        when,
        when,
        owner_value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else row[0]


def chat_exchange_log(
    *,
    session_id: uuid.UUID,
    owner: ChatOwner,
    question: str,
    answer: str,
    client_message_id: str | None = None,
    now: datetime.datetime | None = None,
) -> LoggedExchange:
    """Store one question and its answer in ``owner``'s session ``session_id``, creating
    the session when it does not exist yet (``chat_message_session``).

    One transaction: create the session if missing, lock it and reserve two sequence
    numbers (``_reserve_sequences``, one statement), then insert the question and the
    answer.
    A session that belongs to someone else raises ``ChatSessionNotFound``. A
    ``client_message_id`` already stored in the session stores nothing and returns the
    exchange stored for it (``retried``): the partial unique index on
    ``(session, client_message_id)`` is the last word, and the row lock means the first
    sender has committed by the time a retry reaches it. Any other database error is
    raised; nothing of the exchange is kept.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            last = _reserve_sequences(
                session_id=session_id, owner=owner, title=title_from(question), now=now
            )
            if last is None:
                raise ChatSessionNotFound()
            checkpoint("chat.sequences_reserved")
            asked = ChatMessage.objects.create(
                session_id=session_id,
                sequence=last - 1,
                role=ChatRole.USER,
                content=question,
                client_message_id=client_message_id,
                created_at=now,
            )
            answered = ChatMessage.objects.create(
                session_id=session_id,
                sequence=last,
                role=ChatRole.ASSISTANT,
                content=answer,
                reply_to=asked,
                created_at=now,
            )
    except IntegrityError:
        # The error text differs between databases: ask what is stored now.
        if client_message_id is not None:
            stored = stored_answer(session_id=session_id, client_message_id=client_message_id)
            if stored is not None:
                return LoggedExchange(question=stored.reply_to, answer=stored, retried=True)
        raise
    return LoggedExchange(question=asked, answer=answered)


@dataclass(frozen=True)
class ChatReply:
    session_id: uuid.UUID
    answer: str
    retried: bool = False  # a retried client_message_id: the answer stored the first time
    logged: bool = True  # False when logging failed (counted in monitoring)


def _answer_safely(responder: Responder, question: Question) -> str:
    try:
        return responder.reply(question)
    except Exception:
        # The assistant must answer something; the traceback goes to the log.
        logger.exception("assistant responder failed on %r", question.text[:200])
        return str(APOLOGY)


def chat_question_answer(
    *,
    owner: ChatOwner,
    question: str,
    session_id: uuid.UUID | None = None,
    client_message_id: str | None = None,
    user: AbstractBaseUser | None = None,
    responder: Responder | None = None,
    now: datetime.datetime | None = None,
) -> ChatReply:
    """Answer ``question`` in ``owner``'s conversation ``session_id`` (a new one when it
    is ``None`` or does not exist yet) and log the exchange.

    Refused with ``ChatSessionNotFound`` before anything is computed when the session
    is someone else's. A retried ``client_message_id`` gets the stored answer back and
    stores nothing. Otherwise the answer is computed outside any transaction, then
    ``chat_exchange_log`` stores it; when that fails, the failure is logged and counted
    and the answer still returned (``logged=False``).
    """
    now = now or timezone.now()
    history_id = None
    if session_id is None:
        session_id = uuid.uuid4()
    else:
        existing = chat_session_owner(session_id=session_id)
        if existing is not None:
            if not owner.owns(**existing):
                raise ChatSessionNotFound()
            history_id = session_id
            if client_message_id is not None:
                stored = stored_answer(session_id=session_id, client_message_id=client_message_id)
                if stored is not None:
                    return ChatReply(session_id=session_id, answer=stored.content, retried=True)

    answer = _answer_safely(
        responder or configured_responder(),
        Question(text=question, user=user, session_id=history_id, now=now),
    )
    try:
        logged = chat_exchange_log(
            session_id=session_id,
            owner=owner,
            question=question,
            answer=answer,
            client_message_id=client_message_id,
            now=now,
        )
    except ChatSessionNotFound:
        raise  # someone else created this session id meanwhile
    except Exception as error:
        log_failure_record(session_id=session_id, owner=owner, error=error)
        return ChatReply(session_id=session_id, answer=answer, logged=False)
    return ChatReply(session_id=session_id, answer=logged.answer.content, retried=logged.retried)


def chat_sessions_claim(*, visitor_key: str, user: AbstractBaseUser) -> int:
    """Move a visitor's conversations to the account they just logged in to. One
    conditional update, so an exchange being logged at the same moment either lands
    before the move (and moves with it) or finds the session no longer the visitor's."""
    return ChatSession.objects.filter(visitor_key=visitor_key).update(user=user, visitor_key=None)


def chat_session_delete(*, session_id: uuid.UUID, user: AbstractBaseUser) -> bool:
    """Delete the user's own conversation and its messages (the database cascades them).
    False when it is not theirs or does not exist."""
    deleted, _rows = ChatSession.objects.filter(pk=session_id, user=user).delete()
    return deleted > 0


@dataclass
class PurgeResult:
    sessions: int = 0
    messages: int = 0


def chat_logs_purge_preview(*, before: datetime.datetime) -> PurgeResult:
    """What ``chat_logs_purge`` would remove now: counted, nothing locked or written."""
    old = ChatSession.objects.filter(last_message_at__lt=before)
    return PurgeResult(
        sessions=old.count(), messages=ChatMessage.objects.filter(session__in=old).count()
    )


def chat_logs_purge(
    *,
    before: datetime.datetime,
    batch_size: int = 500,
    on_batch: Callable[[PurgeResult], None] | None = None,
) -> PurgeResult:
    """Delete the conversations whose last message is older than ``before``, with their
    messages, a batch at a time; each batch is its own transaction.

    A batch locks its sessions (skipping any an exchange is being logged into) before
    counting and deleting, so a conversation that gets a new message meanwhile is
    kept. Deleting whole sessions keeps ``chat_message_session``: no message outlives
    its session.
    """
    total = PurgeResult()
    while True:
        with transaction.atomic():
            ids = list(
                ChatSession.objects.filter(last_message_at__lt=before)
                .order_by("last_message_at", "id")
                .select_for_update(skip_locked=True)
                .values_list("id", flat=True)[:batch_size]
            )
            if not ids:
                break
            batch = PurgeResult(
                sessions=len(ids),
                messages=ChatMessage.objects.filter(session_id__in=ids).count(),
            )
            ChatSession.objects.filter(id__in=ids).delete()
        total.sessions += batch.sessions
        total.messages += batch.messages
        if on_batch is not None:
            on_batch(batch)
    return total
