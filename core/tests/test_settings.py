"""Production settings refuse to start half-configured and pass Django's deploy checks."""

import importlib
import os
import subprocess
import sys

import pytest

SECRET = "q8N2v!rT5zLp0wXc7Hb4Jm9Kd3Fs6Ge1Ya2Uo8Ri5Te0Wq7Pz-productionlike"
CACHE = "redis://cache.internal:6379/0"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k != "STUDYHALL_CACHE_URL"
    }
    base.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        env=base,
        check=False,
    )


def test_production_passes_check_deploy():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="studyhall.example.org",
        STUDYHALL_CACHE_URL=CACHE,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"DJANGO_ALLOWED_HOSTS": "studyhall.example.org"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": SECRET}, "DJANGO_ALLOWED_HOSTS"),
        (
            {"DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": "studyhall.example.org"},
            "STUDYHALL_CACHE_URL",
        ),
    ],
)
def test_production_refuses_to_start_without(env, missing):
    result = manage("check", **env)
    assert result.returncode != 0
    assert f"Set {missing}" in result.stderr


@pytest.mark.django_db
def test_health_probes_over_plain_http_are_not_redirected(client, monkeypatch, settings):
    monkeypatch.setenv("DJANGO_SECRET_KEY", SECRET)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "testserver")
    monkeypatch.setenv("STUDYHALL_CACHE_URL", CACHE)
    production = importlib.import_module("config.settings.production")
    settings.SECURE_SSL_REDIRECT = production.SECURE_SSL_REDIRECT
    settings.SECURE_REDIRECT_EXEMPT = production.SECURE_REDIRECT_EXEMPT
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301
