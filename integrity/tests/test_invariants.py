"""Each invariant, broken the way data breaks in life: the audit names it, the dry run
writes nothing, the repair fixes or quarantines it, the audit is then clean, and the
rows left plus the rows quarantined are the rows there were."""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import connection

from assistant_chat.tests.factories import ChatMessageFactory, ChatSessionFactory
from core.tests.commands import run_command
from core.tests.factories import UserFactory
from integrity.models import QuarantinedRow
from integrity.tests.conftest import assert_nothing_lost, row_counts, snapshot
from orders.models import OrderItem
from orders.tests.factories import SeatFactory
from tutoring.tests.factories import (
    ParentProfileFactory,
    SessionRequestFactory,
    StudentProfileFactory,
    TutorPackageFactory,
    TutorProfileFactory,
)
from workshops.models import WorkshopRun, WorkshopSession
from workshops.tests.factories import (
    HostSessionFactory,
    WorkshopRunFactory,
    WorkshopSessionFactory,
)

pytestmark = pytest.mark.django_db

MISSING = 987654


@dataclass
class Broken:
    name: str
    pks: list  # the rows that break it, as the audit's samples name them
    quarantined: set[tuple[str, str]] = field(default_factory=set)  # (table, pk) taken
    reported: int = 0  # rows left in place, reported
    created: dict[str, int] = field(default_factory=dict)  # rows the repair added
    then: Callable[[], None] | None = None  # what the repair made of them


def session_run_workshop(write) -> Broken:
    run = WorkshopRunFactory()
    other = WorkshopRunFactory()  # another workshop's run
    wrong = WorkshopSessionFactory(run=run, number=7)
    dangling = WorkshopSessionFactory(run=run, number=2, date=run.end_date)
    kept = WorkshopSessionFactory(run=run, number=3)
    lost = WorkshopSessionFactory(run=other, number=1)
    seat = SeatFactory(session=lost)
    link = HostSessionFactory(session=lost)
    write(
        ("UPDATE workshops_workshopsession SET run_id = %s WHERE id = %s", [other.pk, wrong.pk]),
        ("UPDATE workshops_workshopsession SET run_id = %s WHERE id = %s", [MISSING, dangling.pk]),
        # A workshop that is gone: no default run can be made for its session.
        ("UPDATE workshops_workshopsession SET workshop_id = %s WHERE id = %s", [MISSING, lost.pk]),
    )

    def then():
        default = WorkshopRun.objects.get(workshop=run.workshop, is_default=True)
        moved = WorkshopSession.objects.filter(pk__in=[wrong.pk, dangling.pk]).order_by("number")
        assert [(s.pk, s.run_id, s.number) for s in moved] == [
            (wrong.pk, default.pk, 1),
            (dangling.pk, default.pk, 2),
        ]
        assert default.start_date <= min(s.date for s in moved)
        assert default.end_date >= max(s.date for s in moved)
        assert WorkshopSession.objects.get(pk=kept.pk).run_id == run.pk

    return Broken(
        "session_run_workshop",
        sorted([wrong.pk, dangling.pk, lost.pk]),
        quarantined={
            ("workshops_workshopsession", str(lost.pk)),
            ("orders_orderitem", str(seat.pk)),
            ("workshops_hostsession", str(link.pk)),
        },
        created={"workshops_workshoprun": 1},
        then=then,
    )


def run_dates(write) -> Broken:
    session = WorkshopSessionFactory()
    run = session.run
    late = run.end_date + datetime.timedelta(days=30)
    write(("UPDATE workshops_workshopsession SET date = %s WHERE id = %s", [late, session.pk]))

    def then():
        run.refresh_from_db()
        assert run.end_date == late

    return Broken("run_dates", [run.pk], then=then)


def order_item_session(write) -> Broken:
    session = WorkshopSessionFactory()
    sibling = WorkshopRunFactory(workshop=session.workshop)
    mislinked = SeatFactory(session=session)
    orphan = SeatFactory(session=WorkshopSessionFactory(run=session.run, number=99))
    write(
        ("UPDATE orders_orderitem SET run_id = %s WHERE id = %s", [sibling.pk, mislinked.pk]),
        ("UPDATE orders_orderitem SET session_id = %s WHERE id = %s", [MISSING, orphan.pk]),
    )

    def then():
        seat = OrderItem.objects.get(pk=mislinked.pk)
        assert (seat.run_id, seat.workshop_id) == (session.run_id, session.workshop_id)

    return Broken(
        "order_item_session",
        sorted([mislinked.pk, orphan.pk]),
        quarantined={("orders_orderitem", str(orphan.pk))},
        then=then,
    )


