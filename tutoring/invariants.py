"""The session requests' invariant, for the audit and the repair (docs/invariants.md).

``session_request_parties`` has no safe repair: who a request belonged to cannot be
guessed (the remapping of legacy user ids is the tutoring migration's alone), so a
row that breaks it is quarantined with the reason.
"""

from __future__ import annotations

from core.invariants import Check, Invariant, Quarantine, register

TUTOR_MISSING = "NOT EXISTS (SELECT 1 FROM tutoring_tutorprofile p WHERE p.id = t.tutor_id)"
REQUESTER_WRONG = """NOT (
    (t.requester_type = 'student' AND t.parent_id IS NULL
     AND EXISTS (SELECT 1 FROM tutoring_studentprofile p WHERE p.id = t.student_id))
    OR (t.requester_type = 'parent' AND t.student_id IS NULL
     AND EXISTS (SELECT 1 FROM tutoring_parentprofile p WHERE p.id = t.parent_id))
)"""
PACKAGE_WRONG = """(t.package_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM tutoring_tutorpackage k WHERE k.id = t.package_id AND k.tutor_id = t.tutor_id
))"""
# SQLite has no composite key from (parent, child) onto the family link: held here.
CHILD_NOT_THEIRS = """(t.child_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM tutoring_parentprofile_children f
     WHERE f.parentprofile_id = t.parent_id AND f.studentprofile_id = t.child_id
))"""

SESSION_REQUEST_PARTIES = Invariant(
    name="session_request_parties",
    description="tutor is a tutor profile; requester is a student profile when "
    "requester_type is student and a parent profile when parent, with a child of that "
    "parent; a package, if any, belongs to the same tutor",
    order=60,
    checks=(
        Check(
            table="tutoring_sessionrequest",
            condition=f"({TUTOR_MISSING} OR {REQUESTER_WRONG} OR {PACKAGE_WRONG} "
            f"OR {CHILD_NOT_THEIRS})",
            actions=(
                Quarantine("its tutor is not a tutor profile", when=TUTOR_MISSING),
                Quarantine(
                    "its requester is not the student or parent profile its requester_type names",
                    when=REQUESTER_WRONG,
                ),
                Quarantine(
                    "it names a child who is not a child of its parent", when=CHILD_NOT_THEIRS
                ),
                Quarantine("its package does not exist or belongs to another tutor"),
            ),
        ),
    ),
)

register(SESSION_REQUEST_PARTIES)
