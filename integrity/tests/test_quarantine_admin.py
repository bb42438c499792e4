"""The quarantine in the admin: rows are read-only evidence, and a restore action puts
a row back once its cause is fixed, never before."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.tests.commands import run_command
from core.tests.factories import staff_user
from integrity.models import QuarantinedRow
from workshops.models import HostSession
from workshops.tests.factories import HostSessionFactory, WorkshopSessionFactory

pytestmark = pytest.mark.django_db

MISSING = 987654
CHANGELIST = reverse("admin:integrity_quarantinedrow_changelist")


@pytest.fixture
def held(monkeypatch, write_broken) -> QuarantinedRow:
    """A host link whose session was gone, taken to the quarantine by the repair."""
    link = HostSessionFactory()
    write_broken(
        ("UPDATE workshops_hostsession SET session_id = %s WHERE id = %s", [MISSING, link.pk])
    )
    result = run_command(monkeypatch, "repair_integrity", "--no-input", "--only", "host_session")
    assert result.code == 0
    return QuarantinedRow.objects.get(source_table="workshops_hostsession")


def restore(client, row):
    return client.post(
        CHANGELIST,
        {"action": "restore", "_selected_action": [row.pk]},
        follow=True,
    )


def test_a_row_whose_cause_remains_is_not_restored(client, held):
    client.force_login(staff_user("integrity", "workshops"))
    response = restore(client, held)
    assert response.status_code == 200
    (message,) = [str(m) for m in response.context["messages"]]
    assert message.startswith(f"workshops_hostsession #{held.source_pk}")
    assert "host_session" in message or "fk:workshops_hostsession.session_id" in message
    held.refresh_from_db()
    assert held.restored_at is None
    assert not HostSession.objects.filter(pk=held.source_pk).exists()


def test_a_row_whose_cause_is_fixed_is_restored_with_its_values(client, held):
    WorkshopSessionFactory(pk=MISSING)  # the session is back, from a backup, say
    client.force_login(staff_user("integrity", "workshops"))
    response = restore(client, held)
    assert [str(m) for m in response.context["messages"]] == ["1 row restored."]
    link = HostSession.objects.get(pk=held.source_pk)
    assert (link.session_id, link.token) == (MISSING, held.data["token"])
    held.refresh_from_db()
    assert held.restored_at is not None
    # Restored rows stay listed as evidence; restoring twice does nothing.
    response = restore(client, held)
    assert [str(m) for m in response.context["messages"]] == []


def test_staff_who_may_only_view_cannot_restore(client, held):
    viewer = staff_user("integrity", username="viewer")
    viewer.user_permissions.remove(*viewer.user_permissions.filter(codename__startswith="change"))
    client.force_login(viewer)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert b'value="restore"' not in response.content
