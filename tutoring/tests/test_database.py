"""PostgreSQL refuses raw SQL that breaks session_request_parties, whoever writes it."""

import pytest
from django.db import IntegrityError, connection, transaction

from tutoring.models import SessionRequest, TutorPackage
from tutoring.tests.factories import (
    ParentProfileFactory,
    SessionRequestFactory,
    StudentProfileFactory,
    TutorPackageFactory,
    TutorProfileFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

INSERT = """
INSERT INTO tutoring_sessionrequest
    (tutor_id, requester_type, student_id, parent_id, child_id, package_id, package_name,
     status, message, student_name, student_grade, preferred_schedule, contact_phone,
     contact_email, decline_reason, created_at, updated_at, responded_at)
VALUES (%(tutor)s, %(type)s, %(student)s, %(parent)s, %(child)s, %(package)s, '',
        %(status)s, '', 'Someone', '', '', '', '', %(reason)s, now(), now(), %(responded)s)
"""


def raw(sql: str, params=None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def insert(**values) -> None:
    row = {
        "type": "student",
        "student": None,
        "parent": None,
        "child": None,
        "package": None,
        "status": "pending",
        "reason": "",
        "responded": None,
        **values,
    }
    raw(INSERT, row)


@pytest.fixture
def people():
    return TutorProfileFactory(), StudentProfileFactory(), ParentProfileFactory()


def test_a_valid_raw_request_is_accepted(people):
    tutor, student, _ = people
    insert(tutor=tutor.pk, student=student.pk)
    assert SessionRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "student", "parent", "constraint"),
    [
        ("student", False, True, "request_requester_matches_type"),
        ("parent", True, False, "request_requester_matches_type"),
        ("student", True, True, "request_requester_matches_type"),
        ("student", False, False, "request_requester_matches_type"),
        ("tutor", True, False, "request_requester_matches_type"),
    ],
)
def test_the_requester_must_be_the_profile_its_type_names(
    people, kind, student, parent, constraint
):
    tutor, student_profile, parent_profile = people
    with pytest.raises(IntegrityError, match=constraint):
        insert(
            tutor=tutor.pk,
            type=kind,
            student=student_profile.pk if student else None,
            parent=parent_profile.pk if parent else None,
        )


def test_the_requester_must_exist(people):
    tutor, _, _ = people
    with pytest.raises(IntegrityError):
        insert(tutor=tutor.pk, student=10**9)


def test_the_tutor_must_be_a_tutor_profile(people):
    _, student, _ = people
    with pytest.raises(IntegrityError):
        insert(tutor=student.user_id + 10**6, student=student.pk)


def test_a_child_belongs_only_on_a_parents_request(people):
    tutor, student, _ = people
    with pytest.raises(IntegrityError, match="request_child_only_for_a_parent"):
        insert(tutor=tutor.pk, student=student.pk, child=StudentProfileFactory().pk)


def test_a_package_of_another_tutor_is_refused(people):
    tutor, student, _ = people
    other_tutors = TutorPackageFactory()
    with pytest.raises(IntegrityError, match="request_package_same_tutor_fk"):
        insert(tutor=tutor.pk, student=student.pk, package=other_tutors.pk)
    insert(tutor=tutor.pk, student=student.pk, package=TutorPackageFactory(tutor=tutor).pk)


def test_a_request_cannot_move_to_another_tutor_away_from_its_package(people):
    tutor, student, _ = people
    request = SessionRequestFactory(
        tutor=tutor, student=student, package=TutorPackageFactory(tutor=tutor)
    )
    with pytest.raises(IntegrityError, match="request_package_same_tutor_fk"):
        raw(
            "UPDATE tutoring_sessionrequest SET tutor_id = %s WHERE id = %s",
            [TutorProfileFactory().pk, request.pk],
        )


