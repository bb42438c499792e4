"""System checks for the assistant's settings (``manage.py check``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning

from assistant_chat.responders import BACKENDS


def check_backend(app_configs, **kwargs) -> list[Error]:
    config = settings.ASSISTANT
    name = config["BACKEND"]
    if name not in BACKENDS:
        return [
            Error(
                f"STUDYHALL_ASSISTANT_BACKEND is {name!r}; choose one of "
                f"{', '.join(sorted(BACKENDS))}.",
                id="assistant_chat.E001",
            )
        ]
    if name == "openai":
        missing = [f"STUDYHALL_ASSISTANT_{key}" for key in ("API_URL", "MODEL") if not config[key]]
        if missing:
            return [
                Error(
                    f"The openai assistant backend needs {' and '.join(missing)}.",
                    id="assistant_chat.E002",
                )
            ]
    if config["RATE_LIMIT"] < 1:
        return [
            Error("STUDYHALL_ASSISTANT_RATE_LIMIT must be at least 1.", id="assistant_chat.E003")
        ]
    return []


NOT_SHARED = ("LocMemCache", "DummyCache", "FileBasedCache")


def check_shared_cache(app_configs, **kwargs) -> list[Warning]:
    """Deploy check: the rate limit and the failure count need a cache every app
    server shares and that counts atomically (Redis or Memcached)."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(NOT_SHARED):
        return [
            Warning(
                f"The default cache ({backend}) is not shared between app servers, so the "
                "assistant's rate limit and failure count are per server.",
                hint="Set STUDYHALL_CACHE_URL=redis://host:6379/0.",
                id="assistant_chat.W001",
            )
        ]
    if backend.endswith("DatabaseCache"):
        return [
            Warning(
                "The database cache increments by reading then writing, so concurrent "
                "messages and failures can be counted once instead of twice.",
                hint="Set STUDYHALL_CACHE_URL=redis://host:6379/0.",
                id="assistant_chat.W002",
            )
        ]
    return []
