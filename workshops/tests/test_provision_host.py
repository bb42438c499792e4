"""`manage.py provision_host`: every outcome, its message and its exit code."""

import datetime
import json
import subprocess

import pytest
from django.db import connection
from django.utils import timezone

from core.tests.commands import manage_py, run_command
from workshops.models import HostSession
from workshops.tests.factories import (
    HostSessionFactory,
    WorkshopSessionFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db

FIND_IDS = (
    "See the sessions that can have one with `manage.py provision_host --list-upcoming`, "
    "or in the admin's session list (/admin/workshops/workshopsession/)."
)


@pytest.fixture
def session(run):
    return WorkshopSessionFactory(run=run, number=2, date=days_from_today(5))


@pytest.fixture
def ended(run):
    return WorkshopSessionFactory(run=run, number=1, date=days_from_today(-3))


@pytest.fixture
def cancelled(run):
    return WorkshopSessionFactory(
        run=run, number=3, date=days_from_today(6), cancelled_at=timezone.now()
    )


def provision(monkeypatch, *args: str):
    return run_command(monkeypatch, "provision_host", *args)


def links() -> list[tuple[int, str, object]]:
    return list(HostSession.objects.values_list("session_id", "token", "rotated_at"))


def test_provisioning_prints_the_full_host_url(monkeypatch, settings, session):
    settings.STUDYHALL_SITE_URL = "https://studyhall.example.org"
    result = provision(monkeypatch, str(session.pk))
    assert result.code == 0, result.err
    link = HostSession.objects.get(session=session)
    lines = result.out.splitlines()
    assert lines[0].startswith(f"Created a host link for session {session.pk} (Robotics ·")
    assert lines[1] == f"https://studyhall.example.org/host/{link.token}/"
    assert lines[2].startswith("It opens until ")
    assert link.created_by is None  # the command line


def test_provisioning_again_prints_the_same_link(monkeypatch, session):
    first = provision(monkeypatch, str(session.pk))
    second = provision(monkeypatch, str(session.pk))
    assert second.code == 0
    assert "already exists" in second.out
    assert first.out.splitlines()[1] == second.out.splitlines()[1]
    assert HostSession.objects.count() == 1


def test_rotate_prints_a_new_url_and_the_old_one_stops_opening(monkeypatch, client, session):
    old_url = provision(monkeypatch, str(session.pk)).out.splitlines()[1]
    result = provision(monkeypatch, str(session.pk), "--rotate")
    assert result.code == 0
    assert "the old address no longer opens" in result.out
    new_url = result.out.splitlines()[1]
    assert new_url != old_url
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200


@pytest.mark.parametrize(
    ("extra", "created", "rotated"),
    [([], True, False), (["--rotate"], True, False)],
)
def test_json_for_a_new_link(monkeypatch, session, extra, created, rotated):
    result = provision(monkeypatch, str(session.pk), "--json", *extra)
    assert result.code == 0, result.err
    link = HostSession.objects.get(session=session)
    assert json.loads(result.out) == {
        "session": session.pk,
        "url": link.public_url,
        "created": created,
        "rotated": rotated,
    }


def test_json_for_an_existing_and_a_rotated_link(monkeypatch, session):
    HostSessionFactory(session=session)
    again = json.loads(provision(monkeypatch, str(session.pk), "--json").out)
    rotated = json.loads(provision(monkeypatch, str(session.pk), "--json", "--rotate").out)
    link = HostSession.objects.get(session=session)
    assert (again["created"], again["rotated"]) == (False, False)
    assert (rotated["created"], rotated["rotated"]) == (False, True)
    assert rotated["url"] == link.public_url != again["url"]


# -- dry runs write nothing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "args", "says"),
    [
        ("none", [], "Would create a host link for session {pk} (Robotics"),
        ("link", [], "The host link of session {pk} (Robotics"),
        ("link", ["--rotate"], "Would rotate the host link of session {pk} (Robotics"),
        ("none", ["--rotate"], "Would create a host link for session {pk}"),
    ],
)
def test_a_dry_run_says_what_it_would_do_and_writes_nothing(
    monkeypatch, session, setup, args, says
):
    if setup == "link":
        HostSessionFactory(session=session)
    before = links()
    result = provision(monkeypatch, str(session.pk), "--dry-run", *args)
    assert result.code == 0, result.err
    assert result.out.startswith(says.format(pk=session.pk))
    assert result.out.endswith("Dry run: nothing was written.\n")
    assert links() == before


@pytest.mark.parametrize(
    ("which", "reason"),
    [
        ("cancelled", "was cancelled on"),
        ("ended", "has already ended; its attendance is closed. Add --force"),
    ],
)
def test_a_dry_run_of_a_refused_session_says_why_and_writes_nothing(
    monkeypatch, request, which, reason
):
    target = request.getfixturevalue(which)
    result = provision(monkeypatch, str(target.pk), "--dry-run")
    assert result.code == 0
    assert result.out.startswith(f"Would refuse: Session {target.pk} (Robotics")
    assert reason in result.out
    assert links() == []


def test_a_forced_dry_run_of_an_ended_session_would_create(monkeypatch, ended):
    result = provision(monkeypatch, str(ended.pk), "--dry-run", "--force")
    assert result.out.startswith(f"Would create a host link for session {ended.pk}")
    assert links() == []


