"""Staff see profiles, packages and requests, and answer requests through the services."""

import pytest
from django.urls import reverse

from core.tests.factories import staff_user
from tutoring.models import RequestStatus, SessionRequest
from tutoring.services import RequestDetails, request_create
from tutoring.tests.factories import (
    ParentProfileFactory,
    StudentProfileFactory,
    TutorPackageFactory,
    TutorProfileFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(staff_user("tutoring"))
    return client


@pytest.fixture
def requests():
    tutor = TutorProfileFactory()
    TutorPackageFactory(tutor=tutor, name="Exam sprint")
    student = StudentProfileFactory(user__first_name="Amira", user__email="amira@example.com")
    parent = ParentProfileFactory(user__first_name="Mariam")
    return [
        request_create(
            user=profile.user,
            tutor=tutor,
            details=RequestDetails(student_name=name, contact_phone=phone),
        )
        for profile, name, phone in (
            (student, "Amira Saleh", "+965 1111"),
            (parent, "Layla Aziz", "+965 2222"),
        )
    ]


@pytest.mark.parametrize(
    "name",
    [
        "tutoring_tutorprofile",
        "tutoring_studentprofile",
        "tutoring_parentprofile",
        "tutoring_sessionrequest",
    ],
)
def test_changelists_and_change_pages_open_for_staff(staff_client, requests, name):
    assert staff_client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    obj = {
        "tutoring_tutorprofile": requests[0].tutor,
        "tutoring_studentprofile": requests[0].student,
        "tutoring_parentprofile": requests[1].parent,
        "tutoring_sessionrequest": requests[0],
    }[name]
    assert staff_client.get(reverse(f"admin:{name}_change", args=[obj.pk])).status_code == 200


def test_a_tutor_page_lists_its_packages_inline(staff_client, requests):
    tutor = requests[0].tutor
    response = staff_client.get(reverse("admin:tutoring_tutorprofile_change", args=[tutor.pk]))
    assert "Exam sprint" in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    # Quoted, the phone is one term: unquoted, "1111" alone also finds whichever
    # factory user the suite happens to have numbered user1111.
    [("Layla", ["Layla Aziz"]), ('"+965 1111"', ["Amira Saleh"])],
)
def test_requests_are_found_by_name_and_contact(staff_client, requests, query, expected):
    response = staff_client.get(reverse("admin:tutoring_sessionrequest_changelist"), {"q": query})
    assert [r.student_name for r in response.context["cl"].result_list] == expected


def test_requests_filter_by_status_and_requester_type(staff_client, requests):
    url = reverse("admin:tutoring_sessionrequest_changelist")
    parents = staff_client.get(url, {"requester_type__exact": "parent"}).context["cl"]
    assert [r.student_name for r in parents.result_list] == ["Layla Aziz"]
    accepted = staff_client.get(url, {"status": "accepted"}).context["cl"]
    assert list(accepted.result_list) == []


def test_staff_accept_through_the_service(staff_client, requests):
    response = staff_client.post(
        reverse("admin:tutoring_sessionrequest_changelist"),
        {"action": "accept_requests", "_selected_action": [requests[0].pk]},
        follow=True,
    )
    assert "Answered 1 request." in response.text
    requests[0].refresh_from_db()
    assert requests[0].status == RequestStatus.ACCEPTED
    assert requests[0].responded_at is not None


def test_staff_decline_asks_for_a_reason_first(staff_client, requests):
    url = reverse("admin:tutoring_sessionrequest_changelist")
    ids = [r.pk for r in requests]
    form = staff_client.post(url, {"action": "decline_requests", "_selected_action": ids})
    assert form.status_code == 200 and "Reason, sent to each requester" in form.text
    staff_client.post(
        url,
        {"action": "decline_requests", "_selected_action": ids, "apply": "1", "reason": "Away"},
    )
    assert set(SessionRequest.objects.values_list("status", "decline_reason")) == {
        ("rejected", "Away")
    }


def test_answering_a_closed_request_is_a_warning_not_an_error(staff_client, requests):
    SessionRequest.objects.filter(pk=requests[0].pk).update(status="cancelled")
    response = staff_client.post(
        reverse("admin:tutoring_sessionrequest_changelist"),
        {"action": "accept_requests", "_selected_action": [requests[0].pk]},
        follow=True,
    )
    assert "cancelled by the requester" in response.text


def test_responded_at_and_the_parties_are_read_only(staff_client, requests):
    request = requests[0]
    url = reverse("admin:tutoring_sessionrequest_change", args=[request.pk])
    form = staff_client.get(url).context["adminform"].form
    assert {"responded_at", "tutor", "student", "parent", "status"}.isdisjoint(form.fields)
    assert staff_client.post(reverse("admin:tutoring_sessionrequest_add")).status_code == 403


def test_the_admin_shows_an_expired_request_as_expired(staff_client, requests):
    import datetime

    from django.utils import timezone

    from tutoring.models import request_ttl

    SessionRequest.objects.filter(pk=requests[0].pk).update(
        created_at=timezone.now() - request_ttl() - datetime.timedelta(hours=1)
    )
    url = reverse("admin:tutoring_sessionrequest_change", args=[requests[0].pk])
    page = staff_client.get(url)
    assert '<div class="readonly">Expired</div>' in page.text
    confirm = staff_client.post(
        reverse("admin:tutoring_sessionrequest_changelist"),
        {"action": "decline_requests", "_selected_action": [requests[0].pk]},
    )
    assert "(expired)" in confirm.text


def test_the_tutor_list_shows_hourly_rates_in_the_currency(staff_client, settings):
    settings.STUDYHALL_CURRENCY = "KWD"
    TutorProfileFactory(hourly_rate="7.25")
    TutorProfileFactory(hourly_rate="0")
    response = staff_client.get(reverse("admin:tutoring_tutorprofile_changelist"))
    assert '<td class="field-rate">KWD\u00a07.250</td>' in response.text
    assert '<td class="field-rate">Free</td>' in response.text


def test_the_request_list_names_the_student_who_asked_and_the_package(staff_client, requests):
    response = staff_client.get(reverse("admin:tutoring_sessionrequest_changelist"))
    headers = [h["text"].capitalize() for h in response.context["result_headers"]]
    assert headers[1:] == ["Asked", "For", "Tutor", "Status"]
    parent = requests[1].parent
    assert f"asked by {parent}, parent" in response.text
    assert "their own request" in response.text
