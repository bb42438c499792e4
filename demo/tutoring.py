"""The demo's tutoring: tutors with packages, a parent with two children, students, and
requests in every status, made and answered through the tutoring services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from demo.accounts import demo_user
from tutoring.models import (
    ParentProfile,
    SessionRequest,
    StudentProfile,
    TutorPackage,
    TutorProfile,
    request_ttl,
)
from tutoring.services import (
    RequestDetails,
    request_accept,
    request_cancel,
    request_create,
    request_decline,
)


@dataclass(frozen=True)
class DemoTutor:
    login: tuple[str, str, str]
    headline: str
    headline_ar: str
    bio: str
    bio_ar: str
    subjects: str
    hourly_rate: Decimal
    accepting: bool
    # (name, Arabic name, sessions, price, offered)
    packages: tuple[tuple[str, str, int, Decimal, bool], ...]


TUTORS = (
    DemoTutor(
        ("hana", "Hana", "Mansour"),
        "Maths and physics, from fractions to mechanics",
        "الرياضيات والفيزياء، من الكسور إلى الميكانيكا",
        "Ten years of helping students in grades 6 to 12 see why the maths works, not just how.",
        "عشر سنوات في مساعدة طلاب الصفوف من السادس إلى الثاني عشر على فهم الرياضيات.",
        "Mathematics, Physics, Algebra, رياضيات, فيزياء",
        Decimal("15.00"),
        True,
        (
            ("Exam sprint", "مراجعة الامتحانات", 4, Decimal("55.00"), True),
            ("Term support", "دعم الفصل الدراسي", 12, Decimal("150.00"), True),
            ("Summer bridge", "جسر الصيف", 6, Decimal("80.00"), False),
        ),
    ),
    DemoTutor(
        ("samir", "Samir", "Khalil"),
        "Arabic language and calligraphy",
        "اللغة العربية والخط",
        "Grammar, reading and Naskh calligraphy for children and adults.",
        "القواعد والقراءة وخط النسخ للأطفال والكبار.",
        "Arabic, Calligraphy, Grammar, اللغة العربية, خط, نحو",
        Decimal("12.00"),
        True,
        (("Four Saturdays", "أربعة أيام سبت", 4, Decimal("40.00"), True),),
    ),
    DemoTutor(
        ("nour", "Nour", "Haddad"),
        "English writing and exam essays",
        "الكتابة باللغة الإنجليزية ومقالات الامتحانات",
        "Essay structure, grammar and confident writing for IGCSE and IELTS.",
        "بنية المقال والقواعد والكتابة بثقة لامتحانات IGCSE و IELTS.",
        "English, Writing, IELTS, إنجليزي, كتابة",
        Decimal("18.00"),
        False,
        (),
    ),
)
PARENT = ("mariam", "Mariam", "Aziz")
CHILDREN = (("layla", "Layla", "Aziz", "Grade 7"), ("zaid", "Zaid", "Aziz", "Grade 10"))
STUDENT_GRADES = {"amira": "Grade 11", "omar": "Grade 9", "lina": "Grade 12", "yusuf": "Grade 8"}


@transaction.atomic
def seed_people() -> tuple[list[User], User]:
    """Tutor, student and parent profiles; returns the tutors' and the parent's logins."""
    tutors = []
    for spec in TUTORS:
        user = demo_user(*spec.login)
        tutor, _ = TutorProfile.objects.get_or_create(
            user=user,
            defaults={
                "headline": spec.headline,
                "headline_ar": spec.headline_ar,
                "bio": spec.bio,
                "bio_ar": spec.bio_ar,
                "subjects": spec.subjects,
                "hourly_rate": spec.hourly_rate,
                "is_accepting_requests": spec.accepting,
            },
        )
        for name, name_ar, sessions, price, offered in spec.packages:
            TutorPackage.objects.get_or_create(
                tutor=tutor,
                name=name,
                defaults={
                    "name_ar": name_ar,
                    "sessions_count": sessions,
                    "price": price,
                    "is_active": offered,
                },
            )
        tutors.append(user)
    for username, grade in STUDENT_GRADES.items():
        StudentProfile.objects.get_or_create(
            user=User.objects.get(username=username), defaults={"grade": grade}
        )
    parent_user = demo_user(*PARENT)
    parent, _ = ParentProfile.objects.get_or_create(user=parent_user)
    for username, first, last, grade in CHILDREN:
        child, _ = StudentProfile.objects.get_or_create(
            user=demo_user(username, first, last), defaults={"grade": grade}
        )
        parent.children.add(child)
    return tutors, parent_user


def _tutor(username: str) -> TutorProfile:
    return TutorProfile.objects.get(user__username=username)


def _ask(username: str, tutor: str, *, package: str = "", child: str = "", **details) -> int:
    user = User.objects.get(username=username)
    tutor_profile = _tutor(tutor)
    package_id = TutorPackage.objects.get(tutor=tutor_profile, name=package).pk if package else None
    child_id = StudentProfile.objects.get(user__username=child).pk if child else None
    return request_create(
        user=user,
        tutor=tutor_profile,
        details=RequestDetails(**details),
        package_id=package_id,
        child_id=child_id,
    ).pk


@transaction.atomic
def seed_requests(now: datetime.datetime | None = None) -> int:
    """One request in each status, once. Returns how many were made now."""
    if SessionRequest.objects.filter(student__user__username="amira").exists():
        return 0
    now = now or timezone.now()
    _ask(
        "amira",
        "hana",
        package="Exam sprint",
        preferred_schedule="Weekday evenings after 5 pm",
        message="I have my physics final in three weeks and mechanics is my weak spot.",
        contact_phone="+965 5555 0101",
    )
    _ask(
        "mariam",
        "hana",
        child="layla",
        package="Term support",
        preferred_schedule="Saturday mornings",
        message="Layla finds fractions hard and is losing confidence.",
    )
    accepted = _ask(
        "mariam",
        "samir",
        child="zaid",
        package="Four Saturdays",
        preferred_schedule="Saturdays, 10 am",
        message="Zaid would like to start Naskh calligraphy.",
    )
    request_accept(request_id=accepted, tutor=_tutor("samir"))
    declined = _ask(
        "omar",
        "samir",
        preferred_schedule="Sunday nights",
        message="Grammar revision, please.",
    )
    request_decline(
        request_id=declined,
        tutor=_tutor("samir"),
        reason="I teach only until 8 pm; I would be glad to help on an earlier evening.",
    )
    cancelled = _ask("lina", "hana", message="Help with calculus.")
    request_cancel(request_id=cancelled, user=User.objects.get(username="lina"))
    expired = _ask("yusuf", "samir", message="Could we start with reading practice?")
    # Sent long ago and never answered: it reads as expired.
    SessionRequest.objects.filter(pk=expired).update(
        created_at=now - request_ttl() - datetime.timedelta(days=2)
    )
    return 6
