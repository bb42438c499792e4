"""Login throttling: a username is locked after 10 failures, an address only after far
more, and a lock holds even against the right password until the window passes."""

import datetime
import logging

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
CLASSROOM = "203.0.113.7"


@pytest.fixture(autouse=True)
def throttle_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 10
    settings.STUDYHALL_LOGIN_FAILURES_PER_ADDRESS = 100


def attempt(username: str, password: str, *, address: str = CLASSROOM, url=None, **headers):
    client = Client(REMOTE_ADDR=address, **headers)
    return client.post(url or reverse("login"), {"username": username, "password": password})


def fail(username: str, times: int, **kwargs) -> None:
    """``times`` wrong passwords; each is answered as a failed login, the one that
    reaches the limit already with the lock."""
    for _ in range(times):
        assert attempt(username, "wrong password", **kwargs).status_code in (200, 429)


def test_twelve_wrong_passwords_lock_the_username_even_against_the_right_one():
    UserFactory(username="omar")
    answers = [attempt("omar", "wrong password").status_code for _ in range(10)]
    assert answers == [200] * 9 + [429]  # the tenth failure is told of the lock
    locked = attempt("omar", "still wrong")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text and "omar" in locked.text
    assert "paused for 15 minutes" in locked.text
    assert attempt("omar", "wrong again").status_code == 429
    assert attempt("omar", PASSWORD).status_code == 429


def test_the_lock_lifts_when_the_window_has_passed():
    UserFactory(username="omar")
    fail("omar", 10)
    assert attempt("omar", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    )
    assert attempt("omar", PASSWORD).status_code == 302


def test_a_success_resets_the_count():
    UserFactory(username="omar")
    fail("omar", 9)
    assert attempt("omar", PASSWORD).status_code == 302
    fail("omar", 9)
    assert attempt("omar", PASSWORD).status_code == 302


def test_one_students_typos_never_lock_out_the_classroom():
    UserFactory(username="omar")
    classmates = [UserFactory(username=f"pupil{n}") for n in range(5)]
    fail("omar", 12 - 2)
    assert attempt("omar", PASSWORD).status_code == 429
    for pupil in classmates:
        assert attempt(pupil.username, PASSWORD).status_code == 302


def test_logging_in_to_your_own_account_does_not_reset_the_count_against_another():
    UserFactory(username="victim")
    UserFactory(username="attacker")
    fail("victim", 9)
    assert attempt("attacker", PASSWORD).status_code == 302
    fail("victim", 1)
    assert attempt("victim", PASSWORD).status_code == 429


def test_an_address_is_locked_only_after_many_more_failures(settings):
    settings.STUDYHALL_LOGIN_FAILURES_PER_ADDRESS = 30
    UserFactory(username="pupil")
    for n in range(29):
        fail(f"guess{n}", 1)
    assert attempt("pupil", PASSWORD).status_code == 302
    fail("guess-last", 1)
    assert attempt("pupil", PASSWORD).status_code == 429
    assert attempt("pupil", PASSWORD, address="198.51.100.1").status_code == 302


def test_the_admin_login_is_throttled_too():
    UserFactory(username="staffer", is_staff=True)
    url = reverse("admin:login")
    fail("staffer", 10, url=url)
    assert attempt("staffer", PASSWORD, url=url).status_code == 429


def test_failed_logins_are_logged_with_username_and_address(caplog):
    caplog.set_level(logging.WARNING, logger="axes")
    fail("omar", 1)
    assert any("omar" in r.getMessage() and CLASSROOM in r.getMessage() for r in caplog.records)


def test_a_forwarded_for_header_is_ignored_unless_configured(settings):
    UserFactory(username="omar")
    for n in range(10):
        attempt("omar", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLASSROOM}


def test_behind_a_proxy_the_configured_header_names_the_client(settings):
    settings.STUDYHALL_CLIENT_IP_HEADER = "X-Forwarded-For"
    fail("omar", 1, address="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.55")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["192.0.2.55"]


def test_trying_during_the_lock_does_not_make_it_longer():
    UserFactory(username="omar")
    fail("omar", 10)
    started = AccessAttempt.objects.get(username="omar").attempt_time
    for _ in range(3):
        assert attempt("omar", PASSWORD).status_code == 429
    assert AccessAttempt.objects.get(username="omar").attempt_time == started
