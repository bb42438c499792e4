"""Session requests now name profiles; the database holds them to it.

After 0003 every row names a tutor profile and its requester's profile, so the old
user-id columns go, ``tutor`` becomes the required foreign key to ``TutorProfile``,
and the rules of ``session_request_parties`` become constraints:

- ``request_requester_matches_type``: exactly the requester column that
  ``requester_type`` names is set;
- ``request_package_same_tutor_fk`` (PostgreSQL): ``(package_id, tutor_id)``
  references ``tutorpackage(id, tutor_id)``; deleting a package nulls only
  ``package_id`` (``ON DELETE SET NULL (package_id)``). Added ``NOT VALID`` here and
  validated in 0005, outside this migration's locks;
- answer time, decline reason, and one pending request per requester and tutor.

On PostgreSQL this migration scans nothing under its exclusive lock: ``tutor``'s
NOT NULL and the checks are added as ``NOT VALID`` checks, and the indexes are left
out; 0005 validates them and builds the indexes ``CONCURRENTLY``
(``core.migration_operations.PostgresqlSQL``; the state operations are Django's own,
so the schema is the same as before).

Reversible: going back restores the user ids from the profiles.
"""

import django.db.models.deletion
import django.db.models.functions.comparison
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from core.migration_operations import PostgresqlSQL

TABLE = "tutoring_sessionrequest"
TUTOR_NOT_NULL = "request_tutor_not_null"
# The checks as Django writes them; 0005 validates them.
CHECKS = {
    "request_requester_matches_type": (
        "(parent_id IS NULL AND requester_type = 'student' AND student_id IS NOT NULL) "
        "OR (parent_id IS NOT NULL AND requester_type = 'parent' AND student_id IS NULL)"
    ),
    "request_child_only_for_a_parent": "child_id IS NULL OR requester_type = 'parent'",
    "request_status_valid": (
        "status IN ('pending', 'accepted', 'rejected', 'cancelled', 'expired')"
    ),
    "request_responded_at_matches_status": (
        "(responded_at IS NOT NULL AND status IN ('accepted', 'rejected')) "
        "OR (NOT (status IN ('accepted', 'rejected')) AND responded_at IS NULL)"
    ),
    "request_rejection_has_reason": "NOT (status = 'rejected') OR NOT (decline_reason = '')",
}
# The indexes of 0004's state, built by 0005 on PostgreSQL.
INDEXES = {
    "request_tutor_panel_idx": f"INDEX request_tutor_panel_idx ON {TABLE} "
    "(tutor_id, status, created_at DESC)",
    "request_student_idx": f"INDEX request_student_idx ON {TABLE} (student_id, created_at DESC)",
    "request_parent_idx": f"INDEX request_parent_idx ON {TABLE} (parent_id, created_at DESC)",
    "request_one_pending_per_student": f"UNIQUE INDEX request_one_pending_per_student ON {TABLE} "
    "(tutor_id, student_id) WHERE (requester_type = 'student' AND status = 'pending')",
    "request_one_pending_per_parent_and_child": "UNIQUE INDEX "
    f"request_one_pending_per_parent_and_child ON {TABLE} "
    "(tutor_id, parent_id, (COALESCE(child_id, 0))) "
    "WHERE (requester_type = 'parent' AND status = 'pending')",
}

COMPOSITE_FK = """
ALTER TABLE tutoring_sessionrequest
    ADD CONSTRAINT request_package_same_tutor_fk
    FOREIGN KEY (package_id, tutor_id)
    REFERENCES tutoring_tutorpackage (id, tutor_id)
    ON DELETE SET NULL (package_id)
    DEFERRABLE INITIALLY IMMEDIATE
    NOT VALID;
"""
DROP_COMPOSITE_FK = (
    "ALTER TABLE tutoring_sessionrequest DROP CONSTRAINT IF EXISTS request_package_same_tutor_fk;"
)


