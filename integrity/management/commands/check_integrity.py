import sys
import time
from typing import Any

from core import invariants as registry
from core.commands import StudyhallCommand, UsageError
from integrity.audit import audit, audit_notices, audit_record
from integrity.checks import all_names, selected, selected_notices, unknown_names


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
        invariants = selected(only)
        findings = audit(invariants) if invariants or not only else []
        notices = audit_notices(selected_notices(only))
        audit_record(findings, only=only, seconds=time.perf_counter() - started)
        ok = not any(finding.violations for finding in findings)
        if self.as_json:
            self.emit_json(
                {
                    "ok": ok,
                    "invariants": [finding.as_dict() for finding in findings],
                    "notices": [self.notice_dict(finding) for finding in notices],
                }
            )
        else:
            if findings or not notices:
                self.print_table(findings, ok)
            self.print_notices(notices)
        if not ok:
            sys.exit(1)

    @staticmethod
    def notice_dict(finding) -> dict[str, Any]:
        notice = {n.name: n for n in registry.registered_notices()}[finding.name]
        return {
            "name": finding.name,
            "description": notice.description,
            "rows": finding.violations,
            "sample_ids": finding.sample_ids,
            "where_to_look": notice.where_to_look,
        }

    def print_notices(self, notices) -> None:
        """Notices are not violations: they never change the exit code."""
        for finding in notices:
            if not finding.violations:
                continue
            notice = self.notice_dict(finding)
            samples = ", ".join(map(str, finding.sample_ids))
            self.stdout.write(
                f"Notice {finding.name}: {finding.violations} row(s), {notice['description']} "
                f"(ids {samples}{', …' if finding.violations > len(finding.sample_ids) else ''}). "
                f"Not a violation: {notice['where_to_look']}"
            )

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
