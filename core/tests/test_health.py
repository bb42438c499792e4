import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_reports_a_reachable_migrated_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["migrations"] == {"ok": True, "pending": []}


def test_healthz_reports_pending_migrations_as_unhealthy(client):
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    MigrationRecorder(connection).migration_qs.filter(
        app="workshops", name="0005_validate_session_run_fk"
    ).delete()
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["migrations"]["pending"] == ["workshops.0005_validate_session_run_fk"]


def test_healthz_is_read_only(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_apps_add_reports_that_never_make_the_check_unhealthy(client, monkeypatch):
    from core import health

    def broken():
        raise RuntimeError("cache unreachable")

    monkeypatch.setattr(health, "_reports", {})
    health.register_report("sample", lambda: {"count": 3})
    health.register_report("broken", broken)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["sample"] == {"count": 3}
    assert body["broken"] == {"error": "RuntimeError"}


def test_a_report_cannot_take_a_name_healthz_uses():
    import pytest

    from core.health import register_report

    with pytest.raises(ValueError, match="cannot be named 'status'"):
        register_report("status", dict)
