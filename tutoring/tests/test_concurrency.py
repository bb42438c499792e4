"""Real threads, real PostgreSQL transactions: each request gets exactly one answer."""

from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from core.tests.concurrency import race
from tutoring import models
from tutoring.models import SessionRequest
from tutoring.services import (
    RequestDetails,
    TutoringError,
    request_accept,
    request_cancel,
    request_create,
)
from tutoring.tests.factories import StudentProfileFactory, TutorProfileFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def kinds(results) -> Counter:
    return Counter(
        "won" if isinstance(r, SessionRequest) else getattr(r, "code", type(r).__name__)
        for r in results
    )


@pytest.fixture
def pending():
    tutor, student = TutorProfileFactory(), StudentProfileFactory()
    request = request_create(user=student.user, tutor=tutor, details=RequestDetails())
    return request, tutor, student


def test_two_accepts_of_one_request_have_one_winner(pending):
    request, tutor, _ = pending
    results = race(2, lambda i: request_accept(request_id=request.pk, tutor=tutor))
    assert kinds(results) == Counter({"won": 1, "request_closed": 1})
    loser = next(r for r in results if isinstance(r, TutoringError))
    assert loser.message == "This request was already accepted."


def test_control_without_the_pending_condition_both_accepts_win(pending, monkeypatch):
    """Proves the race above can fail: without ``status = 'pending'`` in the update,
    both tabs 'accept' and the requester would be told twice."""
    request, tutor, _ = pending
    monkeypatch.setattr(models.SessionRequestQuerySet, "pending", lambda self, now=None: self)
    results = race(2, lambda i: request_accept(request_id=request.pk, tutor=tutor))
    assert kinds(results) == Counter({"won": 2})


def test_an_accept_racing_the_requesters_cancel_has_one_winner(pending):
    request, tutor, student = pending

    def answer(i):
        if i % 2:
            return request_cancel(request_id=request.pk, user=student.user)
        return request_accept(request_id=request.pk, tutor=tutor)

    for _ in range(5):
        SessionRequest.objects.filter(pk=request.pk).update(status="pending", responded_at=None)
        results = race(2, answer)
        assert kinds(results) == Counter({"won": 1, "request_closed": 1})
        request.refresh_from_db()
        winner = next(r for r in results if isinstance(r, SessionRequest))
        assert request.status == winner.status


def test_a_double_submitted_request_form_makes_one_request():
    tutor, student = TutorProfileFactory(), StudentProfileFactory()
    url = reverse("tutoring:request", kwargs={"pk": tutor.pk})
    clients = []
    for _ in range(6):
        client = Client()
        client.force_login(student.user)
        clients.append(client)

    results = race(6, lambda i: clients[i].post(url, {"message": "Hello"}).status_code)

    assert sorted(results) == [302] + [409] * 5
    assert SessionRequest.objects.filter(student=student).count() == 1
