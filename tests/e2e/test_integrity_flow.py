"""An operator repairs damaged data and staff find the quarantined row in the admin, then
put it back once its cause is fixed."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from playwright.sync_api import Page, expect

from core.tests.factories import staff_user
from integrity.models import QuarantinedRow
from tests.e2e.conftest import log_in, run_admin_action
from workshops.models import HostSession
from workshops.tests.factories import HostSessionFactory, WorkshopSessionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MISSING = 987654


def test_a_quarantined_row_is_found_in_the_admin_and_restored_once_its_cause_is_fixed(
    page: Page, site
):
    link = HostSessionFactory()
    # As a restored dump would have it: the link points at a session that is gone.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE workshops_hostsession SET session_id = %s WHERE id = %s", [MISSING, link.pk]
        )
    call_command("repair_integrity", "--no-input", stdout=io.StringIO(), stderr=io.StringIO())
    assert not HostSession.objects.filter(pk=link.pk).exists()
    log_in(page.context, staff_user("integrity", "workshops"), site)

    page.goto("/admin/")
    page.get_by_role("link", name="Quarantined rows").click()
    row = page.get_by_role("row").filter(has_text="workshops_hostsession")
    expect(row).to_contain_text(str(link.pk))

    restore = "Restore the selected rows to their tables"
    # The session is still missing: refused, and the row stays held.
    run_admin_action(page, "workshops_hostsession", restore)
    expect(page.locator(".messagelist")).to_contain_text(f"hostsession #{link.pk}")
    assert QuarantinedRow.objects.get().restored_at is None

    WorkshopSessionFactory(pk=MISSING)  # the session is back, from a backup
    run_admin_action(page, "workshops_hostsession", restore)
    expect(page.locator(".messagelist")).to_contain_text("1 row restored.")
    assert HostSession.objects.get(pk=link.pk).session_id == MISSING
