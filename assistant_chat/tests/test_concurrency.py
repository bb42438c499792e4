"""Real threads, real PostgreSQL transactions, checked at COMMIT: every exchange is
logged exactly once, in one session, under races. As in ``tests/test_concurrency.py``,
no test waits with a sleep: the first writer holds the conversation until the others are
queued for it, and the control holds every writer until all have read."""

import threading
import uuid
from collections import Counter

import pytest
from django.db.models import F, Max
from django.test import Client
from django.urls import reverse

from assistant_chat import services
from assistant_chat.models import ChatMessage, ChatRole, ChatSession
from assistant_chat.owners import ChatOwner
from assistant_chat.services import chat_question_answer
from core.tests.concurrency import at_checkpoint, first_holds_until_queued, race
from core.tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

API = reverse("assistant:api-messages")


def post_first_messages(user, session_id: uuid.UUID, count: int) -> list[object]:
    """``count`` browsers of ``user`` post at once, each its own first message of the
    same new conversation."""
    clients = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return race(
        count,
        lambda i: clients[i].post(
            API,
            {"session_id": str(session_id), "message": f"question {i}"},
            content_type="application/json",
        ),
    )


def test_twenty_first_messages_of_one_new_session_make_one_session_and_forty_messages(
    log_failures,
):
    user = UserFactory()
    session_id = uuid.uuid4()
    before = log_failures()

    with at_checkpoint("chat.sequences_reserved", first_holds_until_queued(19)):
        responses = post_first_messages(user, session_id, 20)

    assert [getattr(r, "status_code", r) for r in responses] == [200] * 20
    assert {r.json()["session_id"] for r in responses} == {str(session_id)}
    [session] = ChatSession.objects.all()
    assert session.pk == session_id and session.user == user
    messages = list(session.messages.order_by("sequence"))
    assert Counter(m.role for m in messages) == {ChatRole.USER: 20, ChatRole.ASSISTANT: 20}
    assert [m.sequence for m in messages] == list(range(1, 41))
    assert session.message_count == 40
    # Each answer follows its own question.
    for question, answer in zip(messages[::2], messages[1::2], strict=True):
        assert (question.role, answer.role) == (ChatRole.USER, ChatRole.ASSISTANT)
        assert answer.reply_to_id == question.pk
    assert session.title == messages[0].content
    assert {m.content for m in messages[::2]} == {f"question {i}" for i in range(20)}
    assert log_failures() == before


def test_control_without_the_guards_the_same_race_loses_messages(monkeypatch, log_failures):
    """Proves the race above can fail: creating the session by check-then-insert and
    numbering by max + 1, with every sender past the check before any inserts, lose
    all exchanges but the first to unique violations (the replies still reach the
    users, and the failures are counted), which the assertions above would catch."""
    everyone = threading.Barrier(20, timeout=30)

    def check_then_insert_and_max_plus_one(*, session_id, owner, title, now):
        missing = not ChatSession.objects.filter(pk=session_id).exists()
        last = ChatMessage.objects.filter(session_id=session_id).aggregate(Max("sequence"))
        everyone.wait()
        if missing:
            ChatSession.objects.create(
                id=session_id, user_id=owner.user_id, created_at=now, last_message_at=now
            )
        ChatSession.objects.filter(pk=session_id).update(message_count=F("message_count") + 2)
        return (last["sequence__max"] or 0) + 2

    monkeypatch.setattr(services, "_reserve_sequences", check_then_insert_and_max_plus_one)
    before = log_failures()

    responses = post_first_messages(UserFactory(), uuid.uuid4(), 20)

    assert [getattr(r, "status_code", r) for r in responses] == [200] * 20
    stored = ChatMessage.objects.filter(role=ChatRole.USER).count()
    assert stored == 1
    assert log_failures() - before == 19


@pytest.mark.parametrize("session_exists", [False, True])
def test_the_same_client_message_id_sent_at_once_is_stored_once(session_exists):
    owner = ChatOwner(visitor_key="visitor-retrying")
    session_id = uuid.uuid4()
    if session_exists:
        chat_question_answer(owner=owner, session_id=session_id, question="earlier")

    class Answer:
        def __init__(self, text):
            self.text = text

        def reply(self, question):
            return self.text

    with at_checkpoint("chat.sequences_reserved", first_holds_until_queued(9)):
        results = race(
            10,
            lambda i: chat_question_answer(
                owner=owner,
                session_id=session_id,
                question="Which workshops have seats left?",
                client_message_id="retry-1",
                responder=Answer(f"answer {i}"),
            ),
        )

    assert not [r for r in results if isinstance(r, Exception)]
    assert len({r.answer for r in results}) == 1  # every sender gets the stored answer
    assert [r.retried for r in results].count(False) == 1
    assert all(r.logged for r in results)
    stored = ChatMessage.objects.filter(session_id=session_id, client_message_id="retry-1")
    assert stored.count() == 1
    session = ChatSession.objects.get(pk=session_id)
    assert session.message_count == session.messages.count() == 2 + 2 * session_exists


def test_visitors_racing_for_one_session_id_never_share_it(log_failures):
    """Two visitors propose the same new id at once: one owns it, the other is told it
    does not exist; nothing is merged."""
    session_id = uuid.uuid4()
    clients = [Client(), Client()]
    with at_checkpoint("chat.sequences_reserved", first_holds_until_queued(1)):
        responses = race(
            2,
            lambda i: clients[i].post(
                API,
                {"session_id": str(session_id), "message": f"visitor {i}"},
                content_type="application/json",
            ),
        )
    assert sorted(r.status_code for r in responses) == [200, 404]
    session = ChatSession.objects.get()
    assert session.message_count == 2
    winner = next(i for i, r in enumerate(responses) if r.status_code == 200)
    assert session.messages.get(sequence=1).content == f"visitor {winner}"
