"""Dependencies between Studyhall's apps point one way (docs: the README's layout).

``core`` is a leaf every app may use; a domain app imports only the apps below it;
``demo`` may import everything and nothing imports it; nothing but ``demo`` (and the
benchmark) imports ``assistant_chat``.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_APPS = {
    "core",
    "accounts",
    "workshops",
    "orders",
    "integrity",
    "tutoring",
    "assistant_chat",
    "demo",
    "emails",
    "config",
    "bench",
}
# What each app's own code (tests aside) may import from the project.
ALLOWED = {
    "core": set(),
    "accounts": {"core", "tutoring"},
    "workshops": {"core"},
    # The family link (who may sit in a parent's seat) is tutoring's.
    "orders": {"core", "workshops", "emails", "tutoring"},
    "integrity": {"core"},
    "tutoring": {"core", "emails"},
    # The outbox and its worker; the apps register what their emails say.
    "emails": {"core"},
    # Reads the others through their selectors; nothing imports it.
    "assistant_chat": {"core", "workshops", "orders", "tutoring"},
    "demo": PROJECT_APPS - {"config", "bench"},
}


def project_imports(app: str) -> dict[str, set[str]]:
    """Each module of ``app`` (tests excluded) and the project apps it imports."""
    found = {}
    for path in (ROOT / app).rglob("*.py"):
        if "tests" in path.relative_to(ROOT).parts:
            continue
        names = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = (names & PROJECT_APPS) - {app}
    return found


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_app_imports_only_the_apps_below_it(app):
    offending = {
        module: sorted(imported - ALLOWED[app])
        for module, imported in project_imports(app).items()
        if imported - ALLOWED[app]
    }
    assert offending == {}


def test_nothing_imports_the_demo_data():
    importers = {
        module
        for app in ALLOWED.keys() - {"demo"}
        for module, imported in project_imports(app).items()
        if "demo" in imported
    }
    assert importers == set()


def test_nothing_imports_the_assistant():
    importers = {
        module
        for app in ALLOWED.keys() - {"demo", "assistant_chat"}
        for module, imported in project_imports(app).items()
        if "assistant_chat" in imported
    }
    assert importers == set()


def test_rows_are_locked_one_way():
    """``core.locking`` takes every row lock (its own table only, in id order). The one
    other lock is the chat purge's, which skips a conversation being written instead of
    waiting for it."""
    allowed = {Path("core/locking.py"), Path("assistant_chat/services.py")}
    found = set()
    for app in PROJECT_APPS - {"bench"}:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "tests" in relative.parts or "migrations" in relative.parts:
                continue
            if "select_for_update(" in path.read_text():
                found.add(relative)
    assert found <= allowed, sorted(map(str, found - allowed))
