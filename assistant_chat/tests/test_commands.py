"""purge_chat_logs: retention in batches; bad input is one line and exit 2."""

import datetime
import subprocess
import sys

import pytest
from django.utils import timezone

from assistant_chat.models import ChatMessage, ChatSession
from assistant_chat.tests.factories import ChatMessageFactory, ChatSessionFactory
from core.tests.commands import run_command

pytestmark = pytest.mark.django_db


def conversation(days_ago: int, messages: int = 2) -> ChatSession:
    when = timezone.now() - datetime.timedelta(days=days_ago)
    session = ChatSessionFactory(created_at=when, last_message_at=when, message_count=messages)
    for n in range(messages):
        ChatMessageFactory(session=session, sequence=n + 1, created_at=when)
    return session


@pytest.fixture
def logs():
    return {
        "old": [conversation(200 + n, messages=4) for n in range(3)],
        "recent": conversation(5),
        "borderline": conversation(89),
    }


def counts() -> tuple[int, int]:
    return ChatSession.objects.count(), ChatMessage.objects.count()


def test_purge_removes_conversations_older_than_the_days_given(monkeypatch, logs):
    result = run_command(monkeypatch, "purge_chat_logs", "--older-than", "90", "--batch-size", "2")
    assert result.code == 0, result.err
    assert result.out.splitlines()[:2] == [
        "  removed 2 conversation(s), 8 message(s)",
        "  removed 1 conversation(s), 4 message(s)",
    ]
    assert "Removed 3 conversation(s) with 12 message(s) whose last message was before" in (
        result.out
    )
    assert set(ChatSession.objects.all()) == {logs["recent"], logs["borderline"]}
    assert counts() == (2, 4)


def test_purge_dry_run_prints_the_same_and_writes_nothing(monkeypatch, logs):
    before = counts()
    result = run_command(monkeypatch, "purge_chat_logs", "--older-than", "90", "--dry-run")
    assert result.code == 0, result.err
    assert "Would remove 3 conversation(s) with 12 message(s)" in result.out
    assert result.out.rstrip().endswith("Dry run: nothing was written.")
    assert counts() == before


def test_purge_with_nothing_old_enough_removes_nothing(monkeypatch, logs):
    result = run_command(monkeypatch, "purge_chat_logs", "--older-than", "365")
    assert result.code == 0
    assert "Removed 0 conversation(s) with 0 message(s)" in result.out
    assert counts() == (5, 16)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "the following arguments are required: --older-than"),
        (["--older-than", "ninety"], "--older-than must be a whole number of days from 1"),
        (["--older-than", "0"], "--older-than must be a whole number of days from 1"),
        (["--older-than", "-5"], "--older-than must be a whole number of days from 1"),
        (["--older-than", "99999999999"], "--older-than must be a whole number of days from 1"),
        (["--older-than", "30", "--batch-size", "0"], "--batch-size must be at least 1"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(monkeypatch, logs, args, message):
    before = counts()
    result = run_command(monkeypatch, "purge_chat_logs", *args)
    assert result.code == 2
    assert message in result.err
    assert result.err.count("\n") == 1
    assert result.out == ""
    assert counts() == before


def test_purge_from_the_shell_reports_bad_input_without_a_traceback():
    completed = subprocess.run(
        [sys.executable, "manage.py", "purge_chat_logs", "--older-than", "soon"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr.strip().startswith("purge_chat_logs: --older-than must be")
    assert "Traceback" not in completed.stderr
