"""docs/invariants.md and the registry name the same invariants, so the two cannot
drift: each section of the page is an invariant the audit runs, and says where."""

import re
from pathlib import Path

from core import invariants as registry

DOCS = Path(__file__).resolve().parents[2] / "docs" / "invariants.md"
MODULES = {
    "session_run_workshop": "workshops/invariants.py",
    "run_dates": "workshops/invariants.py",
    "host_session": "workshops/invariants.py",
    "order_item_session": "orders/invariants.py",
    "session_capacity": "orders/invariants.py",
    "seat_attendee": "orders/invariants.py",
    "session_request_parties": "tutoring/invariants.py",
    "chat_message_session": "assistant_chat/invariants.py",
}


def sections() -> dict[str, str]:
    text = DOCS.read_text()
    parts = re.split(r"^## `([a-z_]+)`$", text, flags=re.MULTILINE)
    # A section ends at the next heading of its level, named rule or not.
    return {
        parts[i]: re.split(r"^## ", parts[i + 1], flags=re.MULTILINE)[0]
        for i in range(1, len(parts), 2)
    }


def test_the_docs_and_the_registry_name_the_same_invariants():
    assert sorted(sections()) == sorted(invariant.name for invariant in registry.registered())


def test_each_section_says_where_its_audit_and_repair_are_declared():
    for name, text in sections().items():
        (row,) = [line for line in text.splitlines() if line.startswith("| audit/repair |")]
        assert f"`{MODULES[name]}`" in row, name
        assert "check_integrity" in row or "repair_integrity" in row, name


def test_every_invariant_has_a_description_and_checks():
    for invariant in registry.registered():
        assert invariant.description and invariant.checks, invariant.name
        for check in invariant.checks:
            assert "NOT IN" not in check.condition.upper(), invariant.name
