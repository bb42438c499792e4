"""The chat log's invariant, for the audit and the repair (docs/invariants.md).

``chat_message_session``: a message whose conversation is gone, or a conversation
whose owner is, cannot be given back to anyone, so it is quarantined (a conversation
with its messages).
"""

from __future__ import annotations

from core.invariants import Check, Invariant, Quarantine, register

MESSAGES = "assistant_chat_chatmessage"
SESSIONS = "assistant_chat_chatsession"

SESSION_MISSING = f"NOT EXISTS (SELECT 1 FROM {SESSIONS} s WHERE s.id = t.session_id)"
# On SQLite the composite foreign key that keeps an answer in its question's
# conversation does not exist; the audit holds it there.
REPLY_ELSEWHERE = f"""(t.reply_to_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM {MESSAGES} q WHERE q.id = t.reply_to_id AND q.session_id = t.session_id
))"""
NO_SINGLE_OWNER = """((t.user_id IS NULL AND t.visitor_key IS NULL)
    OR (t.user_id IS NOT NULL AND t.visitor_key IS NOT NULL) OR t.visitor_key = '')"""
USER_MISSING = """(t.user_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM auth_user u WHERE u.id = t.user_id))"""

CHAT_MESSAGE_SESSION = Invariant(
    name="chat_message_session",
    description="every message belongs to an existing chat session; every session belongs "
    "to an existing user or an anonymous visitor key",
    order=70,
    checks=(
        Check(
            table=MESSAGES,
            condition=f"({SESSION_MISSING} OR {REPLY_ELSEWHERE})",
            actions=(
                Quarantine("its chat session does not exist", when=SESSION_MISSING),
                Quarantine("it replies to a message of another conversation"),
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
    ),
)

register(CHAT_MESSAGE_SESSION)
