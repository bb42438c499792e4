import time
from typing import Any

from core.commands import StudyhallCommand, UsageError
from integrity.checks import selected
from integrity.management.commands.check_integrity import only_argument, parse_only
from integrity.repair import plan, repair

DEFAULT_BATCH_SIZE = 5000
MAX_BATCH_SIZE = 10000  # ids are sent in one statement; SQLite takes 32766 at most
PROGRESS_EVERY = 2.0  # seconds


class Command(StudyhallCommand):
    help = (
        "Repair what check_integrity finds: fix the rows a safe rule can fix, move the "
        "others to the quarantine (Data integrity → Quarantined rows) with the rows that "
        "depend on them, and report what neither can. Nothing is deleted. Shows the plan "
        "and asks first, unless --no-input."
    )
    supports_dry_run = True
    supports_json = True

    def add_arguments(self, parser) -> None:
        only_argument(parser)
        parser.add_argument("--no-input", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--batch-size",
            default=str(DEFAULT_BATCH_SIZE),
            metavar="N",
            help=f"Rows per transaction (1 to {MAX_BATCH_SIZE}, default {DEFAULT_BATCH_SIZE}).",
        )
        super().add_arguments(parser)

    def parse_input(self, *, only: list[str] | None, batch_size: str, **options) -> dict[str, Any]:
        try:
            size = int(batch_size)
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_BATCH_SIZE:
            raise UsageError(
                f"--batch-size must be a whole number from 1 to {MAX_BATCH_SIZE}, "
                f"not {batch_size!r}."
            )
        return {"only": parse_only(only), "batch_size": size}

    def handle(
        self,
        *args,
        only: list[str] | None,
        dry_run: bool,
        no_input: bool,
        batch_size: int,
        **options,
    ) -> None:
        invariants = selected(only, repairing=True)
        if no_input and not dry_run:
            # Nobody to show the plan to: straight to the work, which reports the same.
            self.run_repair(invariants, batch_size, plan_lines=None)
            return
        lines = plan(invariants)
        if not self.as_json:
            self.print_plan(lines)
        if dry_run or not any(line.violations for line in lines):
            if self.as_json:
                self.emit_json(
                    {"dry_run": dry_run, "plan": [vars(line) for line in lines], "repaired": []}
                )
            elif not dry_run:
                self.stdout.write("Nothing to repair.")
            else:
                self.stdout.write("Dry run: nothing was written.")
            return
        if not self.confirmed():
            self.stdout.write("Nothing was changed.")
            return
        self.run_repair(invariants, batch_size, plan_lines=lines)

    def run_repair(self, invariants, batch_size: int, *, plan_lines) -> None:
        outcomes = repair(invariants, batch_size=batch_size, progress=self.progress())
        if self.as_json:
            self.emit_json(
                {
                    "dry_run": False,
                    "plan": None if plan_lines is None else [vars(line) for line in plan_lines],
                    "repaired": [outcome.as_dict() for outcome in outcomes],
                }
            )
        else:
            self.print_outcomes(outcomes)

    def confirmed(self) -> bool:
        try:
            answer = input("Repair these rows now? Type 'yes' to go on: ")
        except EOFError:
            return False
        return answer.strip().lower() in {"yes", "y"}

    def progress(self):
        state = {"shown": time.perf_counter()}

        def show(name: str, done: int, seconds: float) -> None:
            now = time.perf_counter()
            if now - state["shown"] < PROGRESS_EVERY:
                return
            state["shown"] = now
            rate = done / seconds if seconds else 0.0
            self.stderr.write(f"{name}: {done} rows done, {rate:.0f} rows/s")

        return show

    def print_plan(self, lines) -> None:
        clean = [line for line in lines if not line.violations]
        self.stdout.write(f"Plan: {len(clean)} of {len(lines)} invariants hold.")
        for line in lines:
            if not line.violations:
                continue
            self.stdout.write(f"  {line.name}: {line.violations} violation(s)")
            for action in line.actions:
                self.stdout.write(f"    {action['rows']} {action['action']}")

    def print_outcomes(self, outcomes) -> None:
        idle = [o for o in outcomes if not (o.fixed or o.quarantined or o.reported)]
        self.stdout.write(f"Done: nothing to do for {len(idle)} of {len(outcomes)} invariants.")
        for outcome in outcomes:
            if outcome in idle:
                continue
            self.stdout.write(
                f"  {outcome.name}: {outcome.fixed} fixed, {outcome.quarantined} quarantined, "
                f"{outcome.reported} reported ({outcome.seconds:.3f} s)"
            )
            for why, count in outcome.reasons.items():
                self.stdout.write(f"    {count} reported: {why}")
        self.stdout.write(
            "Quarantined rows are in the admin (Data integrity → Quarantined rows). "
            "Run manage.py check_integrity to audit again."
        )
