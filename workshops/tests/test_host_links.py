"""Host links (``host_session``): provisioned only for a session that exists, one per
session, and opening for a limited time."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.tests.factories import UserFactory
from workshops.models import HostSession
from workshops.selectors.host_links import host_link_for_token, sessions_to_host
from workshops.services import HostLinkRefused, host_link_provision
from workshops.tests.factories import (
    HostSessionFactory,
    WorkshopRunFactory,
    WorkshopSessionFactory,
)

pytestmark = pytest.mark.django_db

# Tuesday 10 March 2031, 11:00 in the business's time zone.
NOW = timezone.make_aware(datetime.datetime(2031, 3, 10, 11, 0))
HOUR = datetime.timedelta(hours=1)


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2031, 3, day, hour, minute))


def march_session(day: int = 15, **changes):
    """A session on ``day`` March 2031, 09:00–12:00, of a run spanning the month."""
    run = WorkshopRunFactory(
        workshop__title="Robotics",
        name="Spring build",
        start_date=datetime.date(2031, 3, 1),
        end_date=datetime.date(2031, 3, 31),
    )
    return WorkshopSessionFactory(run=run, number=1, date=datetime.date(2031, 3, day), **changes)


# -- provisioning ---------------------------------------------------------------


def test_provisioning_a_session_creates_its_link():
    session = march_session()
    staff = UserFactory(username="sara", is_staff=True)

    result = host_link_provision(session_id=session.pk, by=staff, now=NOW)

    assert (result.created, result.rotated) == (True, False)
    link = HostSession.objects.get(session=session)
    assert link == result.link
    assert (link.created_by, link.created_at, link.rotated_at) == (staff, NOW, None)


def test_deleting_the_staff_account_that_provisioned_a_link_keeps_the_link():
    session = march_session()
    staff = UserFactory(username="sara", is_staff=True)
    link = host_link_provision(session_id=session.pk, by=staff, now=NOW).link
    staff.delete()
    link.refresh_from_db()
    assert link.created_by is None
    assert link.opens_at(NOW)


def test_provisioning_twice_gives_the_same_link():
    session = march_session()
    first = host_link_provision(session_id=session.pk, now=NOW)
    second = host_link_provision(session_id=session.pk, now=NOW + HOUR)

    assert (second.created, second.rotated) == (False, False)
    assert second.link.token == first.link.token
    assert HostSession.objects.count() == 1


def test_rotating_replaces_the_token_and_the_old_one_stops_opening():
    session = march_session()
    old = host_link_provision(session_id=session.pk, now=NOW).link.token

    result = host_link_provision(session_id=session.pk, rotate=True, now=NOW + HOUR)

    assert (result.created, result.rotated) == (False, True)
    assert result.link.token != old
    assert result.link.rotated_at == NOW + HOUR
    assert host_link_for_token(token=old, now=NOW + HOUR) is None
    assert host_link_for_token(token=result.link.token, now=NOW + HOUR) == result.link
    assert HostSession.objects.count() == 1


def test_rotating_a_session_without_a_link_creates_one():
    session = march_session()
    result = host_link_provision(session_id=session.pk, rotate=True, now=NOW)
    assert (result.created, result.rotated) == (True, False)
    assert HostSession.objects.filter(session=session).count() == 1


def test_a_missing_session_is_refused_and_nothing_is_written():
    with pytest.raises(HostLinkRefused) as refused:
        host_link_provision(session_id=999999, now=NOW)
    assert refused.value.code == "session_not_found"
    assert refused.value.message == "There is no session with ID 999999."
    assert not HostSession.objects.exists()


def test_a_cancelled_session_is_refused_even_with_force():
    session = march_session(cancelled_at=at(5, 9))
    with pytest.raises(HostLinkRefused) as refused:
        host_link_provision(session_id=session.pk, force=True, now=NOW)
    assert refused.value.code == "session_cancelled"
    assert "was cancelled on 5 Mar 2031" in refused.value.message
    assert "Robotics · Spring build · Day 1" in refused.value.message
    assert not HostSession.objects.exists()


@pytest.mark.parametrize(
    ("day", "end", "ended"),
    [
        (9, datetime.time(12), True),  # the day before
        (10, datetime.time(10, 59), True),  # earlier today
        (10, datetime.time(11), True),  # ends exactly now
        (10, datetime.time(11, 1), False),  # under way
        (11, datetime.time(12), False),
    ],
)
def test_an_ended_session_is_refused_unless_forced(day, end, ended):
    session = march_session(day=day, start_time=datetime.time(8), end_time=end)
    if ended:
        with pytest.raises(HostLinkRefused) as refused:
            host_link_provision(session_id=session.pk, now=NOW)
        assert refused.value.code == "session_ended"
        assert not HostSession.objects.exists()
        assert host_link_provision(session_id=session.pk, force=True, now=NOW).created
    else:
        assert host_link_provision(session_id=session.pk, now=NOW).created


# -- when a link opens -------------------------------------------------------------


def test_a_link_opens_until_the_grace_period_after_its_session_ends(settings):
    settings.STUDYHALL_HOST_LINK_GRACE_HOURS = 12
    session = march_session(day=15)  # ends 15 March at 12:00
    token = host_link_provision(session_id=session.pk, now=NOW).link.token

    assert host_link_for_token(token=token, now=at(15, 23, 59)) is not None
    assert host_link_for_token(token=token, now=at(16, 0)) is None


def test_rotating_an_expired_link_reopens_it_for_the_grace_period(settings):
    settings.STUDYHALL_HOST_LINK_GRACE_HOURS = 2
    session = march_session(day=5)  # ended 5 March at 12:00
    token = host_link_provision(session_id=session.pk, force=True, now=at(5, 10)).link.token
    assert host_link_for_token(token=token, now=NOW) is None

    new = host_link_provision(session_id=session.pk, rotate=True, force=True, now=NOW).link.token

    assert host_link_for_token(token=new, now=NOW + HOUR) is not None
    assert host_link_for_token(token=new, now=NOW + 2 * HOUR) is None


def test_a_link_forced_after_its_session_ended_opens_for_the_grace_period(settings):
    settings.STUDYHALL_HOST_LINK_GRACE_HOURS = 12
    session = march_session(day=5)
    token = host_link_provision(session_id=session.pk, force=True, now=NOW).link.token
    assert host_link_for_token(token=token, now=NOW + 11 * HOUR) is not None
    assert host_link_for_token(token=token, now=NOW + 12 * HOUR) is None


@pytest.mark.parametrize(
    "token",
    ["", "short", "x" * 65, "a/b" + "x" * 30, "ünïcode" + "x" * 30, "x" * 43 + " "],
)
def test_a_token_that_cannot_be_one_opens_nothing(token):
    HostSessionFactory(session=march_session())
    assert host_link_for_token(token=token, now=NOW) is None


def test_an_unknown_token_opens_nothing():
    HostSessionFactory(session=march_session())
    assert host_link_for_token(token="A" * 43, now=NOW) is None


# -- the link row ---------------------------------------------------------------------


def test_tokens_are_long_random_and_url_safe():
    tokens = {host_link_provision(session_id=march_session().pk, now=NOW).link.token}
    tokens |= {HostSessionFactory(session=march_session()).token for _ in range(50)}
    assert len(tokens) == 51
    for token in tokens:
        assert len(token) >= 43  # 256 random bits in URL-safe base64
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_a_link_address_starts_with_the_site_url(settings):
    settings.STUDYHALL_SITE_URL = "https://studyhall.example.org"
    link = HostSessionFactory(session=march_session())
    assert link.public_url == f"https://studyhall.example.org/host/{link.token}/"


def test_a_second_link_for_a_session_is_a_session_field_error():
    session = march_session()
    HostSessionFactory(session=session)
    with pytest.raises(ValidationError) as caught:
        HostSession(session=session).full_clean()
    assert caught.value.message_dict["session"] == ["This session already has a host link."]


def test_a_link_for_a_cancelled_session_is_a_session_field_error():
    session = march_session(cancelled_at=at(5, 9))
    with pytest.raises(ValidationError) as caught:
        HostSession(session=session).full_clean()
    assert caught.value.message_dict["session"] == ["A cancelled session gets no host link."]


def test_a_weak_token_is_refused_in_words():
    with pytest.raises(ValidationError) as caught:
        HostSession(session=march_session(), token="guessable").full_clean()
    assert "token" in caught.value.message_dict
    assert "at least 128 random bits" in " ".join(caught.value.messages)


# -- the sessions that can have one -----------------------------------------------


def test_sessions_to_host_are_those_still_to_come_and_not_cancelled():
    ended = march_session(day=9)
    later = march_session(day=20)
    sooner = march_session(day=12)
    march_session(day=14, cancelled_at=at(1, 9))
    HostSessionFactory(session=later)

    listed = list(sessions_to_host(now=NOW))

    assert [s.pk for s in listed] == [sooner.pk, later.pk]
    assert [s.has_host_link for s in listed] == [False, True]
    assert ended.pk not in {s.pk for s in listed}
