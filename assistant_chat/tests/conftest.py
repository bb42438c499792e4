import uuid

import pytest

from assistant_chat import monitoring
from assistant_chat.owners import ChatOwner
from core.tests.factories import UserFactory


@pytest.fixture
def student(db):
    return UserFactory(username="amira", first_name="Amira", last_name="Saleh")


@pytest.fixture
def student_owner(student) -> ChatOwner:
    return ChatOwner(user_id=student.pk)


@pytest.fixture
def visitor_owner() -> ChatOwner:
    return ChatOwner(visitor_key=f"visitor-{uuid.uuid4().hex[:12]}")


@pytest.fixture
def log_failures(db):
    """Reads the failure count /healthz reports, from where every server reads it."""

    def count() -> int:
        return monitoring.log_failure_report()["log_failures"]

    return count
