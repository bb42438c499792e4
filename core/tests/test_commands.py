"""The command base's exit codes: 3 when the database cannot be reached or stops
answering, with one line naming where it was looked for and why."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from django.db import connection

from core.commands import StudyhallCommand
from core.tests.commands import manage_py, run_command

# Commands that need the database, with arguments that are otherwise good input.
COMMANDS = [
    ["provision_host", "1"],
    ["provision_host", "--list-upcoming"],
    ["clone_run", "1", "--start-date", "2099-01-01"],
]


def manage(*args: str, database_url: str, **env: str) -> subprocess.CompletedProcess:
    return manage_py(*args, DATABASE_URL=database_url, **env)


def database_url_of(db: dict) -> str:
    """The URL of the database this test process uses (the test database), for a child."""
    from urllib.parse import quote

    user = quote(db["USER"], safe="")
    if db["PASSWORD"]:
        user += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}@{db['HOST']}{port}/{db['NAME']}"


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A local port that accepts connections and never answers: a server that hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def assert_could_not_run(result: subprocess.CompletedProcess, *, where: str, reason: str) -> None:
    assert result.returncode == 3, result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert f"cannot reach the database at {where} (" in result.stderr
    assert reason in result.stderr.lower()


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(args))
def test_a_refused_connection_is_exit_3_naming_host_port_and_reason(args, closed_port):
    result = manage(*args, database_url=f"postgres://studyhall@127.0.0.1:{closed_port}/studyhall")
    assert_could_not_run(result, where=f"127.0.0.1:{closed_port}", reason="connection refused")


def test_a_server_that_never_answers_is_exit_3_after_the_connect_timeout(silent_port):
    started = time.monotonic()
    result = manage(
        "provision_host",
        "1",
        database_url=f"postgres://studyhall@127.0.0.1:{silent_port}/studyhall",
        STUDYHALL_DB_CONNECT_TIMEOUT="2",
    )
    assert_could_not_run(result, where=f"127.0.0.1:{silent_port}", reason="timeout")
    assert time.monotonic() - started < 20


def test_a_non_routable_address_is_exit_3_within_the_connect_timeout():
    """10.255.255.1 is blackholed on most networks; some answer or refuse at once.
    Whichever happens, the command says so in one line, and soon."""
    started = time.monotonic()
    result = manage(
        "provision_host",
        "1",
        database_url="postgres://studyhall@10.255.255.1:5432/studyhall",
        STUDYHALL_DB_CONNECT_TIMEOUT="2",
    )
    assert_could_not_run(result, where="10.255.255.1:5432", reason="")
    assert time.monotonic() - started < 20


def test_with_json_the_unreachable_database_is_an_error_document_and_exit_3(closed_port):
    result = manage(
        "provision_host",
        "1",
        "--json",
        database_url=f"postgres://studyhall@127.0.0.1:{closed_port}/studyhall",
    )
    assert result.returncode == 3
    assert result.stdout.startswith('{"error": "cannot reach the database at 127.0.0.1:')
    assert result.stderr == ""


def test_a_sqlite_file_that_cannot_be_opened_is_exit_3_naming_the_file(tmp_path):
    path = tmp_path / "missing-folder" / "studyhall.sqlite3"
    result = manage("provision_host", "1", database_url=f"sqlite:///{path}")
    assert_could_not_run(result, where=f"the SQLite file {path}", reason="no such file")


def test_bad_arguments_are_still_exit_2_when_the_database_is_down(closed_port):
    result = manage(
        "provision_host",
        "--no-such-option",
        database_url=f"postgres://studyhall@127.0.0.1:{closed_port}/studyhall",
    )
    assert result.returncode == 2
    assert result.stderr == "provision_host: unrecognized arguments: --no-such-option\n"


class LosesItsConnection(StudyhallCommand):
    """A command whose database connection is ended by the server mid-run."""

    def handle(self, *args, **options) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")


class BreaksARule(StudyhallCommand):
    """A command whose write the database refuses: not a connection problem."""

    def handle(self, *args, **options) -> None:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO workshops_hostsession (session_id, token) VALUES (0, '')")


def run_inline(monkeypatch, command: StudyhallCommand):
    monkeypatch.setattr("core.commands.connections.close_all", lambda: None)
    monkeypatch.setattr("core.tests.commands.load_command_class", lambda app, name: command)
    return run_command(monkeypatch, "clone_run")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_during_the_run_is_exit_3(monkeypatch):
    try:
        result = run_inline(monkeypatch, LosesItsConnection())
    finally:
        connection.close()
    assert result.code == 3
    assert result.err.startswith("clone_run: lost the database at ")
    assert "the command did not finish" in result.err
    assert result.err.count("\n") == 1


@pytest.mark.django_db
def test_a_write_the_database_refuses_is_exit_3_but_not_reported_as_unreachable(monkeypatch):
    result = run_inline(monkeypatch, BreaksARule())
    assert result.code == 3  # could not run; 1 is check_integrity's "problems found"
    assert "the database refused the command (IntegrityError" in result.err
    assert "cannot reach" not in result.err and "lost the database" not in result.err


def test_with_the_settings_operators_use_bad_input_is_exactly_one_line_on_stderr():
    """Apps that log at start-up (the login throttle does) must not add lines to it."""
    result = manage_py("provision_host", "abc", DJANGO_SETTINGS_MODULE="config.settings.local")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_another_transaction_keeps_locked_is_exit_3_not_a_hang(settings):
    """provision_host waits for a locked session row only STUDYHALL_DB_LOCK_TIMEOUT."""
    import threading

    from workshops.tests.factories import WorkshopSessionFactory, days_from_today

    session = WorkshopSessionFactory(date=days_from_today(12), run__start_date=days_from_today(10))
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        from django.db import connection as own
        from django.db import transaction

        with transaction.atomic():
            own.cursor().execute(
                "SELECT id FROM workshops_workshopsession WHERE id = %s FOR UPDATE", [session.pk]
            )
            locked.set()
            release.wait(30)
        own.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        result = manage(
            "provision_host",
            str(session.pk),
            database_url=database_url_of(connection.settings_dict),
            STUDYHALL_DB_LOCK_TIMEOUT="1",
        )
        waited = time.monotonic() - started
    finally:
        release.set()
        holder.join(30)
    assert result.returncode == 3, result.stderr
    assert "lock timeout" in result.stderr
    assert result.stderr.count("\n") == 1
    assert waited < 15
