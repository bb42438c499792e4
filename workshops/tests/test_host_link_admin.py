"""Staff provision and rotate host links from the session admin."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from core.tests.factories import staff_user
from workshops.models import HostSession
from workshops.tests.factories import (
    HostSessionFactory,
    WorkshopSessionFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:workshops_workshopsession_changelist"


@pytest.fixture
def staff():
    return staff_user("workshops")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def sessions(run):
    """Four sessions: to come, to come with a link, cancelled, ended."""
    return {
        "new": WorkshopSessionFactory(run=run, number=1, date=days_from_today(3)),
        "linked": HostSessionFactory(
            session=WorkshopSessionFactory(run=run, number=2, date=days_from_today(4))
        ).session,
        "cancelled": WorkshopSessionFactory(
            run=run, number=3, date=days_from_today(5), cancelled_at=timezone.now()
        ),
        "ended": WorkshopSessionFactory(run=run, number=4, date=days_from_today(-2)),
    }


def change_page(session) -> str:
    return reverse("admin:workshops_workshopsession_change", args=[session.pk])


def host_link_page(session) -> str:
    return reverse("admin:workshops_workshopsession_host_link", args=[session.pk])


def test_the_session_list_shows_which_sessions_have_a_link(staff_client, sessions):
    response = staff_client.get(reverse(CHANGELIST))
    flags = {s.pk: s.has_host_link for s in response.context["cl"].result_list}
    assert flags == {
        sessions["new"].pk: False,
        sessions["linked"].pk: True,
        sessions["cancelled"].pk: False,
        sessions["ended"].pk: False,
    }
    # A column of its own, a tick for the one linked session.
    assert "column-has_link" in response.text
    assert response.text.count("icon-yes.svg") == 1
    assert response.text.count("icon-no.svg") == 3


def test_the_provision_action_creates_keeps_and_refuses_with_a_summary(
    staff_client, staff, sessions
):
    existing = sessions["linked"].host_link.token
    response = staff_client.post(
        reverse(CHANGELIST),
        {"action": "provision_host_links", "_selected_action": [s.pk for s in sessions.values()]},
        follow=True,
    )
    assert "Host links: 1 created, 1 already existed, 2 refused." in response.text
    assert "a cancelled session gets no host link" in response.text
    assert "has already ended" in response.text
    assert "give it a link from the session&#x27;s own page" in response.text
    assert HostSession.objects.get(session=sessions["new"]).created_by == staff
    assert HostSession.objects.get(session=sessions["linked"]).token == existing
    assert HostSession.objects.count() == 2


def test_the_session_page_shows_the_link_and_a_rotate_button(staff_client, sessions, settings):
    settings.STUDYHALL_SITE_URL = "https://studyhall.example.org"
    link = sessions["linked"].host_link
    text = staff_client.get(change_page(sessions["linked"])).text
    assert f"https://studyhall.example.org/host/{link.token}/" in text
    assert "The link opens until" in text
    assert f'href="{host_link_page(sessions["linked"])}">Rotate</a>' in text


def test_a_session_without_a_link_offers_to_provision_one(staff_client, sessions):
    text = staff_client.get(change_page(sessions["new"])).text
    assert f'href="{host_link_page(sessions["new"])}">Provision a host link</a>' in text
    cancelled = staff_client.get(change_page(sessions["cancelled"])).text
    assert "a cancelled session gets no host link" in cancelled


def test_rotate_asks_first_then_replaces_the_token(staff_client, client, sessions):
    session = sessions["linked"]
    old = session.host_link.token
    confirm = staff_client.get(host_link_page(session))
    assert "The current link stops opening at once" in confirm.text
    assert HostSession.objects.get(session=session).token == old  # a GET changes nothing

    response = staff_client.post(host_link_page(session), follow=True)

    new = HostSession.objects.get(session=session).token
    assert new != old
    assert response.redirect_chain[-1][0] == change_page(session)
    assert "Rotated the host link; the old one no longer opens." in response.text
    assert f"/host/{new}/" in response.text
    assert client.get(f"/host/{old}/").status_code == 404
    assert client.get(f"/host/{new}/").status_code == 200


def test_staff_reopen_an_ended_sessions_link_from_its_page(staff_client, client, sessions):
    session = sessions["ended"]
    confirm = staff_client.get(host_link_page(session))
    assert "This session has ended." in confirm.text
    staff_client.post(host_link_page(session))
    link = HostSession.objects.get(session=session)
    assert client.get(link.get_absolute_url()).status_code == 200


def test_a_cancelled_session_is_refused_from_its_page_too(staff_client, sessions):
    response = staff_client.post(host_link_page(sessions["cancelled"]), follow=True)
    assert "a cancelled session gets no host link" in response.text
    assert not HostSession.objects.filter(session=sessions["cancelled"]).exists()


def test_staff_without_host_link_permissions_see_no_link_and_cannot_make_one(client, sessions):
    user = staff_user("workshops", username="viewer")
    user.user_permissions.remove(*Permission.objects.filter(content_type__model="hostsession"))
    client.force_login(user)
    page = client.get(change_page(sessions["linked"]))
    assert sessions["linked"].host_link.token not in page.text
    choices = client.get(reverse(CHANGELIST)).context["action_form"].fields["action"].choices
    assert "provision_host_links" not in [name for name, _ in choices]
    assert client.post(host_link_page(sessions["new"])).status_code == 403
    assert client.post(host_link_page(sessions["linked"])).status_code == 403
    assert HostSession.objects.count() == 1


def test_the_host_link_list_is_read_only_and_says_until_when_each_opens(staff_client, sessions):
    response = staff_client.get(reverse("admin:workshops_hostsession_changelist"))
    assert response.status_code == 200
    assert "Robotics · Spring build · Day 2" in response.text
    assert re.search(r"opens until \d{1,2} \w\w\w \d{4}", response.text)
    assert staff_client.get(reverse("admin:workshops_hostsession_add")).status_code == 403


def test_host_link_permissions_alone_do_not_open_a_session_staff_may_not_see(client, sessions):
    user = staff_user("orders", username="orders-only")
    user.user_permissions.add(*Permission.objects.filter(content_type__model="hostsession"))
    client.force_login(user)
    assert client.post(host_link_page(sessions["new"])).status_code == 403
    assert not HostSession.objects.filter(session=sessions["new"]).exists()
