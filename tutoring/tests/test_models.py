"""session_request_parties in words (clean) and as constraints, through the ORM."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tutoring.models import RequesterType, RequestStatus, SessionRequest
from tutoring.tests.factories import (
    ParentProfileFactory,
    SessionRequestFactory,
    StudentProfileFactory,
    TutorPackageFactory,
    TutorProfileFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2031, 3, 10, 12, 0))


def errors_of(request) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        request.full_clean()
    return caught.value.message_dict


def test_a_student_request_names_its_student_and_no_parent():
    request = SessionRequestFactory.build(
        tutor=TutorProfileFactory(), student=None, parent=ParentProfileFactory()
    )
    errors = errors_of(request)
    assert errors["student"] == ["A student's request names the student who asks."]
    assert errors["parent"] == ["A student's request has no parent; clear this field."]


def test_a_parent_request_names_its_parent_and_no_student():
    request = SessionRequestFactory.build(
        tutor=TutorProfileFactory(),
        requester_type=RequesterType.PARENT,
        student=StudentProfileFactory(),
        parent=None,
    )
    errors = errors_of(request)
    assert errors["parent"] == ["A parent's request names the parent who asks."]
    assert errors["student"] == ["A parent's request has no student; clear this field."]


def test_a_child_must_be_one_of_the_parents_children():
    parent = ParentProfileFactory()
    stranger = StudentProfileFactory()
    request = SessionRequestFactory.build(
        tutor=TutorProfileFactory(),
        requester_type=RequesterType.PARENT,
        student=None,
        parent=parent,
        child=stranger,
    )
    assert errors_of(request)["child"] == ["Choose one of this parent's own children."]
    parent.children.add(stranger)
    request.full_clean()


def test_a_package_of_another_tutor_is_a_package_field_error():
    request = SessionRequestFactory.build(
        tutor=TutorProfileFactory(), student=StudentProfileFactory(), package=TutorPackageFactory()
    )
    assert "belongs to another tutor" in errors_of(request)["package"][0]


def test_a_tutor_cannot_request_themselves():
    tutor = TutorProfileFactory()
    me = StudentProfileFactory(user=tutor.user)
    request = SessionRequestFactory.build(tutor=tutor, student=me)
    assert errors_of(request)["tutor"] == ["A tutor cannot request a session with themselves."]


def test_a_declined_request_needs_a_reason_and_an_answer_time():
    request = SessionRequestFactory.build(
        tutor=TutorProfileFactory(), student=StudentProfileFactory()
    )
    request.status = RequestStatus.REJECTED
    errors = errors_of(request)
    assert errors["decline_reason"] == ["A declined request needs a reason."]
    assert "accepted or declined" in errors["status"][0]


def test_a_second_pending_request_is_explained_by_validate_constraints():
    first = SessionRequestFactory()
    twin = SessionRequestFactory.build(tutor=first.tutor, student=first.student)
    assert "You already have a pending request with this tutor." in errors_of(twin)["__all__"]


def test_errors_on_fields_a_form_does_not_show_become_the_forms_own():
    request = SessionRequestFactory.build(
        tutor=TutorProfileFactory(), student=None, parent=ParentProfileFactory()
    )
    with pytest.raises(ValidationError) as caught:
        request.full_clean(exclude={"student", "parent"})
    assert set(caught.value.message_dict) == {"__all__"}


# -- the database, through the ORM (both databases) -------------------------


def refused(**fields) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionRequest.objects.create(student_name="Someone", **fields)


def test_the_database_refuses_a_request_whose_requester_does_not_match_its_type():
    tutor, student, parent = TutorProfileFactory(), StudentProfileFactory(), ParentProfileFactory()
    refused(tutor=tutor, requester_type=RequesterType.STUDENT, parent=parent)
    refused(tutor=tutor, requester_type=RequesterType.PARENT, student=student)
    refused(tutor=tutor, requester_type=RequesterType.STUDENT, student=student, parent=parent)
    refused(tutor=tutor, requester_type=RequesterType.STUDENT)
    refused(tutor=tutor, requester_type="teacher", student=student)


def test_the_database_refuses_an_answer_without_its_time_and_a_decline_without_reason():
    tutor, student = TutorProfileFactory(), StudentProfileFactory()
    base = {"tutor": tutor, "requester_type": RequesterType.STUDENT, "student": student}
    refused(**base, status=RequestStatus.ACCEPTED)
    refused(**base, status=RequestStatus.PENDING, responded_at=NOW)
    refused(**base, status=RequestStatus.REJECTED, responded_at=NOW)
    SessionRequest.objects.create(
        **base, status=RequestStatus.REJECTED, responded_at=NOW, decline_reason="Fully booked."
    )


def test_one_pending_request_per_student_and_tutor():
    first = SessionRequestFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionRequestFactory(tutor=first.tutor, student=first.student)
    # Once answered, the student may ask again.
    SessionRequest.objects.filter(pk=first.pk).update(status=RequestStatus.CANCELLED)
    SessionRequestFactory(tutor=first.tutor, student=first.student)


def test_one_pending_request_per_parent_tutor_and_child_with_no_child_counting_as_one():
    parent = ParentProfileFactory()
    layla, zaid = StudentProfileFactory(), StudentProfileFactory()
    parent.children.add(layla, zaid)
    tutor = TutorProfileFactory()

    def ask(child):
        return SessionRequestFactory(
            tutor=tutor,
            requester_type=RequesterType.PARENT,
            student=None,
            parent=parent,
            child=child,
        )

    ask(layla)
    ask(zaid)  # a second child is a second request
    ask(None)
    for child in (layla, None):
        with pytest.raises(IntegrityError), transaction.atomic():
            ask(child)


@pytest.mark.parametrize(
    ("status", "age_hours", "shown"),
    [
        (RequestStatus.PENDING, 1, RequestStatus.PENDING),
        (RequestStatus.PENDING, 71, RequestStatus.PENDING),
        (RequestStatus.PENDING, 73, RequestStatus.EXPIRED),
        (RequestStatus.ACCEPTED, 500, RequestStatus.ACCEPTED),
        (RequestStatus.CANCELLED, 500, RequestStatus.CANCELLED),
    ],
)
def test_a_pending_request_past_its_time_reads_as_expired_in_python_and_sql(
    status, age_hours, shown
):
    request = SessionRequestFactory(
        created_at=NOW - datetime.timedelta(hours=age_hours),
        status=status,
        responded_at=NOW if status == RequestStatus.ACCEPTED else None,
    )
    assert request.status_at(NOW) == shown
    annotated = SessionRequest.objects.with_effective_status(NOW).get(pk=request.pk)
    assert annotated.current_status == shown


def test_the_time_to_live_comes_from_the_setting(settings):
    settings.STUDYHALL_TUTORING_REQUEST_TTL_HOURS = 2
    request = SessionRequestFactory(created_at=NOW - datetime.timedelta(hours=3))
    assert request.status_at(NOW) == RequestStatus.EXPIRED


def test_a_decline_reason_of_spaces_is_refused_by_the_database():
    request = SessionRequestFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.REJECTED, responded_at=NOW, decline_reason="   "
        )