def postgresql_only(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


def restore_user_ids(apps, schema_editor) -> None:
    """Going back: the old columns hold user ids again, read from the profiles."""
    db = schema_editor.connection.alias
    Request = apps.get_model("tutoring", "SessionRequest")
    rows = Request.objects.using(db)

    def user_of(model_name, column):
        model = apps.get_model("tutoring", model_name)
        return Subquery(model.objects.using(db).filter(pk=OuterRef(column)).values("user_id")[:1])

    rows.update(tutor_id=user_of("TutorProfile", "tutor_profile_id"))
    rows.filter(requester_type="student").update(
        requester_id=user_of("StudentProfile", "student_id")
    )
    rows.filter(requester_type="parent").update(requester_id=user_of("ParentProfile", "parent_id"))
    if schema_editor.connection.vendor == "postgresql":
        # Check the deferred foreign key now: the next step alters the table.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("tutoring", "0003_remap_request_parties"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="sessionrequest", name="legacy_request_tutor_idx"),
        migrations.RemoveIndex(model_name="sessionrequest", name="legacy_request_requester_idx"),
        # The old user-id columns: nullable first, so going back can re-add them empty.
        migrations.AlterField(
            model_name="sessionrequest",
            name="tutor",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="sessionrequest", name="requester_id", field=models.IntegerField(null=True)
        ),
        migrations.RunPython(migrations.RunPython.noop, restore_user_ids),
        migrations.RemoveField(model_name="sessionrequest", name="tutor"),
        migrations.RemoveField(model_name="sessionrequest", name="requester_id"),
        migrations.RenameField(
            model_name="sessionrequest", old_name="tutor_profile", new_name="tutor"
        ),
        PostgresqlSQL(
            [
                migrations.AlterField(
                    model_name="sessionrequest",
                    name="tutor",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="requests",
                        to="tutoring.tutorprofile",
                    ),
                ),
            ],
            # NOT NULL is proved by this check, validated in 0005 without the lock.
            forwards=[
                f"ALTER TABLE {TABLE} ADD CONSTRAINT {TUTOR_NOT_NULL} "
                "CHECK (tutor_id IS NOT NULL) NOT VALID"
            ],
            backwards=[f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {TUTOR_NOT_NULL}"],
        ),
        migrations.AlterModelOptions(
            name="sessionrequest",
            options={"ordering": ["-created_at", "-id"]},
        ),
        migrations.AlterField(
            model_name="sessionrequest",
            name="child",
            field=models.ForeignKey(
                blank=True,
                help_text="On a parent's request, the child it is for.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="requests_as_child",
                to="tutoring.studentprofile",
            ),
        ),
        migrations.AlterField(
            model_name="sessionrequest",
            name="contact_email",
            field=models.EmailField(blank=True, max_length=255),
        ),
        migrations.AlterField(
            model_name="sessionrequest",
            name="contact_phone",
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AlterField(
            model_name="sessionrequest",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AlterField(
            model_name="sessionrequest",
            name="decline_reason",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AlterField(
            model_name="sessionrequest",
            name="package",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="requests",
                to="tutoring.tutorpackage",
            ),
        ),
        migrations.AlterField(
            model_name="sessionrequest",
            name="package_name",
            field=models.CharField(
                blank=True,
                help_text="The package's name when the request was made.",
                max_length=255,
            ),
        ),
        migrations.AlterField(
            model_name="sessionrequest",
            name="parent",
            field=models.ForeignKey(
                blank=True,
                help_text="The requester, when a parent asks.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="requests",
                to="tutoring.parentprofile",
            ),
        ),
        migrations.AlterField(
            model_name="sessionrequest",
            name="requester_type",
            field=models.CharField(
                choices=[("student", "Student"), ("parent", "Parent")], max_length=20
            ),
        ),
        migrations.AlterField(
            model_name="sessionrequest",
            name="responded_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="sessionrequest",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("accepted", "Accepted"),
                    ("rejected", "Declined"),
                    ("cancelled", "Cancelled"),
                    ("expired", "Expired"),
                ],
                default="pending",
                editable=False,
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="sessionrequest",
            name="student",
            field=models.ForeignKey(
                blank=True,
                help_text="The requester, when a student asks.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="requests",
                to="tutoring.studentprofile",
            ),
        ),
        migrations.AlterField(
            model_name="sessionrequest",
            name="student_name",
            field=models.CharField(max_length=255),
        ),
        migrations.AlterField(
            model_name="sessionrequest",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        # On PostgreSQL the checks are added NOT VALID and the indexes are left to 0005,
        # which validates and builds them (CONCURRENTLY) without this migration's lock.
        PostgresqlSQL(
            [
                migrations.AddIndex(
                    model_name="sessionrequest",
                    index=models.Index(
                        fields=["tutor", "status", "-created_at"], name="request_tutor_panel_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="sessionrequest",
                    index=models.Index(
                        fields=["student", "-created_at"], name="request_student_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="sessionrequest",
                    index=models.Index(fields=["parent", "-created_at"], name="request_parent_idx"),
                ),
                migrations.AddConstraint(
                    model_name="sessionrequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("parent", None),
                                ("requester_type", "student"),
                                ("student__isnull", False),
                            ),
                            models.Q(
                                ("parent__isnull", False),
                                ("requester_type", "parent"),
                                ("student", None),
                            ),
                            _connector="OR",
                        ),
                        name="request_requester_matches_type",
                        violation_error_message="The requester must be a student profile for a student's request and a parent profile for a parent's.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="sessionrequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("child", None), ("requester_type", "parent"), _connector="OR"
                        ),
                        name="request_child_only_for_a_parent",
                        violation_error_message="Only a parent's request names a child.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="sessionrequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            (
                                "status__in",
                                ["pending", "accepted", "rejected", "cancelled", "expired"],
                            )
                        ),
                        name="request_status_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="sessionrequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("responded_at__isnull", False),
                                ("status__in", ("accepted", "rejected")),
                            ),
                            models.Q(
                                models.Q(("status__in", ("accepted", "rejected")), _negated=True),
                                ("responded_at", None),
                            ),
                            _connector="OR",
                        ),
                        name="request_responded_at_matches_status",
                        violation_error_message="A request has an answer time exactly when it was accepted or declined.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="sessionrequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "rejected"), _negated=True),
                            models.Q(("decline_reason", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="request_rejection_has_reason",
                        violation_error_message="A declined request needs a reason.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="sessionrequest",
                    constraint=models.UniqueConstraint(
                        fields=("tutor", "student"),
                        condition=models.Q(("requester_type", "student"), ("status", "pending")),
                        name="request_one_pending_per_student",
                        violation_error_message="You already have a pending request with this tutor.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="sessionrequest",
                    constraint=models.UniqueConstraint(
                        models.F("tutor"),
                        models.F("parent"),
                        django.db.models.functions.comparison.Coalesce(
                            models.F("child"), models.Value(0)
                        ),
                        condition=models.Q(("requester_type", "parent"), ("status", "pending")),
                        name="request_one_pending_per_parent_and_child",
                        violation_error_message="You already have a pending request with this tutor for this child.",
                    ),
                ),
            ],
            forwards=[
                f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} CHECK ({condition}) NOT VALID"
                for name, condition in CHECKS.items()
            ],
            backwards=[f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {name}" for name in CHECKS],
        ),
        migrations.RunPython(postgresql_only(COMPOSITE_FK), postgresql_only(DROP_COMPOSITE_FK)),
    ]
