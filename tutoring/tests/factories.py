import factory

from core.tests.factories import UserFactory
from tutoring.models import (
    ParentProfile,
    RequesterType,
    SessionRequest,
    StudentProfile,
    TutorPackage,
    TutorProfile,
)


class TutorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TutorProfile

    user = factory.SubFactory(UserFactory, first_name="Hana", last_name="Mansour")
    headline = "Maths and physics"
    subjects = "Mathematics, Physics, رياضيات"
    hourly_rate = 15


class StudentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudentProfile

    user = factory.SubFactory(UserFactory, first_name="Amira", last_name="Saleh")
    grade = "Grade 9"


class ParentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParentProfile

    user = factory.SubFactory(UserFactory, first_name="Mariam", last_name="Aziz")


class TutorPackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TutorPackage

    tutor = factory.SubFactory(TutorProfileFactory)
    name = factory.Sequence(lambda n: f"Package {n}")
    sessions_count = 4
    price = 50


class SessionRequestFactory(factory.django.DjangoModelFactory):
    """A request row as storage holds it. Tests of behaviour go through the services."""

    class Meta:
        model = SessionRequest

    tutor = factory.SubFactory(TutorProfileFactory)
    requester_type = RequesterType.STUDENT
    student = factory.SubFactory(StudentProfileFactory)
    student_name = "Amira Saleh"
