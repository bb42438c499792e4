"""The chat log's invariant, for the audit and the repair (docs/invariants.md).

``chat_message_session``: a message whose conversation is gone, or a conversation
whose owner is, cannot be given back to anyone, so it is quarantined (a conversation
with its messages); so is an answer that replies to another answer. A conversation
whose messages are not numbered 1…n, or not all counted in ``message_count``, has one
right answer: renumbered in the order they were numbered, and recounted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.invariants import Check, Fix, Invariant, Quarantine, register
from core.invariants import placeholders as marks

MESSAGES = "assistant_chat_chatmessage"
SESSIONS = "assistant_chat_chatsession"

SESSION_MISSING = f"NOT EXISTS (SELECT 1 FROM {SESSIONS} s WHERE s.id = t.session_id)"
# On SQLite the composite foreign key that keeps an answer in its question's
# conversation does not exist; the audit holds it there.
REPLY_ELSEWHERE = f"""(t.reply_to_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM {MESSAGES} q WHERE q.id = t.reply_to_id AND q.session_id = t.session_id
))"""
REPLY_TO_AN_ANSWER = f"""(t.reply_to_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM {MESSAGES} q WHERE q.id = t.reply_to_id AND q.role <> 'user'
))"""
MISCOUNTED = f"""(t.message_count <> (SELECT COUNT(*) FROM {MESSAGES} m WHERE m.session_id = t.id)
    OR t.message_count <> (SELECT COALESCE(MAX(m.sequence), 0) FROM {MESSAGES} m
                           WHERE m.session_id = t.id))"""
# Moves a conversation's numbers out of the way before it is renumbered 1…n (the
# numbers are unique per conversation, and checked row by row).
OFFSET = 1_000_000_000


def renumber_and_recount(cursor, ids: Sequence[Any]) -> None:
    """Number each conversation's messages 1…n in the order they were numbered, and
    count them in ``message_count``, under the conversations' row locks (taken as the
    logger takes them), so an exchange logged meanwhile is numbered after."""
    if cursor.db.vendor == "postgresql":
        cursor.execute(
            f"SELECT id FROM {SESSIONS} WHERE id IN ({marks(ids)}) ORDER BY id FOR UPDATE",
            list(ids),
        )
    cursor.execute(
        f"UPDATE {MESSAGES} SET sequence = sequence + {OFFSET} WHERE session_id IN ({marks(ids)})",
        list(ids),
    )
    cursor.execute(
        f"""
        UPDATE {MESSAGES} SET sequence = n.number
          FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY session_id ORDER BY sequence, id)
                       AS number
                  FROM {MESSAGES} WHERE session_id IN ({marks(ids)})) n
         WHERE {MESSAGES}.id = n.id
        """,
        list(ids),
    )
    cursor.execute(
        f"""
        UPDATE {SESSIONS}
           SET message_count = (SELECT COUNT(*) FROM {MESSAGES} m
                                 WHERE m.session_id = {SESSIONS}.id)
         WHERE id IN ({marks(ids)})
        """,
        list(ids),
    )


NO_SINGLE_OWNER = """((t.user_id IS NULL AND t.visitor_key IS NULL)
    OR (t.user_id IS NOT NULL AND t.visitor_key IS NOT NULL) OR t.visitor_key = '')"""
USER_MISSING = """(t.user_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM auth_user u WHERE u.id = t.user_id))"""

CHAT_MESSAGE_SESSION = Invariant(
    name="chat_message_session",
    description="every message belongs to an existing chat session; every session belongs "
    "to an existing user or an anonymous visitor key; an answer replies to a question of "
    "its own conversation; messages are numbered 1…n and counted in message_count",
    order=70,
    counts=frozenset({MESSAGES}),
    checks=(
        Check(
            table=MESSAGES,
            condition=f"({SESSION_MISSING} OR {REPLY_ELSEWHERE} OR {REPLY_TO_AN_ANSWER})",
            actions=(
                Quarantine("its chat session does not exist", when=SESSION_MISSING),
                Quarantine("it replies to a message of another conversation", when=REPLY_ELSEWHERE),
                Quarantine("it replies to an answer, not a question"),
            ),
        ),
        Check(
            table=SESSIONS,
            condition=f"({NO_SINGLE_OWNER} OR {USER_MISSING})",
            actions=(
                Quarantine("its user does not exist", when=USER_MISSING),
                Quarantine("it belongs to a user and a visitor at once, or to neither"),
            ),
        ),
        # Last: the messages quarantined above are no longer counted.
        Check(
            table=SESSIONS,
            condition=MISCOUNTED,
            actions=(Fix("renumbered 1…n and recounted", renumber_and_recount),),
        ),
    ),
)

register(CHAT_MESSAGE_SESSION)
