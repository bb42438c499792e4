"""Production settings refuse to start half-configured and pass Django's deploy checks."""

import importlib
import os
import subprocess
import sys

import pytest

from core.tests.commands import manage_py

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
        DJANGO_EMAIL_URL="smtp+tls://studyhall:secret@smtp.example.org:587",
        STUDYHALL_SITE_URL="https://studyhall.example.org",
        STUDYHALL_CACHE_URL=CACHE,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_host_links_would_not_be_https():
    result = manage(
        "check",
        "--deploy",
        STUDYHALL_CACHE_URL=CACHE,
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="studyhall.example.org",
        STUDYHALL_SITE_URL="http://127.0.0.1:8000",
    )
    assert "studyhall.W001" in result.stderr


def test_production_starts_without_mail_settings_and_only_the_deploy_check_warns():
    production = {
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "studyhall.example.org",
        "STUDYHALL_SITE_URL": "https://studyhall.example.org",
        "STUDYHALL_CACHE_URL": CACHE,
    }
    plain = manage("check", "--fail-level", "WARNING", **production)
    assert plain.returncode == 0, plain.stderr
    deploy = manage("check", "--deploy", **production)
    assert deploy.returncode == 0, deploy.stderr
    assert "studyhall.W002" in deploy.stderr and "DJANGO_EMAIL_URL" in deploy.stderr
    assert "mail.E001" not in deploy.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("STUDYHALL_SITE_URL", "studyhall.example.org", "STUDYHALL_SITE_URL must be the site's"),
        ("STUDYHALL_SITE_URL", "https://example.org/studyhall", "STUDYHALL_SITE_URL must be"),
        ("STUDYHALL_SITE_URL", "ftp://example.org", "STUDYHALL_SITE_URL must be"),
        ("STUDYHALL_HOST_LINK_GRACE_HOURS", "-1", "cannot be negative"),
        ("STUDYHALL_DB_CONNECT_TIMEOUT", "0", "must be at least 1 second"),
    ],
)
def test_studyhall_settings_refuse_a_value_that_cannot_work(name, value, message):
    result = manage_py("check", DJANGO_SETTINGS_MODULE="config.settings.local", **{name: value})
    assert result.returncode != 0
    assert message in result.stderr


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


@pytest.mark.parametrize("cache", ["locmemcache://", "dummycache://"])
def test_production_refuses_a_cache_each_process_keeps_to_itself(cache):
    result = manage(
        "check",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="studyhall.example.org",
        STUDYHALL_CACHE_URL=cache,
    )
    assert result.returncode != 0
    assert "STUDYHALL_CACHE_URL must name a cache every app server shares" in result.stderr


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


@pytest.mark.django_db
def test_production_sends_a_strict_content_security_policy_and_permissions_policy(
    client, monkeypatch, settings
):
    monkeypatch.setenv("DJANGO_SECRET_KEY", SECRET)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "testserver")
    monkeypatch.setenv("STUDYHALL_CACHE_URL", CACHE)
    production = importlib.import_module("config.settings.production")
    for name in ("SECURE_CSP", "PERMISSIONS_POLICY", "MIDDLEWARE", "X_FRAME_OPTIONS"):
        setattr(settings, name, getattr(production, name))
    for path in ("/", "/accounts/login/", "/admin/login/", "/no-such-page/"):
        response = client.get(path, secure=True)
        policy = dict(
            directive.strip().split(" ", 1)
            for directive in response["Content-Security-Policy"].split(";")
        )
        assert "'unsafe-inline'" not in policy["script-src"], path
        assert "'unsafe-eval'" not in policy["script-src"], path
        assert policy["frame-ancestors"] == "'none'"
        assert policy["object-src"] == "'none'"
        assert "camera=()" in response["Permissions-Policy"]
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_pages_carry_no_inline_script_or_style_attribute(client):
    """What the policy forbids must not be in the pages: an inline script without the
    nonce, an event handler attribute or a style attribute would be blocked."""
    import re

    for path in ("/", "/workshops/", "/tutors/", "/accounts/login/", "/accounts/signup/"):
        text = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+=", text), path
        assert " style=" not in text, path


def database_options(url: str, **env: str) -> dict:
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": url,
            **env,
        },
        check=False,
    )
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout)


def test_postgresql_connections_wait_for_a_lock_only_as_long_as_the_setting_says():
    options = database_options(
        "postgres://postgres@127.0.0.1:5432/x?options=-c%20statement_timeout%3D9000",
        STUDYHALL_DB_LOCK_TIMEOUT="3",
    )
    assert options["options"] == "-c statement_timeout=9000 -c lock_timeout=3000"


def test_sqlite_writers_take_turns_instead_of_failing():
    options = database_options("sqlite:////tmp/x.sqlite3", STUDYHALL_SQLITE_TIMEOUT="7")
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 7
    assert "journal_mode=WAL" in options["init_command"]