def session_capacity(write) -> Broken:
    miscounted = WorkshopSessionFactory(capacity=5)
    SeatFactory(session=miscounted)
    SeatFactory(
        session=miscounted, status="cancelled", cancelled_at=datetime.datetime.now(datetime.UTC)
    )
    overbooked = WorkshopSessionFactory(run=miscounted.run, number=50, capacity=3)
    for _ in range(2):
        SeatFactory(session=overbooked)
    write(
        ("UPDATE workshops_workshopsession SET seats_taken = 4 WHERE id = %s", [miscounted.pk]),
        (
            "UPDATE workshops_workshopsession SET seats_taken = 2, capacity = 1 WHERE id = %s",
            [overbooked.pk],
        ),
        drop=[("workshops_workshopsession", "session_seats_taken_within_capacity")],
    )

    def then():
        assert WorkshopSession.objects.get(pk=miscounted.pk).seats_taken == 1
        # Reported, never fixed by cancelling someone's seat.
        assert OrderItem.objects.filter(session=overbooked, status="active").count() == 2

    return Broken("session_capacity", sorted([miscounted.pk, overbooked.pk]), reported=1, then=then)


def host_session(write) -> Broken:
    link = HostSessionFactory()
    HostSessionFactory()
    write(("UPDATE workshops_hostsession SET session_id = %s WHERE id = %s", [MISSING, link.pk]))
    return Broken("host_session", [link.pk], quarantined={("workshops_hostsession", str(link.pk))})


def session_request_parties(write) -> Broken:
    no_tutor = SessionRequestFactory()
    no_student = SessionRequestFactory()
    package_elsewhere = SessionRequestFactory()
    SessionRequestFactory()
    stranger = TutorPackageFactory(tutor=TutorProfileFactory())
    write(
        ("UPDATE tutoring_sessionrequest SET tutor_id = %s WHERE id = %s", [MISSING, no_tutor.pk]),
        (
            "UPDATE tutoring_sessionrequest SET student_id = %s WHERE id = %s",
            [MISSING, no_student.pk],
        ),
        (
            "UPDATE tutoring_sessionrequest SET package_id = %s WHERE id = %s",
            [stranger.pk, package_elsewhere.pk],
        ),
    )
    broken = sorted([no_tutor.pk, no_student.pk, package_elsewhere.pk])
    return Broken(
        "session_request_parties",
        broken,
        quarantined={("tutoring_sessionrequest", str(pk)) for pk in broken},
    )


def request_for_someone_elses_child(write) -> Broken:
    """A parent's request naming a child who is not theirs: who it was for cannot be
    known, so it is quarantined."""
    parent = ParentProfileFactory()
    child, stranger = StudentProfileFactory(), StudentProfileFactory()
    parent.children.add(child)
    mine = SessionRequestFactory(requester_type="parent", student=None, parent=parent, child=child)
    theirs = SessionRequestFactory(
        requester_type="parent", student=None, parent=parent, child=child
    )
    write(
        (
            "UPDATE tutoring_sessionrequest SET child_id = %s WHERE id = %s",
            [stranger.pk, theirs.pk],
        )
    )
    assert mine.pk != theirs.pk
    return Broken(
        "session_request_parties",
        [theirs.pk],
        quarantined={("tutoring_sessionrequest", str(theirs.pk))},
    )


def as_stored(pk: uuid.UUID):
    """A conversation's id as the database stores it (SQLite: hex)."""
    return pk.hex if connection.vendor == "sqlite" else pk


def chat_message_session(write) -> Broken:
    stray = ChatMessageFactory()
    owner = UserFactory()
    orphaned = ChatSessionFactory(user=owner, visitor_key=None)
    question = ChatMessageFactory(session=orphaned)
    ChatMessageFactory()
    write(
        (
            "UPDATE assistant_chat_chatmessage SET session_id = %s WHERE id = %s",
            [as_stored(uuid.uuid4()), stray.pk],
        ),
        (
            "UPDATE assistant_chat_chatsession SET user_id = %s WHERE id = %s",
            [MISSING, as_stored(orphaned.pk)],
        ),
    )
    # The conversation the stray message left now counts one message too many.
    left = as_stored(stray.session_id)
    return Broken(
        "chat_message_session",
        [stray.pk, str(as_stored(orphaned.pk)), str(left)],
        quarantined={
            ("assistant_chat_chatmessage", str(stray.pk)),
            ("assistant_chat_chatsession", str(orphaned.pk)),
            ("assistant_chat_chatmessage", str(question.pk)),
        },
    )


