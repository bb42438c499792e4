import subprocess
import sys

import pytest

from core.tests.commands import run_command
from workshops.models import WorkshopRun, WorkshopSession
from workshops.tests.factories import WorkshopRunFactory, WorkshopSessionFactory, days_from_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def run():
    run = WorkshopRunFactory(
        workshop__default_capacity=None,  # so a session without a limit is copied as one
        name="March",
        start_date=days_from_today(10),
        end_date=days_from_today(11),
    )
    WorkshopSessionFactory(run=run, number=1, date=days_from_today(10), seats_taken=4)
    WorkshopSessionFactory(run=run, number=2, date=days_from_today(11), unlimited=True)
    return run


def test_clone_run_creates_the_new_run_and_prints_its_sessions(monkeypatch, run):
    start = days_from_today(50)
    result = run_command(
        monkeypatch, "clone_run", str(run.pk), "--start-date", start.isoformat(), "--name", "May"
    )
    assert result.code == 0, result.err
    copy = WorkshopRun.objects.get(name="May")
    assert f"New run ID: {copy.pk}" in result.out
    assert f"Day 2: {days_from_today(51).isoformat()} 09:00–12:00, seats: unlimited" in result.out
    assert copy.sessions.count() == 2


def test_clone_run_dry_run_prints_the_plan_and_writes_nothing(monkeypatch, run):
    before = (WorkshopRun.objects.count(), WorkshopSession.objects.count())
    result = run_command(
        monkeypatch,
        "clone_run",
        str(run.pk),
        "--start-date",
        days_from_today(50).isoformat(),
        "--dry-run",
    )
    assert result.code == 0, result.err
    assert result.out.startswith("Would create run")
    assert "Dry run: nothing was written." in result.out
    assert (WorkshopRun.objects.count(), WorkshopSession.objects.count()) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999", "--start-date", "{future}"], "There is no run with ID 999999."),
        (["{run}", "--start-date", "2031-02-30"], "--start-date must be a date as YYYY-MM-DD"),
        (["{run}", "--start-date", "yesterday"], "--start-date must be a date as YYYY-MM-DD"),
        (["{run}"], "the following arguments are required: --start-date"),
        (["x1", "--start-date", "{future}"], "RUN_ID must be a whole number"),
        (["99999999999999999999999", "--start-date", "{future}"], "RUN_ID must be a whole"),
        (["{run}", "--start-date", "{past}"], "is in the past"),
        (["{run}", "--start-date", "{future}", "--name", "March"], "already has a run named"),
    ],
)
def test_clone_run_bad_input_is_one_line_exit_2_and_nothing_written(
    monkeypatch, run, args, message
):
    dates = {"future": days_from_today(40).isoformat(), "past": days_from_today(-1).isoformat()}
    argv = [arg.format(run=run.pk, **dates) for arg in args]
    result = run_command(monkeypatch, "clone_run", *argv)
    assert result.code == 2
    assert message in result.err
    assert result.err.count("\n") == 1
    assert result.out == ""
    assert WorkshopRun.objects.count() == 1


def test_clone_run_from_the_shell_reports_bad_input_without_a_traceback():
    completed = subprocess.run(
        [sys.executable, "manage.py", "clone_run", "seven", "--start-date", "2099-01-01"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr == "clone_run: RUN_ID must be a whole number, not 'seven'.\n"
