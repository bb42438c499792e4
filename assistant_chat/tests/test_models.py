"""``chat_message_session`` in the database and in validation, whoever writes the rows."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from assistant_chat.models import ChatMessage, ChatRole, ChatSession
from assistant_chat.tests.factories import ChatMessageFactory, ChatSessionFactory
from core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_session_belongs_to_a_user_or_a_visitor_exactly(student):
    for fields in ({}, {"user": student, "visitor_key": "abc"}, {"visitor_key": ""}):
        session = ChatSession(**fields)
        with pytest.raises(ValidationError):
            session.full_clean()
    ChatSession(user=student).full_clean()
    ChatSession(visitor_key="abc").full_clean()


def test_validation_explains_a_session_without_owner():
    with pytest.raises(ValidationError) as refused:
        ChatSession().full_clean()
    assert "a user or to a visitor" in str(refused.value)


def test_an_answer_replies_to_a_question_of_its_own_conversation():
    question = ChatMessageFactory()
    elsewhere = ChatMessage(
        session=ChatSessionFactory(), sequence=2, role=ChatRole.ASSISTANT, content="x"
    )
    elsewhere.reply_to = question
    with pytest.raises(ValidationError, match="its own conversation"):
        elsewhere.full_clean()
    answer = ChatMessage(session=question.session, sequence=2, role=ChatRole.ASSISTANT)
    answer.content, answer.reply_to = "Here.", question
    answer.full_clean()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role": ChatRole.ASSISTANT}, "An answer replies to a question"),
        ({"client_message_id": ""}, "cannot be empty"),
        ({"sequence": 0}, "Sequence numbers start at 1."),
    ],
)
def test_validation_explains_a_malformed_message(fields, message):
    row = ChatMessage(session=ChatSessionFactory(), sequence=1, role=ChatRole.USER, content="Hi")
    for name, value in fields.items():
        setattr(row, name, value)
    with pytest.raises(ValidationError, match=message):
        row.full_clean()


def test_a_sequence_number_and_a_client_message_id_are_unique_in_a_session():
    first = ChatMessageFactory(sequence=1, client_message_id="m-1")
    same_sequence = ChatMessage(session=first.session, sequence=1, role="user", content="x")
    with pytest.raises(ValidationError, match="with this sequence number"):
        same_sequence.full_clean()
    same_id = ChatMessage(
        session=first.session, sequence=2, role="user", content="x", client_message_id="m-1"
    )
    with pytest.raises(ValidationError, match="with this client message id"):
        same_id.full_clean()


# -- the database refuses what validation explains ---------------------------------------

INSERT_MESSAGE = """
INSERT INTO assistant_chat_chatmessage
    (session_id, sequence, role, content, client_message_id, reply_to_id, created_at)
VALUES (%s, %s, %s, 'text', %s, %s, now())
"""
INSERT_SESSION = """
INSERT INTO assistant_chat_chatsession
    (id, user_id, visitor_key, title, created_at, last_message_at, message_count)