def chat_numbering(write) -> Broken:
    """A conversation with a gap in its numbers, one counted wrong, and an answer that
    replies to an answer: the first two are renumbered and recounted, the answer is
    quarantined and its conversation recounted after it."""
    gap = ChatSessionFactory()
    for _ in range(3):
        ChatMessageFactory(session=gap)
    miscounted = ChatSessionFactory()
    ChatMessageFactory(session=miscounted)
    muddled = ChatSessionFactory()
    asked = ChatMessageFactory(session=muddled)
    answer = ChatMessageFactory(session=muddled, role="assistant", reply_to=asked)
    echo = ChatMessageFactory(session=muddled, role="user")
    write(
        (
            "UPDATE assistant_chat_chatmessage SET sequence = 7 WHERE session_id = %s "
            "AND sequence = 2",
            [as_stored(gap.pk)],
        ),
        (
            "UPDATE assistant_chat_chatsession SET message_count = 5 WHERE id = %s",
            [as_stored(miscounted.pk)],
        ),
        (
            "UPDATE assistant_chat_chatmessage SET role = 'assistant', reply_to_id = %s "
            "WHERE id = %s",
            [answer.pk, echo.pk],
        ),
    )

    def renumbered() -> None:
        for session, count in ((gap, 3), (miscounted, 1), (muddled, 2)):
            session.refresh_from_db()
            numbers = sorted(session.messages.values_list("sequence", flat=True))
            assert (session.message_count, numbers) == (count, list(range(1, count + 1)))

    return Broken(
        "chat_message_session",
        [echo.pk, str(as_stored(gap.pk)), str(as_stored(miscounted.pk))],
        quarantined={("assistant_chat_chatmessage", str(echo.pk))},
        then=renumbered,
    )


SCENARIOS = [
    session_run_workshop,
    run_dates,
    order_item_session,
    session_capacity,
    host_session,
    session_request_parties,
    request_for_someone_elses_child,
    chat_message_session,
    chat_numbering,
]


def audit(monkeypatch, *args):
    result = run_command(monkeypatch, "check_integrity", "--json", *args)
    return result.code, json.loads(result.out)


def finding(body, name):
    (found,) = [item for item in body["invariants"] if item["name"] == name]
    return found


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
def test_each_invariant_is_found_repaired_and_nothing_is_lost(scenario, monkeypatch, write_broken):
    broken = scenario(write_broken)
    before = row_counts()

    code, body = audit(monkeypatch, "--only", broken.name)
    assert code == 1
    found = finding(body, broken.name)
    assert found["violations"] == len(broken.pks)
    assert sorted(map(str, found["sample_ids"])) == sorted(map(str, broken.pks))

    rows = snapshot()
    dry = run_command(monkeypatch, "repair_integrity", "--dry-run", "--only", broken.name)
    assert dry.code == 0, dry.err
    assert "Dry run: nothing was written." in dry.out
    assert snapshot() == rows
    assert not QuarantinedRow.objects.exists()

    repaired = run_command(
        monkeypatch, "repair_integrity", "--no-input", "--json", "--only", broken.name
    )
    assert repaired.code == 0, repaired.err
    (outcome,) = json.loads(repaired.out)["repaired"]
    assert outcome["quarantined"] == len(broken.quarantined)
    assert outcome["reported"] == broken.reported
    held = set(QuarantinedRow.objects.values_list("source_table", "source_pk"))
    assert held == broken.quarantined
    assert all(
        reason.startswith(f"{broken.name}: ") or f"{broken.name}: " in reason
        for reason in QuarantinedRow.objects.values_list("reason", flat=True)
    )
    if broken.then:
        broken.then()

    code, body = audit(monkeypatch, "--only", broken.name)
    assert finding(body, broken.name)["violations"] == broken.reported
    assert code == (1 if broken.reported else 0)
    assert_nothing_lost(before, created=broken.created)

    again = run_command(
        monkeypatch, "repair_integrity", "--no-input", "--json", "--only", broken.name
    )
    (second,) = json.loads(again.out)["repaired"] or [
        {"fixed": 0, "quarantined": 0, "reported": broken.reported}
    ]
    assert (second["fixed"], second["quarantined"]) == (0, 0)
