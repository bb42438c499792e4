"""The upgrade that numbers every conversation 1…n and counts it, before the database
holds it (assistant_chat 0003, 0004)."""

import datetime
import uuid

import pytest
from django.utils import timezone

from assistant_chat.models import ChatMessage, ChatSession
from core.tests.migrating import migrate_to_latest, past_state
from integrity.models import QuarantinedRow

BEFORE = [("assistant_chat", "0002_help_texts_for_staff")]
AT = timezone.make_aware(datetime.datetime(2031, 5, 1, 9))


@pytest.fixture
def old_apps(transactional_db):
    with past_state(BEFORE, latest_of=["integrity"]) as apps:
        yield apps


def test_conversations_are_renumbered_recounted_and_answers_to_answers_quarantined(
    old_apps, capsys
):
    Session = old_apps.get_model("assistant_chat", "ChatSession")
    Message = old_apps.get_model("assistant_chat", "ChatMessage")

    def conversation(count):
        return Session.objects.create(
            id=uuid.uuid4(), visitor_key=uuid.uuid4().hex, message_count=count
        )

    def message(session, sequence, role="user", reply_to=None):
        return Message.objects.create(
            session=session,
            sequence=sequence,
            role=role,
            content="text",
            reply_to=reply_to,
            created_at=AT,
        )

    gapped = conversation(3)
    asked = message(gapped, 1)
    message(gapped, 4, "assistant", asked)
    message(gapped, 9)
    miscounted = conversation(7)
    message(miscounted, 1)
    muddled = conversation(3)
    question = message(muddled, 1)
    answer = message(muddled, 2, "assistant", question)
    echo = message(muddled, 3, "assistant", answer)  # an answer to an answer
    good = conversation(2)
    message(good, 1)
    message(good, 2)

    migrate_to_latest()

    numbers = {
        session.pk: (
            session.message_count,
            list(session.messages.order_by("sequence").values_list("sequence", flat=True)),
        )
        for session in ChatSession.objects.all()
    }
    assert numbers == {
        gapped.pk: (3, [1, 2, 3]),
        miscounted.pk: (1, [1]),
        muddled.pk: (2, [1, 2]),
        good.pk: (2, [1, 2]),
    }
    held = QuarantinedRow.objects.get()
    assert (held.source_table, held.source_pk) == ("assistant_chat_chatmessage", str(echo.pk))
    assert "an answer, not a question" in held.reason
    assert not ChatMessage.objects.filter(pk=echo.pk).exists()
    assert "1 answer(s) to an answer quarantined, 3 conversation(s) renumbered" in (
        capsys.readouterr().out
    )
