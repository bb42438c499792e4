"""The interface in Arabic: the catalogue reaches pages, refusals, plurals and emails."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from accounts.models import LanguagePreference
from core.tests.factories import UserFactory
from orders.services.booking import seat_book
from orders.services.cancellation import sessions_cancel
from workshops.tests.factories import WorkshopSessionFactory

ARABIC_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "ar"}


@pytest.mark.django_db
def test_a_full_session_is_refused_in_the_students_language(client):
    session = WorkshopSessionFactory(capacity=1)
    seat_book(buyer=UserFactory(), workshop=session.workshop, session_id=session.pk)
    client.force_login(UserFactory())

    response = client.post(
        reverse("book", kwargs={"slug": session.workshop.slug}),
        {"session": session.pk},
        **ARABIC_BROWSER,
    )

    assert response.status_code == 409
    text = response.content.decode()
    assert "مكتملة؛ اختر جلسة أخرى" in text  # the refusal
    assert "احجز مقعدًا" in text  # the page around it
    assert "is full" not in text


def test_seat_counts_take_each_of_the_six_arabic_plural_forms():
    with translation.override("ar"):
        forms = [
            ngettext("%(count)d seat left", "%(count)d seats left", n) % {"count": n}
            for n in (0, 1, 2, 3, 11, 100)
        ]
    assert forms == [
        "لا مقاعد شاغرة",
        "مقعد واحد شاغر",
        "مقعدان شاغران",
        "3 مقاعد شاغرة",
        "11 مقعدًا شاغرًا",
        "100 مقعد شاغر",
    ]


@pytest.mark.django_db
def test_a_cancelled_session_is_announced_in_each_buyers_language(
    django_capture_on_commit_callbacks, mailoutbox
):
    session = WorkshopSessionFactory()
    reads_arabic = UserFactory(email="amira@example.com")
    LanguagePreference.objects.create(user=reads_arabic, language="ar")
    reads_english = UserFactory(email="omar@example.com")
    for buyer in (reads_arabic, reads_english):
        seat_book(buyer=buyer, workshop=session.workshop, session_id=session.pk)

    with django_capture_on_commit_callbacks(execute=True):
        sessions_cancel(session_ids=[session.pk])

    subjects = {mail.to[0]: mail.subject for mail in mailoutbox}
    assert subjects["amira@example.com"].startswith("تم الإلغاء: ")
    assert subjects["omar@example.com"].startswith("Cancelled: ")