@pytest.mark.parametrize(
    ("status", "reason", "responded", "constraint"),
    [
        ("accepted", "", None, "request_responded_at_matches_status"),
        ("pending", "", "now()", "request_responded_at_matches_status"),
        ("rejected", "", "now()", "request_rejection_has_reason"),
        ("archived", "", None, "request_status_valid"),
    ],
)
def test_answers_carry_their_time_and_declines_their_reason(
    people, status, reason, responded, constraint
):
    tutor, student, _ = people
    sql = INSERT.replace("%(responded)s", responded or "NULL")
    with pytest.raises(IntegrityError, match=constraint):
        raw(
            sql,
            {
                "tutor": tutor.pk,
                "type": "student",
                "student": student.pk,
                "parent": None,
                "child": None,
                "package": None,
                "status": status,
                "reason": reason,
            },
        )


def test_a_second_pending_request_from_one_student_is_refused(people):
    tutor, student, _ = people
    insert(tutor=tutor.pk, student=student.pk)
    with pytest.raises(IntegrityError, match="request_one_pending_per_student"):
        insert(tutor=tutor.pk, student=student.pk)


def test_a_parents_pending_requests_are_one_per_child_and_one_without(people):
    tutor, _, parent = people
    layla, zaid = StudentProfileFactory(), StudentProfileFactory()
    parent.children.add(layla, zaid)
    for child in (layla.pk, zaid.pk, None):
        insert(tutor=tutor.pk, type="parent", parent=parent.pk, child=child)
    for child in (layla.pk, None):
        with pytest.raises(IntegrityError, match="request_one_pending_per_parent_and_child"):
            insert(tutor=tutor.pk, type="parent", parent=parent.pk, child=child)


def delete_in_raw_sql(package) -> None:
    raw("DELETE FROM tutoring_tutorpackage WHERE id = %s", [package.pk])


def delete_through_the_orm(package) -> None:
    TutorPackage.objects.filter(pk=package.pk).delete()


@pytest.mark.parametrize("delete", [delete_in_raw_sql, delete_through_the_orm])
def test_deleting_a_package_nulls_only_the_package_and_keeps_its_name(people, delete):
    """Only raw SQL exercises the key's own ON DELETE SET NULL (package_id): the ORM
    nulls the column itself before it deletes."""
    tutor, student, _ = people
    package = TutorPackageFactory(tutor=tutor, name="Exam sprint")
    request = SessionRequestFactory(
        tutor=tutor, student=student, package=package, package_name="Exam sprint"
    )
    delete(package)
    request.refresh_from_db()
    assert (request.package_id, request.tutor_id, request.package_name) == (
        None,
        tutor.pk,
        "Exam sprint",
    )


def test_a_tutor_with_requests_cannot_be_deleted(people):
    tutor, student, _ = people
    SessionRequestFactory(tutor=tutor, student=student)
    with pytest.raises(IntegrityError):
        raw("DELETE FROM tutoring_tutorprofile WHERE id = %s", [tutor.pk])


# -- a parent requests only for their own child (request_child_of_parent_fk) -------------


@pytest.fixture
def family():
    parent, child, stranger = (
        ParentProfileFactory(),
        StudentProfileFactory(),
        StudentProfileFactory(),
    )
    parent.children.add(child)
    return parent, child, stranger


def test_a_raw_request_for_someone_elses_child_is_refused(people, family):
    tutor = people[0]
    parent, child, stranger = family
    insert(tutor=tutor.pk, type="parent", parent=parent.pk, child=child.pk)
    with pytest.raises(IntegrityError, match="request_child_of_parent_fk"):
        insert(tutor=tutor.pk, type="parent", parent=parent.pk, child=stranger.pk)
    request = SessionRequest.objects.get()
    with pytest.raises(IntegrityError, match="request_child_of_parent_fk"):
        raw(
            "UPDATE tutoring_sessionrequest SET child_id = %s WHERE id = %s",
            [stranger.pk, request.pk],
        )
    assert SessionRequest.objects.get().child_id == child.pk


def test_removing_a_link_a_request_names_is_refused(people, family):
    tutor = people[0]
    parent, child, _ = family
    insert(tutor=tutor.pk, type="parent", parent=parent.pk, child=child.pk)
    with pytest.raises(IntegrityError, match="request_child_of_parent_fk"):
        raw(
            "DELETE FROM tutoring_parentprofile_children "
            "WHERE parentprofile_id = %s AND studentprofile_id = %s",
            [parent.pk, child.pk],
        )
    assert list(parent.children.all()) == [child]
