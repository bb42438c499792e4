"""A parent's children: removing one is refused while a pending request names them;
answered requests let go of the child and keep the name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.tests.factories import staff_user
from tutoring.models import FamilyLink, RequestStatus, SessionRequest
from tutoring.services import RequestDetails, TutoringError, family_unlink, request_create
from tutoring.tests.factories import (
    ParentProfileFactory,
    StudentProfileFactory,
    TutorProfileFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def family():
    parent = ParentProfileFactory(user__username="mariam")
    child = StudentProfileFactory(user__first_name="Layla", user__last_name="Aziz")
    parent.children.add(child)
    return parent, child


def ask(parent, child) -> SessionRequest:
    return request_create(
        user=parent.user,
        tutor=TutorProfileFactory(),
        details=RequestDetails(message="Fractions"),
        child_id=child.pk,
    )


def test_a_pending_request_keeps_the_child_linked(family):
    parent, child = family
    ask(parent, child)
    with pytest.raises(TutoringError, match="Layla Aziz has a pending request from"):
        family_unlink(parent=parent, child=child)
    assert FamilyLink.objects.filter(parent=parent, child=child).exists()


def test_answered_requests_let_go_of_the_child_and_keep_the_name(family):
    parent, child = family
    request = ask(parent, child)
    SessionRequest.objects.filter(pk=request.pk).update(status=RequestStatus.CANCELLED)
    family_unlink(parent=parent, child=child)
    request.refresh_from_db()
    assert (request.child_id, request.student_name) == (None, "Layla Aziz")
    assert not parent.children.exists()
    request.full_clean()  # still a valid parent's request


def test_the_admin_explains_a_refused_removal(client, family):
    parent, child = family
    ask(parent, child)
    client.force_login(staff_user("tutoring"))
    link = FamilyLink.objects.get()
    url = reverse("admin:tutoring_parentprofile_change", args=[parent.pk])
    response = client.post(
        url,
        {
            "user": parent.user_id,
            "child_links-TOTAL_FORMS": "1",
            "child_links-INITIAL_FORMS": "1",
            "child_links-0-id": link.pk,
            "child_links-0-parent": parent.pk,
            "child_links-0-child": child.pk,
            "child_links-0-DELETE": "on",
        },
    )
    assert response.status_code == 200
    assert "has a pending request from" in response.text
    assert FamilyLink.objects.filter(pk=link.pk).exists()