VALUES (%s, %s, %s, '', now(), now(), 0)
"""


def committed(sql: str, params) -> None:
    """Run ``sql`` in its own transaction and COMMIT, where deferred checks fire."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def really_committed(sql: str, params) -> None:
    """Run ``sql`` in a transaction of its own that really ends in COMMIT: Django's
    foreign keys are deferred, so nothing is checked before it."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_message_whose_session_does_not_exist_is_refused_at_commit():
    with pytest.raises(IntegrityError, match="session_id"):
        really_committed(INSERT_MESSAGE, [uuid.uuid4(), 1, "user", None, None])
    assert not ChatMessage.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_session_whose_user_does_not_exist_is_refused_at_commit():
    with pytest.raises(IntegrityError, match="user_id"):
        really_committed(INSERT_SESSION, [uuid.uuid4(), 987654321, None])
    assert not ChatSession.objects.exists()


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("user", "visitor_key", "constraint"),
    [
        (False, None, "chat_session_user_or_visitor"),
        (True, "abc", "chat_session_user_or_visitor"),
        (False, "", "chat_session_visitor_key_not_empty"),
    ],
)
def test_raw_sql_cannot_store_a_session_without_exactly_one_owner(user, visitor_key, constraint):
    user_id = UserFactory().pk if user else None
    with pytest.raises(IntegrityError, match=constraint):
        committed(INSERT_SESSION, [uuid.uuid4(), user_id, visitor_key])


@pytest.mark.postgres
def test_raw_sql_cannot_make_an_answer_reply_across_conversations():
    question = ChatMessageFactory()
    other = ChatSessionFactory()
    with pytest.raises(IntegrityError, match="chat_message_reply_same_session_fk"):
        committed(INSERT_MESSAGE, [other.pk, 1, "assistant", None, question.pk])


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("role", "client_id", "reply", "constraint"),
    [
        ("assistant", None, False, "chat_message_answers_reply_to_a_question"),
        ("user", None, True, "chat_message_answers_reply_to_a_question"),
        ("robot", None, False, "chat_message_answers_reply_to_a_question"),
        ("user", "", False, "chat_message_client_id_not_empty"),
    ],
)
def test_raw_sql_cannot_store_a_malformed_message(role, client_id, reply, constraint):
    question = ChatMessageFactory(sequence=1)
    with pytest.raises(IntegrityError, match=constraint):
        committed(
            INSERT_MESSAGE,
            [question.session_id, 2, role, client_id, question.pk if reply else None],
        )


@pytest.mark.postgres
def test_raw_sql_deleting_a_session_takes_its_messages_along():
    message = ChatMessageFactory()
    committed("DELETE FROM assistant_chat_chatsession WHERE id = %s", [message.session_id])
    assert not ChatMessage.objects.exists()


@pytest.mark.postgres
def test_raw_sql_deleting_a_user_takes_their_conversations_along(student):
    ChatMessageFactory(session=ChatSessionFactory(user=student, visitor_key=None))
    committed("DELETE FROM auth_user WHERE id = %s", [student.pk])
    assert not ChatSession.objects.exists() and not ChatMessage.objects.exists()


# -- answers reply to questions; messages are numbered 1…n and counted -----------------


def exchange() -> tuple[ChatMessage, ChatMessage]:
    question = ChatMessageFactory()
    answer = ChatMessageFactory(session=question.session, role="assistant", reply_to=question)
    return question, answer


@pytest.mark.postgres
def test_raw_sql_cannot_make_an_answer_reply_to_an_answer():
    question, answer = exchange()
    bump = "UPDATE assistant_chat_chatsession SET message_count = 3 WHERE id = %s"
    with (
        pytest.raises(IntegrityError, match="chat_message_replies_to_a_question"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(bump, [question.session_id])
        cursor.execute(INSERT_MESSAGE, [question.session_id, 3, "assistant", None, answer.pk])
    with pytest.raises(IntegrityError, match="chat_message_replies_to_a_question"):
        committed(
            "UPDATE assistant_chat_chatmessage SET role = 'assistant' WHERE id = %s",
            [question.pk],
        )


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE assistant_chat_chatsession SET message_count = 5 WHERE id = %(session)s",
        "UPDATE assistant_chat_chatsession SET message_count = 1 WHERE id = %(session)s",
        "UPDATE assistant_chat_chatmessage SET sequence = 9 WHERE id = %(answer)s",
        "DELETE FROM assistant_chat_chatmessage WHERE id = %(answer)s",
        "INSERT INTO assistant_chat_chatmessage (session_id, sequence, role, content, "
        "created_at) VALUES (%(session)s, 3, 'user', 'uncounted', now())",
    ],
    ids=["count-up", "count-down", "gap", "deleted", "uncounted"],
)
def test_raw_sql_cannot_leave_a_conversation_miscounted_or_gapped(sql):
    question, answer = exchange()
    with pytest.raises(IntegrityError, match="chat_session_messages_counted"):
        committed(sql, {"session": question.session_id, "answer": answer.pk})
    session = ChatSession.objects.get(pk=question.session_id)
    assert session.message_count == session.messages.count() == 2
