"""Requests are made and answered through the services, each rule refused in words."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from core.tests.factories import UserFactory
from tutoring.models import RequesterType, RequestStatus, SessionRequest, request_ttl
from tutoring.selectors import profiles_of
from tutoring.services import (
    RequestClosed,
    RequestDetails,
    RequestNotFound,
    TutoringError,
    profile_create,
    request_accept,
    request_cancel,
    request_create,
    request_decline,
)
from tutoring.tests.factories import (
    ParentProfileFactory,
    StudentProfileFactory,
    TutorPackageFactory,
    TutorProfileFactory,
)

pytestmark = pytest.mark.django_db

DETAILS = RequestDetails(message="Mechanics, please.", preferred_schedule="Evenings")


@pytest.fixture
def tutor():
    return TutorProfileFactory(user__email="hana@example.com")


@pytest.fixture
def student():
    return StudentProfileFactory(user__email="amira@example.com", grade="Grade 11")


@pytest.fixture
def parent():
    parent = ParentProfileFactory(user__email="mariam@example.com")
    layla = StudentProfileFactory(user__first_name="Layla", user__last_name="Aziz", grade="7")
    zaid = StudentProfileFactory(user__first_name="Zaid", user__last_name="Aziz", grade="10")
    parent.children.add(layla, zaid)
    return parent


def ask(user, tutor, **kwargs):
    return request_create(user=user, tutor=tutor, details=kwargs.pop("details", DETAILS), **kwargs)


def test_a_student_asks_with_their_own_name_grade_and_email(tutor, student):
    request = ask(student.user, tutor)
    assert (request.requester_type, request.student, request.parent) == ("student", student, None)
    assert (request.student_name, request.student_grade) == ("Amira Saleh", "Grade 11")
    assert request.contact_email == "amira@example.com"
    assert request.status == RequestStatus.PENDING


def test_a_parent_asks_for_one_of_their_children(tutor, parent):
    layla = parent.children.get(user__first_name="Layla")
    request = ask(parent.user, tutor, child_id=layla.pk)
    assert (request.requester_type, request.parent, request.child) == ("parent", parent, layla)
    assert (request.student_name, request.student_grade) == ("Layla Aziz", "7")


def test_a_parent_may_type_a_name_instead(tutor, parent):
    request = ask(parent.user, tutor, details=RequestDetails(student_name="Cousin Sami"))
    assert (request.child, request.student_name) == (None, "Cousin Sami")


def test_a_parent_without_a_chosen_child_or_a_name_is_asked_who_it_is_for(tutor, parent):
    with pytest.raises(TutoringError, match="Say who the sessions are for") as caught:
        ask(parent.user, tutor, details=RequestDetails())
    assert caught.value.field == "student_name"


def test_a_child_of_another_parent_is_refused(tutor, parent):
    with pytest.raises(TutoringError, match="one of your own children"):
        ask(parent.user, tutor, child_id=StudentProfileFactory().pk)


def test_a_parent_may_ask_the_same_tutor_for_a_second_child(tutor, parent):
    layla, zaid = parent.children.order_by("user__first_name")
    ask(parent.user, tutor, child_id=layla.pk)
    ask(parent.user, tutor, child_id=zaid.pk)
    with pytest.raises(TutoringError, match="already have a pending request with Hana Mansour"):
        ask(parent.user, tutor, child_id=layla.pk)
    assert SessionRequest.objects.count() == 2


def test_a_user_who_is_both_chooses_and_cannot_choose_a_role_they_lack(tutor, student):
    ParentProfileFactory(user=student.user)
    with pytest.raises(TutoringError, match="as a student or as a parent"):
        ask(student.user, tutor)
    request = ask(
        student.user,
        tutor,
        requester_type=RequesterType.PARENT,
        details=RequestDetails(student_name="My son"),
    )
    assert request.requester_type == "parent"


def test_a_single_role_wins_over_a_posted_type(tutor, student):
    request = ask(student.user, tutor, requester_type=RequesterType.PARENT)
    assert (request.requester_type, request.student) == ("student", student)


def test_a_user_without_a_profile_must_choose_one_first(tutor):
    user = UserFactory()
    with pytest.raises(TutoringError, match="student or a parent first"):
        ask(user, tutor)
    profile_create(user=user, role=RequesterType.STUDENT)
    assert ask(user, tutor).student.user == user


def test_a_user_without_a_profile_becomes_what_they_ask_as(tutor):
    user = UserFactory()
    request = ask(
        user,
        tutor,
        requester_type=RequesterType.PARENT,
        details=RequestDetails(student_name="Sami"),
    )
    assert request.parent.user == user
    assert profiles_of(user).requester_types == ["parent"]


def test_a_refused_request_leaves_no_profile_behind(tutor):
    tutor.is_accepting_requests = False
    tutor.save()
    user = UserFactory()
    with pytest.raises(TutoringError, match="not taking new requests"):
        ask(user, tutor, requester_type=RequesterType.STUDENT)
    assert profiles_of(user).requester_types == []


def test_a_tutor_cannot_ask_themselves(tutor):
    StudentProfileFactory(user=tutor.user)
    with pytest.raises(TutoringError, match="with yourself"):
        ask(tutor.user, tutor)


def test_a_tutor_not_taking_requests_is_refused(tutor, student):
    tutor.is_accepting_requests = False
    tutor.save()
    with pytest.raises(TutoringError, match="not taking new requests"):
        ask(student.user, tutor)


@pytest.mark.parametrize("which", ["inactive", "another tutor's"])
def test_a_package_that_is_not_offered_is_refused(tutor, student, which):
    package = (
        TutorPackageFactory(tutor=tutor, is_active=False)
        if which == "inactive"
        else TutorPackageFactory()
    )
    with pytest.raises(TutoringError, match="not offered by Hana Mansour") as caught:
        ask(student.user, tutor, package_id=package.pk)
    assert caught.value.field == "package"
    assert not SessionRequest.objects.exists()


def test_the_package_name_is_kept_with_the_request(tutor, student):
    package = TutorPackageFactory(tutor=tutor, name="Exam sprint")
    request = ask(student.user, tutor, package_id=package.pk)
    assert (request.package, request.package_name) == (package, "Exam sprint")


def test_the_tutor_gets_an_email_after_the_request_is_saved(
    tutor, student, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(student.user, tutor)
    [email] = mail.outbox
    assert email.to == ["hana@example.com"]
    assert "Amira Saleh would like sessions with you." in email.body
    assert "http://" in email.body and "/tutoring/requests/" in email.body


def test_a_refused_request_sends_no_email(tutor, student, django_capture_on_commit_callbacks):
    ask(student.user, tutor)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TutoringError):
        ask(student.user, tutor)
    assert mail.outbox == []


# -- answers ------------------------------------------------------------------


def test_the_tutor_accepts_and_the_requester_is_told(
    tutor, student, django_capture_on_commit_callbacks
):
    request = ask(student.user, tutor)
    with django_capture_on_commit_callbacks(execute=True):
        accepted = request_accept(request_id=request.pk, tutor=tutor)
    assert accepted.status == RequestStatus.ACCEPTED
    assert accepted.responded_at is not None
    [email] = mail.outbox
    assert email.to == ["amira@example.com"]
    assert "accepted your request" in email.body


def test_the_tutor_declines_with_a_reason_that_reaches_the_requester(
    tutor, student, django_capture_on_commit_callbacks
):
    request = ask(student.user, tutor)
    with pytest.raises(TutoringError, match="Say why"):
        request_decline(request_id=request.pk, tutor=tutor, reason="   ")
    with django_capture_on_commit_callbacks(execute=True):
        declined = request_decline(request_id=request.pk, tutor=tutor, reason=" Fully booked. ")
    assert (declined.status, declined.decline_reason) == ("rejected", "Fully booked.")
    assert "Their reason: Fully booked." in mail.outbox[0].body


def test_another_tutors_request_is_not_found(tutor, student):
    request = ask(student.user, tutor)
    with pytest.raises(RequestNotFound):
        request_accept(request_id=request.pk, tutor=TutorProfileFactory())
    with pytest.raises(RequestNotFound):
        request_cancel(request_id=request.pk, user=StudentProfileFactory().user)


def test_an_answered_request_cannot_be_answered_or_cancelled_again(tutor, student):
    request = ask(student.user, tutor)
    request_accept(request_id=request.pk, tutor=tutor)
    with pytest.raises(RequestClosed, match="already accepted"):
        request_decline(request_id=request.pk, tutor=tutor, reason="Changed my mind")
    with pytest.raises(RequestClosed, match="already accepted"):
        request_cancel(request_id=request.pk, user=student.user)


def test_the_requester_cancels_while_pending_and_the_tutor_then_cannot_accept(tutor, student):
    request = ask(student.user, tutor)
    assert request_cancel(request_id=request.pk, user=student.user).status == "cancelled"
    with pytest.raises(RequestClosed, match="cancelled by the requester"):
        request_accept(request_id=request.pk, tutor=tutor)


# -- expiry -------------------------------------------------------------------


def stale(request) -> None:
    SessionRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - request_ttl() - datetime.timedelta(minutes=1)
    )


def test_an_expired_request_cannot_be_accepted_and_is_stored_as_expired(tutor, student):
    request = ask(student.user, tutor)
    stale(request)
    with pytest.raises(RequestClosed, match="expired before it was answered"):
        request_accept(request_id=request.pk, tutor=tutor)
    request.refresh_from_db()
    assert request.status == RequestStatus.EXPIRED


def test_a_new_request_is_not_blocked_behind_an_expired_one(tutor, student):
    first = ask(student.user, tutor)
    stale(first)
    second = ask(student.user, tutor)
    first.refresh_from_db()
    assert (first.status, second.status) == ("expired", "pending")


def test_a_request_nobody_answered_expires_on_the_periodic_run_and_the_requester_is_told(
    tutor, parent, django_capture_on_commit_callbacks
):
    from tutoring.services import requests_expire

    layla = parent.children.get(user__first_name="Layla")
    request = ask(parent.user, tutor, child_id=layla.pk)
    assert requests_expire() == 0
    stale(request)
    with django_capture_on_commit_callbacks(execute=True):
        assert requests_expire() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert requests_expire() == 0  # told once
    request.refresh_from_db()
    assert request.status == RequestStatus.EXPIRED
    [email] = [email for email in mail.outbox if email.to == ["mariam@example.com"]]
    assert email.subject == "Your session request expired unanswered"
    assert "for Layla Aziz expired before it was answered" in email.body
    # The tutor's notice of the request, still waiting, is no longer needed.
    assert [email.to for email in mail.outbox] == [["mariam@example.com"]]


def test_line_breaks_in_one_line_fields_become_spaces_and_the_email_still_goes(
    tutor, student, django_capture_on_commit_callbacks
):
    details = RequestDetails(student_name="Bob\r\nBcc: victim@example.com", contact_phone="1\n2")
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(student.user, tutor, details=details)
    assert (request.student_name, request.contact_phone) == ("Bob Bcc: victim@example.com", "1 2")
    [email] = mail.outbox
    assert email.subject == "New session request for Bob Bcc: victim@example.com"
    assert email.to == ["hana@example.com"]


def test_a_chosen_child_and_a_different_typed_name_are_refused(tutor, parent):
    layla = parent.children.get(user__first_name="Layla")
    with pytest.raises(TutoringError, match="You chose Layla Aziz") as caught:
        ask(parent.user, tutor, child_id=layla.pk, details=RequestDetails(student_name="Zaid"))
    assert caught.value.field == "student_name"
    same = ask(
        parent.user, tutor, child_id=layla.pk, details=RequestDetails(student_name="layla aziz")
    )
    assert (same.child, same.student_name) == (layla, "Layla Aziz")


def test_answers_go_to_the_requesters_account_not_a_typed_address(
    tutor, student, django_capture_on_commit_callbacks
):
    request = ask(student.user, tutor, details=RequestDetails(contact_email="else@example.org"))
    assert request.contact_email == "else@example.org"  # for the tutor to use
    with django_capture_on_commit_callbacks(execute=True):
        request_accept(request_id=request.pk, tutor=tutor)
    assert mail.outbox[-1].to == ["amira@example.com"]


def test_a_parents_expired_request_for_a_child_does_not_block_a_new_one(tutor, parent):
    layla = parent.children.get(user__first_name="Layla")
    first = ask(parent.user, tutor, child_id=layla.pk)
    stale(first)
    second = ask(parent.user, tutor, child_id=layla.pk)
    first.refresh_from_db()
    assert (first.status, second.status) == ("expired", "pending")


def test_an_expired_request_cannot_be_cancelled_and_reads_as_expired(tutor, student):
    request = ask(student.user, tutor)
    stale(request)
    with pytest.raises(RequestClosed, match="expired"):
        request_cancel(request_id=request.pk, user=student.user)


def test_a_child_sees_what_a_parent_asked_for_them_and_a_parent_sees_the_childs_own(
    tutor, parent, client
):
    from django.urls import reverse

    layla = parent.children.get(user__first_name="Layla")
    ask(parent.user, tutor, child_id=layla.pk)
    ask(layla.user, TutorProfileFactory(user__first_name="Samir"))
    client.force_login(layla.user)
    page = client.get(reverse("tutoring:requests")).text
    assert "Requests a parent sent for you" in page and "Sent by <bdi>Mariam Aziz</bdi>" in page
    client.force_login(parent.user)
    page = client.get(reverse("tutoring:requests")).text
    assert "Your children's own requests" in page and "Samir" in page
