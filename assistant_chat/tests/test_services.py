"""Logging an exchange: session first, numbered in order, stored once, owned by one."""

import datetime
import uuid

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection

from assistant_chat import services
from assistant_chat.models import ChatMessage, ChatRole, ChatSession
from assistant_chat.owners import ChatOwner
from assistant_chat.services import (
    APOLOGY,
    ChatSessionNotFound,
    chat_exchange_log,
    chat_logs_purge,
    chat_question_answer,
    chat_session_delete,
    chat_sessions_claim,
)
from assistant_chat.tests.factories import ChatMessageFactory, ChatSessionFactory
from core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2030, 3, 4, 10, 0, tzinfo=datetime.UTC)


class Canned:
    """A responder that answers with a fixed text and remembers what it was asked."""

    def __init__(self, answer: str = "Here is what I found.") -> None:
        self.answer = answer
        self.questions = []

    def reply(self, question) -> str:
        self.questions.append(question)
        return self.answer


def log(owner, session_id, question="Which workshops have seats left?", **kwargs):
    return chat_exchange_log(
        session_id=session_id,
        owner=owner,
        question=question,
        answer=kwargs.pop("answer", "These ones."),
        now=kwargs.pop("now", NOW),
        **kwargs,
    )


def test_the_first_exchange_creates_the_session_with_both_messages(student_owner):
    session_id = uuid.uuid4()
    logged = log(student_owner, session_id, question="When is the next  Python\nsession?")
    session = ChatSession.objects.get(pk=session_id)
    assert session.user_id == student_owner.user_id and session.visitor_key is None
    assert session.title == "When is the next Python session?"
    assert session.message_count == 2
    assert session.created_at == session.last_message_at == NOW
    assert [(m.sequence, m.role) for m in session.messages.all()] == [
        (1, ChatRole.USER),
        (2, ChatRole.ASSISTANT),
    ]
    assert logged.answer.reply_to == logged.question
    assert not logged.retried


def test_later_exchanges_continue_the_numbering_and_keep_the_first_title(visitor_owner):
    session_id = uuid.uuid4()
    log(visitor_owner, session_id, question="First question")
    later = NOW + datetime.timedelta(minutes=5)
    log(visitor_owner, session_id, question="Second question", now=later)
    session = ChatSession.objects.get(pk=session_id)
    assert session.title == "First question"
    assert session.message_count == 4
    assert session.last_message_at == later
    assert list(session.messages.values_list("sequence", "content")) == [
        (1, "First question"),
        (2, "These ones."),
        (3, "Second question"),
        (4, "These ones."),
    ]


def test_messages_with_the_same_timestamp_keep_their_order(visitor_owner):
    session_id = uuid.uuid4()
    for n in range(3):
        log(visitor_owner, session_id, question=f"Question {n}")
    questions = ChatMessage.objects.filter(session_id=session_id, role=ChatRole.USER)
    assert {m.created_at for m in questions} == {NOW}
    assert [m.content for m in questions.order_by("sequence")] == [
        "Question 0",
        "Question 1",
        "Question 2",
    ]


def test_a_long_first_question_makes_a_short_title(visitor_owner):
    session_id = uuid.uuid4()
    log(visitor_owner, session_id, question="word " * 100)
    title = ChatSession.objects.get(pk=session_id).title
    assert len(title) <= 80 and title.endswith("…")


def test_a_retried_client_message_id_is_stored_once_and_returns_the_first_answer(visitor_owner):
    session_id = uuid.uuid4()
    first = log(visitor_owner, session_id, client_message_id="abc-1", answer="First answer")
    again = log(visitor_owner, session_id, client_message_id="abc-1", answer="Another answer")
    assert again.retried
    assert again.answer.pk == first.answer.pk
    assert again.answer.content == "First answer"
    assert ChatMessage.objects.filter(session_id=session_id).count() == 2
    assert ChatSession.objects.get(pk=session_id).message_count == 2


def test_the_same_client_message_id_in_another_conversation_is_a_new_question(visitor_owner):
    log(visitor_owner, uuid.uuid4(), client_message_id="abc-1")
    other = log(visitor_owner, uuid.uuid4(), client_message_id="abc-1")
    assert not other.retried
    assert ChatMessage.objects.count() == 4


