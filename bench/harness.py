"""What the benchmarks share: a fresh database, logged-in users, gunicorn, the machine."""

from __future__ import annotations

import os
import platform
import secrets
import socket
import string
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fail(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr)
    sys.exit(2)


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def csrf_secret() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


def logged_in(user) -> tuple[str, str]:
    """A live login session for ``user``: the Cookie header and the CSRF token to post."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    token = csrf_secret()
    return f"sessionid={store.session_key}; csrftoken={token}", token


@contextmanager
def gunicorn(*, workers: int, env: dict[str, str] | None = None) -> Iterator[str]:
    """gunicorn serving ``config.wsgi`` on a free port, with persistent connections;
    yields its base URL once /healthz answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_CONN_MAX_AGE": "600", **(env or {})},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    fail("gunicorn did not answer /healthz within 30 s")
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def oversold_sessions() -> int:
    """Sessions whose seats taken pass their capacity or differ from their active seats."""
    from django.db.models import Count, F, Q

    from workshops.models import WorkshopSession

    checked = WorkshopSession.objects.annotate(
        active=Count("seats", filter=Q(seats__status="active"))
    )
    return checked.filter(Q(seats_taken__gt=F("capacity")) | ~Q(seats_taken=F("active"))).count()


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (pg_version,) = cursor.fetchone()
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PostgreSQL {pg_version} on the same machine"
    )


def standalone_setup(*, made_by: str = "") -> None:
    """For a phase run alone (``python -m bench.<phase>``): a fresh, migrated
    ``DATABASE_URL`` database under the bench settings, Django set up, and the machine
    printed. ``made_by`` names the make target that sets the URL, for the error."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        fail(f"DATABASE_URL must name a PostgreSQL database{made_by}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    recreate_database(url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, check=True
    )
    import django

    django.setup()
    print(f"machine: {machine()}")