def test_json_dry_runs(monkeypatch, session, ended):
    new = json.loads(provision(monkeypatch, str(session.pk), "--dry-run", "--json").out)
    refused = json.loads(provision(monkeypatch, str(ended.pk), "--dry-run", "--json").out)
    assert new == {
        "session": session.pk,
        "url": None,  # the token would be new; nothing was written, so there is no address
        "created": True,
        "rotated": False,
        "dry_run": True,
    }
    assert refused["dry_run"] is True and refused["url"] is None
    assert "has already ended" in refused["refused"]
    assert links() == []


# -- bad input: one line, exit 2, nothing written --------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999"], f"provision_host: There is no session with ID 999999. {FIND_IDS}"),
        (["abc"], "provision_host: SESSION_ID must be a whole number from 1 to"),
        (["0"], "provision_host: SESSION_ID must be a whole number from 1 to"),
        (["-4"], "provision_host: SESSION_ID must be a whole number from 1 to"),
        (["99999999999999999999"], "not '99999999999999999999'. " + FIND_IDS),
        ([], f"provision_host: give a SESSION_ID. {FIND_IDS}"),
        (["{cancelled}"], "a cancelled session gets no host link."),
        (["{cancelled}", "--force"], "a cancelled session gets no host link."),
        (["{ended}"], "has already ended; its attendance is closed. Add --force to provision"),
        (["{ended}", "--rotate"], "has already ended"),
        (["--list-upcoming", "{cancelled}"], "--list-upcoming takes no SESSION_ID"),
        (["--list-upcoming", "--dry-run"], "--list-upcoming takes no SESSION_ID"),
        (["1", "2"], "unrecognized arguments: 2"),
        (["--rotate"], f"provision_host: give a SESSION_ID. {FIND_IDS}"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    monkeypatch, cancelled, ended, args, message
):
    argv = [arg.format(cancelled=cancelled.pk, ended=ended.pk) for arg in args]
    result = provision(monkeypatch, *argv)
    assert result.code == 2
    assert message in result.err
    assert result.err.count("\n") == 1
    assert result.out == ""
    assert links() == []


def test_bad_input_with_json_is_an_error_document_and_exit_2(monkeypatch, session):
    result = provision(monkeypatch, "999999", "--json")
    assert result.code == 2
    assert json.loads(result.out) == {"error": f"There is no session with ID 999999. {FIND_IDS}"}
    assert result.err == ""


def test_an_ended_session_is_provisioned_with_force(monkeypatch, ended):
    result = provision(monkeypatch, str(ended.pk), "--force")
    assert result.code == 0, result.err
    assert HostSession.objects.filter(session=ended).exists()
    assert "12 hour(s) after it was issued" in result.out


def test_an_expired_link_says_how_to_reopen_it(monkeypatch, ended):
    long_ago = timezone.now() - datetime.timedelta(days=5)
    HostSessionFactory(session=ended, created_at=long_ago)
    result = provision(monkeypatch, str(ended.pk), "--force")
    assert result.code == 0
    assert "add --rotate --force to reopen it" in result.out


# -- listing --------------------------------------------------------------------------


def test_list_upcoming_shows_each_session_still_to_come_and_whether_it_has_a_link(
    monkeypatch, session, ended, cancelled, run
):
    later = WorkshopSessionFactory(run=run, number=4, date=days_from_today(9))
    HostSessionFactory(session=later)
    result = provision(monkeypatch, "--list-upcoming")
    assert result.code == 0
    lines = result.out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{session.pk}  Robotics · Spring build · Day 2 · ")
    assert lines[0].endswith("[no host link]")
    assert f"{later.date:%a %d %b %Y}, 09:00–12:00" in lines[1]
    assert lines[1].endswith("[has a host link]")


def test_list_upcoming_as_json(monkeypatch, session):
    result = provision(monkeypatch, "--list-upcoming", "--json")
    assert json.loads(result.out) == [
        {
            "session": session.pk,
            "workshop": "Robotics",
            "run": "Spring build",
            "day": 2,
            "date": session.date.isoformat(),
            "start": "09:00",
            "end": "12:00",
            "host_link": False,
        }
    ]


def test_list_upcoming_with_nothing_to_come(monkeypatch, ended):
    result = provision(monkeypatch, "--list-upcoming")
    assert result.code == 0
    assert result.out == "No upcoming sessions: none is still to come and not cancelled.\n"


# -- from the shell -------------------------------------------------------------------


def shell(*args: str, database_url: str) -> subprocess.CompletedProcess:
    return manage_py("provision_host", *args, DATABASE_URL=database_url)


@pytest.mark.postgres
def test_an_unknown_session_from_the_shell_is_one_line_and_exit_2_without_a_traceback():
    config = connection.settings_dict
    url = (
        f"postgres://{config['USER']}:{config['PASSWORD']}@{config['HOST'] or 'localhost'}:"
        f"{config['PORT'] or 5432}/{config['NAME']}"
    )
    completed = shell("999999", database_url=url)
    assert completed.returncode == 2
    assert completed.stderr == f"provision_host: There is no session with ID 999999. {FIND_IDS}\n"
    assert completed.stdout == ""


def test_a_malformed_id_is_exit_2_even_when_the_database_is_down():
    completed = shell("twelve", database_url="postgres://studyhall@127.0.0.1:1/studyhall")
    assert completed.returncode == 2
    assert completed.stderr.startswith("provision_host: SESSION_ID must be a whole number")