def test_someone_elses_session_is_refused_as_not_found_and_left_untouched(
    student_owner, visitor_owner
):
    session_id = uuid.uuid4()
    log(student_owner, session_id)
    for stranger in (visitor_owner, ChatOwner(user_id=UserFactory().pk)):
        with pytest.raises(ChatSessionNotFound):
            log(stranger, session_id)
    session = ChatSession.objects.get(pk=session_id)
    assert session.user_id == student_owner.user_id
    assert session.message_count == 2 == session.messages.count()


def test_a_visitor_cannot_add_to_another_visitors_session(visitor_owner):
    session_id = uuid.uuid4()
    log(visitor_owner, session_id)
    with pytest.raises(ChatSessionNotFound):
        log(ChatOwner(visitor_key="someone-else"), session_id)


@pytest.fixture
def answers_fail_to_insert(monkeypatch):
    """The answer's INSERT fails, after the session and the question were written."""
    create = ChatMessage.objects.create

    def failing(**fields):
        if fields["role"] == ChatRole.ASSISTANT:
            raise DatabaseError("disk full")
        return create(**fields)

    monkeypatch.setattr(ChatMessage.objects, "create", failing)


def test_a_failure_inside_the_transaction_keeps_nothing(visitor_owner, answers_fail_to_insert):
    session_id = uuid.uuid4()
    with pytest.raises(DatabaseError):
        log(visitor_owner, session_id)
    assert not ChatSession.objects.filter(pk=session_id).exists()
    assert not ChatMessage.objects.exists()


