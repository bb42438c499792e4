"""Students and parents find tutors and request sessions; tutors answer on their panel."""

import html
import re

import pytest
from django.urls import reverse

from core.tests.factories import UserFactory
from tutoring.models import RequestStatus, SessionRequest, StudentProfile
from tutoring.services import RequestDetails, request_create
from tutoring.tests.factories import (
    ParentProfileFactory,
    StudentProfileFactory,
    TutorPackageFactory,
    TutorProfileFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tutor():
    tutor = TutorProfileFactory(
        user__username="hana", subjects="Mathematics, Physics, رياضيات", headline="Maths"
    )
    TutorPackageFactory(tutor=tutor, name="Exam sprint", sessions_count=4, price=55)
    TutorPackageFactory(tutor=tutor, name="Retired package", is_active=False)
    return tutor


@pytest.fixture
def student(client):
    profile = StudentProfileFactory(user__username="amira", grade="Grade 11")
    client.force_login(profile.user)
    return profile


def request_url(tutor):
    return reverse("tutoring:request", kwargs={"pk": tutor.pk})


def form(**values):
    return {"message": "Mechanics, please.", "preferred_schedule": "Evenings", **values}


# -- finding a tutor ------------------------------------------------------------


def test_the_tutor_list_shows_subjects_rate_and_offered_packages(client, tutor):
    TutorProfileFactory(user__username="resting", is_accepting_requests=False)
    response = client.get(reverse("tutoring:tutors"))
    assert list(response.context["tutors"]) == [tutor]
    assert "Mathematics" in response.text and "Exam sprint" in response.text
    assert "Retired package" not in response.text
    assert "15.00" in response.text


@pytest.mark.parametrize(
    ("query", "found"),
    [("physics", True), ("رياضيات", True), ("mansour", True), ("chemistry", False)],
)
def test_tutors_are_found_by_subject_or_name(client, tutor, query, found):
    response = client.get(reverse("tutoring:tutors"), {"q": query})
    assert (tutor in response.context["tutors"]) is found
    if not found:
        assert "No tutor matches" in response.text


def test_the_profile_offers_the_request_form_to_a_signed_in_student(client, tutor, student):
    response = client.get(tutor.get_absolute_url())
    assert "Request a session" in response.text
    assert response.context["form"] is not None
    assert "requester_type" not in response.context["form"].fields  # one role: no question


def test_anonymous_visitors_are_asked_to_log_in_and_come_back(client, tutor):
    response = client.get(tutor.get_absolute_url())
    assert f"/accounts/login/?next={tutor.get_absolute_url()}" in response.text
    post = client.post(request_url(tutor), form())
    assert post.status_code == 302 and post.url.startswith(reverse("login"))
    assert not SessionRequest.objects.exists()


def test_an_unknown_or_out_of_range_tutor_is_a_404(client):
    assert client.get("/tutors/999999/").status_code == 404
    assert client.get("/tutors/99999999999999999999/").status_code == 404


# -- requesting -----------------------------------------------------------------


def test_a_student_requests_a_session_and_sees_it_pending(client, tutor, student):
    package = tutor.packages.get(name="Exam sprint")
    response = client.post(request_url(tutor), form(package=package.pk), follow=True)
    assert response.redirect_chain[-1][0] == reverse("tutoring:requests")
    request = SessionRequest.objects.get()
    assert (request.student, request.package, request.student_name) == (
        student,
        package,
        student.user.get_full_name(),
    )
    assert "is with Hana Mansour" in response.text
    assert "Pending" in response.text


def test_posted_requester_ids_are_ignored(client, tutor, student):
    victim_student = StudentProfileFactory()
    victim_parent = ParentProfileFactory()
    client.post(
        request_url(tutor),
        form(
            student=victim_student.pk,
            parent=victim_parent.pk,
            requester_id=victim_student.user_id,
            requester_type="parent",
            tutor=TutorProfileFactory().pk,
        ),
    )
    request = SessionRequest.objects.get()
    assert (request.requester_type, request.student, request.parent, request.tutor) == (
        "student",
        student,
        None,
        tutor,
    )


def test_a_parent_chooses_a_child_and_the_name_and_grade_follow(client, tutor):
    parent = ParentProfileFactory()
    child = StudentProfileFactory(user__first_name="Layla", user__last_name="Aziz", grade="7")
    parent.children.add(child)
    client.force_login(parent.user)
    page = client.get(tutor.get_absolute_url())
    assert "Layla Aziz" in page.text
    client.post(request_url(tutor), form(child=child.pk))
    request = SessionRequest.objects.get()
    assert (request.parent, request.child, request.student_name, request.student_grade) == (
        parent,
        child,
        "Layla Aziz",
        "7",
    )


def test_a_user_with_no_profile_is_asked_once_whether_student_or_parent(client, tutor):
    user = UserFactory(first_name="Nadia", last_name="Farah")
    client.force_login(user)
    page = client.get(tutor.get_absolute_url())
    assert "requester_type" in page.context["form"].fields
    refused = client.post(request_url(tutor), form())
    assert refused.status_code == 400
    assert "requester_type" in refused.context["form"].errors
    client.post(request_url(tutor), form(requester_type="student"))
    assert SessionRequest.objects.get().student == StudentProfile.objects.get(user=user)
    again = client.get(tutor.get_absolute_url())
    assert "requester_type" not in again.context["form"].fields


@pytest.mark.parametrize(
    ("setup", "values", "status", "message"),
    [
        ("closed", {}, 409, "not taking new requests"),
        ("retired", {}, 400, "not offered by Hana Mansour"),
        ("foreign", {}, 400, "not offered by Hana Mansour"),
        ("twice", {}, 409, "already have a pending request with Hana Mansour"),
        ("", {"package": "abc"}, 400, "Choose one of the packages listed"),
        ("", {"package": "99999999999999999999"}, 400, "Choose one of the packages listed"),
        ("", {"contact_email": "not-an-email"}, 400, "Enter a valid email address"),
        ("", {"message": "x" * 4001}, 400, "at most 4000 characters"),
    ],
)
def test_refused_requests_are_explained_on_the_form(
    client, tutor, student, setup, values, status, message
):
    if setup == "closed":
        tutor.is_accepting_requests = False
        tutor.save()
    elif setup == "retired":
        values = {"package": tutor.packages.get(is_active=False).pk}
    elif setup == "foreign":
        values = {"package": TutorPackageFactory().pk}
    elif setup == "twice":
        client.post(request_url(tutor), form())
    before = SessionRequest.objects.count()
    response = client.post(request_url(tutor), form(**values))
    assert response.status_code == status
    assert response.text.count(html.escape(message, quote=False)) == 1  # said once
    assert SessionRequest.objects.count() == before


@pytest.mark.parametrize(
    "roles, says",
    [
        ("student", "Leave empty for yourself."),
        ("parent", "Leave empty for the child you chose; otherwise type the student"),
        ("childless parent", "The name of the student the sessions are for."),
        ("both", "Leave empty for yourself, or for the child you chose"),
        ("neither", "As a student, leave it empty for yourself; as a parent, type your child"),
    ],
)
def test_the_form_says_when_the_students_name_may_be_left_empty(client, tutor, roles, says):
    user = UserFactory()
    if roles in ("student", "both"):
        StudentProfileFactory(user=user)
    if roles in ("parent", "childless parent", "both"):
        parent = ParentProfileFactory(user=user)
        if roles != "childless parent":
            parent.children.add(StudentProfileFactory())
    client.force_login(user)
    page = client.get(tutor.get_absolute_url()).text
    assert says in page


def test_a_tutor_cannot_request_themselves(client, tutor):
    StudentProfileFactory(user=tutor.user)
    client.force_login(tutor.user)
    assert "This is your own profile" in client.get(tutor.get_absolute_url()).text
    response = client.post(request_url(tutor), form())
    assert response.status_code == 409
    assert "with yourself" in response.text


def test_requesting_is_post_only(client, tutor, student):
    assert client.get(request_url(tutor)).status_code == 405


# -- signup -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["student", "parent"])
def test_signup_asks_student_or_parent_and_creates_the_profile(client, role):
    response = client.post(
        reverse("signup"),
        {
            "username": "nadia",
            "password1": "a-long-enough-pass",
            "password2": "a-long-enough-pass",
            "role": role,
        },
    )
    assert response.status_code == 302
    user = UserFactory._meta.model.objects.get(username="nadia")
    assert hasattr(user, f"{role}_profile")


def test_signup_without_a_role_is_explained(client):
    response = client.post(
        reverse("signup"),
        {"username": "nadia", "password1": "a-long-enough-pass", "password2": "a-long-enough-pass"},
    )
    assert response.status_code == 200
    assert "Choose whether you are a student or a parent." in response.text
    assert not UserFactory._meta.model.objects.filter(username="nadia").exists()


# -- the requests panel ---------------------------------------------------------------


def make_request(tutor, profile, **details):
    return request_create(
        user=profile.user,
        tutor=tutor,
        details=RequestDetails(**details),
    )


@pytest.fixture
def tutor_client(client, tutor):
    client.force_login(tutor.user)
    return client


def test_the_tutor_sees_counts_pending_first_and_who_asked(tutor_client, tutor):
    answered = make_request(tutor, StudentProfileFactory(user__first_name="Omar"))
    SessionRequest.objects.filter(pk=answered.pk).update(status="cancelled")
    waiting = make_request(
        tutor, StudentProfileFactory(user__first_name="Lina"), preferred_schedule="Sundays"
    )
    response = tutor_client.get(reverse("tutoring:requests"))
    assert [r.pk for r in response.context["received"]] == [waiting.pk, answered.pk]
    filters = {value: count for value, _, count in response.context["status_filters"]}
    assert (filters["pending"], filters["cancelled"], filters["accepted"]) == (1, 1, 0)
    assert "Sundays" in response.text and "(student)" in response.text


def test_the_tutor_filters_by_status(tutor_client, tutor):
    make_request(tutor, StudentProfileFactory())
    response = tutor_client.get(reverse("tutoring:requests"), {"status": "accepted"})
    assert list(response.context["received"]) == []
    assert "No requests with this status." in response.text


def test_requested_sessions_come_a_page_at_a_time_pending_first_with_the_filter_kept(
    tutor_client, tutor
):
    answered = [make_request(tutor, StudentProfileFactory()) for _ in range(3)]
    SessionRequest.objects.filter(pk__in=[r.pk for r in answered]).update(status="cancelled")
    waiting = [make_request(tutor, StudentProfileFactory()) for _ in range(12)]
    first = tutor_client.get(reverse("tutoring:requests"))
    assert len(first.context["received"]) == 10
    assert {r.pk for r in first.context["received"]} <= {r.pk for r in waiting}
    second = tutor_client.get(
        reverse("tutoring:requests") + first.context["received_paged"].next_url
    )
    assert [r.status for r in second.context["received"]] == ["pending"] * 2 + ["cancelled"] * 3
    pending = tutor_client.get(reverse("tutoring:requests"), {"status": "pending"})
    assert pending.context["received_paged"].next_url == "?status=pending&page=2"
    junk = tutor_client.get(reverse("tutoring:requests"), {"page": "999999"})
    assert junk.status_code == 200
    assert "only 2 pages" in junk.text


def test_the_tutor_accepts_and_the_student_sees_it(client, tutor, student):
    request = make_request(tutor, student)
    client.force_login(tutor.user)
    response = client.post(reverse("tutoring:accept", kwargs={"pk": request.pk}), follow=True)
    assert "Accepted." in response.text
    client.force_login(student.user)
    page = client.get(reverse("tutoring:requests"))
    assert "Accepted" in page.text and "will contact you" in page.text


def test_declining_needs_a_reason_which_the_requester_then_reads(client, tutor, student):
    request = make_request(tutor, student)
    client.force_login(tutor.user)
    url = reverse("tutoring:decline", kwargs={"pk": request.pk})
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert "Say why you decline" in refused.text
    client.post(url, {"reason": "Fully booked until March."})
    client.force_login(student.user)
    assert "Fully booked until March." in client.get(reverse("tutoring:requests")).text


def test_answering_twice_is_explained_not_an_error(tutor_client, tutor):
    request = make_request(tutor, StudentProfileFactory())
    url = reverse("tutoring:accept", kwargs={"pk": request.pk})
    tutor_client.post(url)
    response = tutor_client.post(url, follow=True)
    assert response.status_code == 200
    assert "already accepted" in response.text


def test_the_requester_cancels_while_pending(client, tutor, student):
    request = make_request(tutor, student)
    response = client.post(reverse("tutoring:cancel", kwargs={"pk": request.pk}), follow=True)
    assert "Your request is cancelled." in response.text
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED


def test_anyone_elses_request_is_a_404(client, tutor, student):
    request = make_request(tutor, student)
    other_tutor, other_student = TutorProfileFactory(), StudentProfileFactory()
    for user, action in [
        (other_tutor.user, "accept"),
        (other_tutor.user, "decline"),
        (student.user, "accept"),
        (other_student.user, "cancel"),
        (tutor.user, "cancel"),
    ]:
        client.force_login(user)
        url = reverse(f"tutoring:{action}", kwargs={"pk": request.pk})
        assert client.post(url, {"reason": "No"}).status_code == 404, (user, action)
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_the_panel_requires_login(client):
    response = client.get(reverse("tutoring:requests"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_an_expired_request_reads_as_expired_on_both_sides(client, tutor, student):
    import datetime

    from django.utils import timezone

    from tutoring.models import request_ttl

    request = make_request(tutor, student)
    SessionRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - request_ttl() - datetime.timedelta(hours=1)
    )
    mine = client.get(reverse("tutoring:requests"))
    assert "Expired" in mine.text and "Cancel this request" not in mine.text
    client.force_login(tutor.user)
    panel = client.get(reverse("tutoring:requests"))
    assert "Expired" in panel.text
    assert reverse("tutoring:accept", kwargs={"pk": request.pk}) not in panel.text


def test_both_sides_read_the_package_in_the_page_language(client, tutor, student):
    package = tutor.packages.get(name="Exam sprint")
    package.name_ar = "سباق الامتحانات"
    package.save()
    request_create(user=student.user, tutor=tutor, details=RequestDetails(), package_id=package.pk)
    for viewer in (student.user, tutor.user):
        client.force_login(viewer)
        arabic = client.get(reverse("tutoring:requests"), HTTP_ACCEPT_LANGUAGE="ar")
        english = client.get(reverse("tutoring:requests"), HTTP_ACCEPT_LANGUAGE="en")
        assert "سباق الامتحانات" in arabic.text and "Exam sprint" not in arabic.text
        assert "Exam sprint" in english.text and "سباق الامتحانات" not in english.text


def test_the_panel_says_how_long_ago_each_request_came(tutor_client, tutor):
    import datetime

    from django.utils import timezone

    make_request(tutor, StudentProfileFactory(user__first_name="Lina"))
    older = make_request(tutor, StudentProfileFactory(user__first_name="Omar"))
    SessionRequest.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=3)
    )
    text = tutor_client.get(reverse("tutoring:requests")).text
    # Django's naturaltime: "now" or seconds for a new one, never "0 minutes ago".
    assert re.search(r"· (now|\d+\xa0seconds? ago)", text)
    assert "· 3\xa0hours ago" in text
    assert "0\xa0minutes" not in text
