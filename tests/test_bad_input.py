"""Bad input gets a clear 4xx, never a 500: the cases found by trying, kept as regressions."""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from assistant_chat.models import ChatMessage
from core.tests.commands import run_command
from core.tests.factories import UserFactory, staff_user
from workshops.models import WorkshopRun
from workshops.tests.factories import WorkshopSessionFactory, days_from_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def student_client(client):
    client.force_login(UserFactory(username="amira"))
    return client


@pytest.fixture
def staff_client():
    client = Client(raise_request_exception=False)
    client.force_login(staff_user("workshops", "orders", "tutoring"))
    return client


@pytest.fixture
def session():
    return WorkshopSessionFactory(
        run__start_date=days_from_today(10), date=days_from_today(10), capacity=5
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/orders/%00/"),
        ("post", "/orders/%00/cancel/"),
        ("get", "/workshops/?q=%00"),
        ("get", "/tutors/?q=abc%00"),
        ("get", "/admin/orders/order/?status=%00"),
    ],
)
def test_a_nul_byte_in_an_address_is_a_400(staff_client, method, path):
    response = getattr(staff_client, method)(path)
    assert response.status_code == 400
    assert "cannot hold" in response.text


def test_a_nul_byte_in_a_form_value_is_a_400(student_client, session):
    url = reverse("book", kwargs={"slug": session.workshop.slug})
    response = student_client.post(url, {"session": "1\x00"})
    assert response.status_code == 400
    assert not session.seats.exists()


@pytest.mark.parametrize(
    ("changelist", "action"),
    [
        ("workshops_workshopsession", "cancel_sessions"),
        ("workshops_workshopsession", "export_attendees"),
        ("orders_order", "cancel_orders"),
        ("workshops_workshoprun", "clone_run"),
        ("tutoring_sessionrequest", "accept_requests"),
    ],
)
@pytest.mark.parametrize("selection", [["abc"], ["1", "x"], ["-4"], ["99999999999999999999"]])
def test_an_admin_action_on_a_selection_that_is_not_ids_is_a_400(
    staff_client, changelist, action, selection
):
    response = staff_client.post(
        reverse(f"admin:{changelist}_changelist"),
        {"action": action, "_selected_action": selection},
    )
    assert response.status_code == 400


def test_cloning_a_run_to_the_end_of_the_calendar_is_a_field_error(staff_client, session):
    response = staff_client.post(
        reverse("admin:workshops_workshoprun_changelist"),
        {
            "action": "clone_run",
            "_selected_action": [session.run_id],
            "apply": "1",
            "start_date": "9999-12-28",
        },
    )
    assert response.status_code == 200
    assert "last date the calendar can hold" in " ".join(
        response.context["form"].errors["start_date"]
    )
    assert WorkshopRun.objects.count() == 1


def test_cloning_a_run_to_the_end_of_the_calendar_from_the_shell_is_exit_2(monkeypatch, session):
    result = run_command(
        monkeypatch, "clone_run", str(session.run_id), "--start-date", "9999-12-28", "--dry-run"
    )
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "last date the calendar can hold" in result.err


def test_a_visit_to_a_form_only_address_explains_itself(student_client):
    from tutoring.tests.factories import TutorProfileFactory

    tutor = TutorProfileFactory()
    response = student_client.get(reverse("tutoring:request", kwargs={"pk": tutor.pk}))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "only takes the submission of a form" in response.text
    assert "Back to Studyhall" in response.text


@pytest.mark.parametrize("path", ["/no-such-page/", "/workshops/no-such-workshop/"])
def test_a_missing_page_has_the_sites_layout_and_a_way_home(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "We could not find that page" in response.text
    assert 'href="/"' in response.text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_is_a_503_and_the_next_request_recovers():
    client = Client(raise_request_exception=False)
    settings_dict = connection.settings_dict
    real_port = settings_dict["PORT"]
    connection.close()
    settings_dict["PORT"] = "1"  # nothing listens there: the connection is refused
    try:
        response = client.get(reverse("workshops:store"))
    finally:
        settings_dict["PORT"] = real_port
        connection.close()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "briefly unavailable" in response.text
    assert client.get(reverse("workshops:store")).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "date__month=2147483648&date__year=2026",
        "date__year=99999999999",
        "date__day=abc&date__month=1&date__year=2026",
    ],
)
def test_an_admin_date_hierarchy_out_of_the_calendar_is_a_400(staff_client, query):
    response = staff_client.get(f"{reverse('admin:workshops_workshopsession_changelist')}?{query}")
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["abc", " ", "-1", str(2**63 - 1), "²"])
def test_an_autocomplete_field_given_junk_shows_the_form_again(staff_client, value):
    url = reverse("admin:tutoring_tutorprofile_add")
    assert staff_client.get(f"{url}?user={value}").status_code == 200
    response = staff_client.post(url, {"user": value, "headline": "x", "subjects": "x"})
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors


@pytest.mark.parametrize("value", [str(2**63), "9" * 30, "-" + "9" * 30])
def test_a_number_beyond_any_id_posted_to_the_admin_is_a_400(staff_client, value):
    """On SQLite a group's permissions field would raise OverflowError for it."""
    response = staff_client.post(
        reverse("admin:auth_group_add"), {"name": "Helpers", "permissions": [value]}
    )
    assert response.status_code == 400
    assert "larger than any record" in response.text


def test_the_site_s_own_forms_still_take_long_numbers_as_text(client):
    """The rule is the admin's alone: a long number is a fine chat message."""
    response = client.post(
        reverse("assistant:chat"),
        {"message": "9" * 30, "session_id": uuid.uuid4(), "client_message_id": uuid.uuid4()},
    )
    assert response.status_code in (200, 302)
    assert ChatMessage.objects.filter(content="9" * 30).exists()


def test_a_form_without_its_csrf_token_explains_itself(session):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username="nocsrf"))
    response = client.post(reverse("book", kwargs={"slug": session.workshop.slug}), {})
    assert response.status_code == 403
    assert "This form has expired" in response.text and "Back to Studyhall" in response.text