def test_a_failure_in_a_later_exchange_keeps_the_earlier_ones(visitor_owner, monkeypatch):
    session_id = uuid.uuid4()
    log(visitor_owner, session_id)

    def broken(**kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(services, "_reserve_sequences", broken)
    with pytest.raises(DatabaseError):
        log(visitor_owner, session_id)
    session = ChatSession.objects.get(pk=session_id)
    assert session.message_count == session.messages.count() == 2


# -- answering and logging -------------------------------------------------------------


def ask(owner, **kwargs):
    kwargs.setdefault("question", "Which workshops have seats left?")
    kwargs.setdefault("responder", Canned())
    kwargs.setdefault("now", NOW)
    return chat_question_answer(owner=owner, **kwargs)


def test_asking_without_a_session_starts_a_new_conversation(visitor_owner):
    reply = ask(visitor_owner)
    assert reply.answer == "Here is what I found."
    assert reply.logged and not reply.retried
    session = ChatSession.objects.get(pk=reply.session_id)
    assert session.visitor_key == visitor_owner.visitor_key


def test_the_client_may_propose_the_id_of_a_new_conversation(student_owner):
    proposed = uuid.uuid4()
    reply = ask(student_owner, session_id=proposed)
    assert reply.session_id == proposed
    assert ChatSession.objects.get(pk=proposed).user_id == student_owner.user_id


def test_someone_elses_session_is_refused_before_any_answer_is_computed(
    student_owner, visitor_owner
):
    session_id = ask(student_owner).session_id
    responder = Canned()
    with pytest.raises(ChatSessionNotFound):
        ask(visitor_owner, session_id=session_id, responder=responder)
    assert responder.questions == []


def test_a_retry_gets_the_stored_answer_without_asking_again(visitor_owner):
    first = ask(visitor_owner, client_message_id="m-1", responder=Canned("Stored answer"))
    responder = Canned("A different answer")
    again = ask(
        visitor_owner, session_id=first.session_id, client_message_id="m-1", responder=responder
    )
    assert again.retried and again.answer == "Stored answer"
    assert responder.questions == []
    assert ChatMessage.objects.count() == 2


def test_the_responder_sees_the_conversation_only_once_it_exists(student, student_owner):
    responder = Canned()
    reply = ask(student_owner, responder=responder, user=student)
    ask(student_owner, session_id=reply.session_id, responder=responder, user=student)
    first, second = responder.questions
    assert first.session_id is None and second.session_id == reply.session_id
    assert first.asker == student and first.now == NOW


@pytest.mark.django_db(transaction=True)
def test_the_answer_is_computed_outside_any_transaction(visitor_owner):
    """A slow backend must hold no lock: no transaction is open while it answers."""

    class Watching(Canned):
        def reply(self, question):
            self.in_transaction = connection.in_atomic_block
            return super().reply(question)

    responder = Watching()
    session_id = ask(visitor_owner, responder=responder).session_id
    ask(visitor_owner, session_id=session_id, responder=responder)
    assert responder.in_transaction is False
    assert ChatSession.objects.get(pk=session_id).message_count == 4


def test_a_failing_responder_still_gets_an_answer_to_the_user(visitor_owner):
    class Broken:
        def reply(self, question):
            raise RuntimeError("bug")

    reply = ask(visitor_owner, responder=Broken())
    assert reply.answer == APOLOGY
    assert ChatMessage.objects.get(role=ChatRole.ASSISTANT).content == APOLOGY


def test_a_failed_log_still_returns_the_answer_and_is_counted(
    visitor_owner, monkeypatch, log_failures, caplog
):
    before = log_failures()

    def broken(**kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(services, "_reserve_sequences", broken)
    reply = ask(visitor_owner, responder=Canned("Still answered"))
    assert reply.answer == "Still answered"
    assert not reply.logged
    assert log_failures() == before + 1
    assert not ChatSession.objects.exists()
    [record] = [r for r in caplog.records if r.name == "assistant_chat.monitoring"]
    assert str(reply.session_id) in record.getMessage()
    assert str(visitor_owner) in record.getMessage()
    assert "the database went away" in record.getMessage()


@pytest.mark.django_db(transaction=True)
def test_logging_never_creates_a_user(log_failures):
    """A user deleted between the request and the log: the foreign key refuses the
    session at COMMIT (it is deferred), the failure is counted, and no user appears."""
    ghost = UserFactory()
    owner = ChatOwner(user_id=ghost.pk)
    ghost.delete()
    users = User.objects.count()
    before = log_failures()
    reply = ask(owner)
    assert not reply.logged and reply.answer
    assert User.objects.count() == users
    assert not ChatSession.objects.exists()
    assert log_failures() == before + 1


# -- claiming, deleting, purging -------------------------------------------------------


def test_a_visitors_conversations_move_to_the_account_they_log_in_to(student, visitor_owner):
    first, second = ask(visitor_owner).session_id, ask(visitor_owner).session_id
    someone_else = ask(ChatOwner(visitor_key="another-visitor")).session_id
    assert chat_sessions_claim(visitor_key=visitor_owner.visitor_key, user=student) == 2
    assert set(student.chat_sessions.values_list("pk", flat=True)) == {first, second}
    assert ChatSession.objects.get(pk=someone_else).user is None


def test_a_user_deletes_their_own_conversation_with_its_messages(student, student_owner):
    session_id = ask(student_owner).session_id
    assert chat_session_delete(session_id=session_id, user=student)
    assert not ChatSession.objects.exists()
    assert not ChatMessage.objects.exists()


def test_nobody_deletes_someone_elses_conversation(student_owner):
    session_id = ask(student_owner).session_id
    assert not chat_session_delete(session_id=session_id, user=UserFactory())
    assert ChatSession.objects.filter(pk=session_id).exists()


def test_deleting_a_user_deletes_their_conversations(student, student_owner):
    ask(student_owner)
    student.delete()
    assert not ChatSession.objects.exists()
    assert not ChatMessage.objects.exists()


def conversation(last_message_at, messages=2):
    session = ChatSessionFactory(last_message_at=last_message_at, message_count=messages)
    for n in range(messages):
        ChatMessageFactory(session=session, sequence=n + 1, content=f"message {n}")
    return session


def test_purge_removes_old_conversations_in_batches_and_keeps_recent_ones():
    old = [conversation(NOW - datetime.timedelta(days=100 + n)) for n in range(5)]
    recent = conversation(NOW - datetime.timedelta(days=10))
    batches = []
    result = chat_logs_purge(
        before=NOW - datetime.timedelta(days=90), batch_size=2, on_batch=batches.append
    )
    assert (result.sessions, result.messages) == (5, 10)
    assert [(b.sessions, b.messages) for b in batches] == [(2, 4), (2, 4), (1, 2)]
    assert list(ChatSession.objects.all()) == [recent]
    assert not ChatMessage.objects.filter(session_id__in=[s.pk for s in old]).exists()
