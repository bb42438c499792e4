import sys
import time
from typing import Any

from core.commands import StudyhallCommand, UsageError
from integrity.audit import audit, audit_record
from integrity.checks import all_names, selected, unknown_names


def only_argument(parser) -> None:
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="Just these invariants (names from docs/invariants.md, or fk:<table>.<column>).",
    )


def parse_only(only: list[str] | None) -> list[str] | None:
    """The names asked for, refused as bad input when one is unknown."""
    if only is None:
        return None
    unknown = unknown_names(only)
    if unknown:
        raise UsageError(
            f"unknown invariant {', '.join(map(repr, unknown))}; valid names: "
            f"{', '.join(all_names())}."
        )
    return list(dict.fromkeys(only))


class Command(StudyhallCommand):
    help = (
        "Audit every invariant (docs/invariants.md) and every foreign key the database does "
        "not enforce, reading only. Exit 0 when clean, 1 when any row breaks one."
    )
    supports_json = True

    def add_arguments(self, parser) -> None:
        only_argument(parser)
        super().add_arguments(parser)

    def parse_input(self, *, only: list[str] | None, **options) -> dict[str, Any]:
        return {"only": parse_only(only)}

    def handle(self, *args, only: list[str] | None, **options) -> None:
        started = time.perf_counter()
        findings = audit(selected(only))
        audit_record(findings, only=only, seconds=time.perf_counter() - started)
        ok = not any(finding.violations for finding in findings)
        if self.as_json:
            self.emit_json({"ok": ok, "invariants": [finding.as_dict() for finding in findings]})
        else:
            self.print_table(findings, ok)
        if not ok:
            sys.exit(1)

    def print_table(self, findings, ok: bool) -> None:
        header = ("invariant", "checked", "violations", "sample ids", "seconds")
        rows = [
            (
                finding.name,
                str(finding.checked),
                str(finding.violations),
                ", ".join(map(str, finding.sample_ids)) or "–",
                f"{finding.seconds:.3f}",
            )
            for finding in findings
        ]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            cells = [
                cell.rjust(width) if i in (1, 2, 4) else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ]
            self.stdout.write("  ".join(cells).rstrip())
        total = sum(finding.violations for finding in findings)
        self.stdout.write(
            "All invariants hold."
            if ok
            else f"{total} violation(s). See them by name above; manage.py repair_integrity "
            "repairs or quarantines them."
        )
