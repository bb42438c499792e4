"""The seats' invariants, for the audit and the repair (docs/invariants.md).

``order_item_session`` and ``session_capacity``: the session's counter belongs here,
with the seats it counts, since only the booking services write it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.invariants import Check, Fix, Invariant, Quarantine, Report, register
from core.invariants import placeholders as marks

SESSIONS = "workshops_workshopsession"
ITEMS = "orders_orderitem"

ACTIVE_SEATS = f"(SELECT COUNT(*) FROM {ITEMS} i WHERE i.session_id = t.id AND i.status = 'active')"


def copy_run_and_workshop_from_session(cursor, ids: Sequence[Any]) -> None:
    """A seat's run and workshop are its session's, as ``seat_book`` copies them."""
    cursor.execute(
        f"""
        UPDATE {ITEMS} SET run_id = s.run_id, workshop_id = s.workshop_id
          FROM {SESSIONS} s
         WHERE s.id = {ITEMS}.session_id AND {ITEMS}.id IN ({marks(ids)})
        """,
        list(ids),
    )


def recount_seats_taken(cursor, ids: Sequence[Any]) -> None:
    """``seats_taken`` becomes the session's active seats, under the sessions' row locks
    (taken first, by id, as every booking path does), so a booking that commits
    meanwhile is counted."""
    if cursor.db.vendor == "postgresql":
        cursor.execute(
            f"SELECT id FROM {SESSIONS} WHERE id IN ({marks(ids)}) ORDER BY id FOR UPDATE",
            list(ids),
        )
    active = ACTIVE_SEATS.replace("t.id", f"{SESSIONS}.id")
    cursor.execute(
        f"""
        UPDATE {SESSIONS} SET seats_taken = {active}
         WHERE id IN ({marks(ids)}) AND (capacity IS NULL OR {active} <= capacity)
        """,
        list(ids),
    )


ORDER_ITEM_SESSION = Invariant(
    name="order_item_session",
    description="an order item's session exists, and its run and workshop equal the session's",
    order=30,
    checks=(
        Check(
            table=ITEMS,
            condition=f"""NOT EXISTS (
                SELECT 1 FROM {SESSIONS} s
                 WHERE s.id = t.session_id AND s.run_id = t.run_id
                   AND s.workshop_id = t.workshop_id
            )""",
            actions=(
                Quarantine(
                    "its session does not exist",
                    when=f"NOT EXISTS (SELECT 1 FROM {SESSIONS} s WHERE s.id = t.session_id)",
                ),
                Report(
                    "its session has no valid run yet: repair session_run_workshop first",
                    when=f"""NOT EXISTS (
                        SELECT 1 FROM {SESSIONS} s JOIN workshops_workshoprun r
                            ON r.id = s.run_id AND r.workshop_id = s.workshop_id
                         WHERE s.id = t.session_id)""",
                ),
                Fix("run and workshop taken from the session", copy_run_and_workshop_from_session),
            ),
        ),
    ),
)

SESSION_CAPACITY = Invariant(
    name="session_capacity",
    description="seats taken never exceed capacity; seats taken equals the session's active seats",
    # Last: every repair that takes seats away (a quarantined order) comes first.
    order=1000,
    counts=frozenset({ITEMS}),
    checks=(
        Check(
            table=SESSIONS,
            condition=f"""((t.capacity IS NOT NULL AND t.seats_taken > t.capacity)
                OR t.seats_taken <> {ACTIVE_SEATS})""",
            actions=(
                Report(
                    "it has more active seats than its capacity; no one's seat is cancelled "
                    "to make room: staff decide",
                    when=f"(t.capacity IS NOT NULL AND {ACTIVE_SEATS} > t.capacity)",
                ),
                Fix("seats taken recounted from the active seats", recount_seats_taken),
            ),
        ),
    ),
)

# Who may sit in a seat: its buyer, or a child of its buyer (tutoring's family link,
# joined through the profiles, which name the users).
FAMILY_OF_BUYER = """EXISTS (
    SELECT 1 FROM tutoring_parentprofile_children l
      JOIN tutoring_parentprofile p ON p.id = l.parentprofile_id
      JOIN tutoring_studentprofile c ON c.id = l.studentprofile_id
     WHERE p.user_id = t.buyer_id AND c.user_id = t.attendee_id)"""

SEAT_ATTENDEE = Invariant(
    name="seat_attendee",
    description="an active seat is for its buyer or one of the buyer's children",
    order=35,
    checks=(
        Check(
            table=ITEMS,
            condition=f"""t.status = 'active' AND t.attendee_id <> t.buyer_id
                AND NOT {FAMILY_OF_BUYER}""",
            actions=(Quarantine("its attendee is neither its buyer nor a child of the buyer"),),
        ),
    ),
)

register(ORDER_ITEM_SESSION, SEAT_ATTENDEE, SESSION_CAPACITY)
