import datetime
from typing import Any

from core.commands import StudyhallCommand, UsageError, parse_date
from core.ids import parse_id
from workshops.selectors.schedule import run_sessions, run_with_workshop
from workshops.services import run_clone


class Command(StudyhallCommand):
    help = (
        "Clone a run: copy its sessions, with the same day offsets, times and capacity, "
        "into a new run starting on --start-date."
    )
    supports_dry_run = True

    def add_arguments(self, parser) -> None:
        parser.add_argument("run_id", help="ID of the run to clone.")
        parser.add_argument("--start-date", required=True, help="First day of the new run.")
        parser.add_argument("--name", help="Name of the new run (default: title and date).")
        super().add_arguments(parser)

    def parse_input(self, *, run_id: str, start_date: str, **options) -> dict[str, Any]:
        pk = parse_id(run_id)
        if pk is None:
            raise UsageError(f"RUN_ID must be a whole number, not {run_id!r}.")
        return {"pk": pk, "start": parse_date(start_date, option="--start-date")}

    def handle(
        self,
        *args,
        run_id: str,
        pk: int,
        start: datetime.date,
        name: str | None,
        dry_run: bool,
        **options,
    ) -> None:
        source = run_with_workshop(pk)
        if source is None:
            raise UsageError(f"There is no run with ID {run_id}.")

        with self.maybe_rolled_back(dry_run):
            copy = run_clone(run=source, start_date=start, name=name)
            sessions = run_sessions(copy)
            verb = "Would create" if dry_run else "Created"
            self.stdout.write(
                f"{verb} run “{copy.name}” of {copy.workshop} "
                f"({copy.start_date:%Y-%m-%d} to {copy.end_date:%Y-%m-%d}) "
                f"with {len(sessions)} session(s):"
            )
            for session in sessions:
                capacity = "unlimited" if session.capacity is None else session.capacity
                self.stdout.write(
                    f"  Day {session.number}: {session.date:%Y-%m-%d} "
                    f"{session.start_time:%H:%M}–{session.end_time:%H:%M}, seats: {capacity}"
                )
            if not dry_run:
                self.stdout.write(f"New run ID: {copy.pk}")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
