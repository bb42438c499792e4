"""Point session requests at profiles, not users (``session_request_parties``).

The old table kept ``tutor_id`` and ``requester_id`` as user ids. Each row gets:

- ``tutor_profile``: the tutor profile of the user in ``tutor_id``;
- ``student`` or ``parent``: the profile, of the kind ``requester_type`` names, of
  the user in ``requester_id``.

A row that cannot be mapped (no such user, a user without the matching profile,
an unknown ``requester_type`` or status, a package of another tutor) is copied to
``integrity.QuarantinedRow`` with its original values and the reason, then taken
out of the live table. Nothing is simply deleted.

The new rules are then made true on the rows that stay: an answered request gets
its answer time (the row's last update), a pending one loses a stray answer time, a
declined one without a reason says none was recorded, the package name is kept as a
snapshot, and when a requester has several pending requests to one tutor the newer
one stays pending and the older ones are marked expired.

Batched by id range, each batch in its own transactions (``atomic = False``), so a
large table is never locked for long; safe to re-run (a second pass finds nothing
to do). Each transaction updates a row at most once: PostgreSQL checks a row's
foreign keys again when the transaction that already updated it updates it a second
time, and a restored dump (foreign-key checks off) may hold a ``tutor_id`` or
``requester_id`` of a user who is gone. Such a row is quarantined with its reason,
like any other row that cannot be mapped, and the upgrade goes on. The reverse is a no-op: the old columns are untouched until 0004, and the
quarantine keeps every row it took.
"""

from django.db import migrations, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce

BATCH_SIZE = 5000
TABLE = "tutoring_sessionrequest"
# The old statuses, and those this upgrade itself writes (so a second pass keeps them).
KNOWN_STATUSES = ("pending", "accepted", "rejected", "cancelled", "expired")
# The old table's columns, kept as they were in a quarantined row's data.
LEGACY_COLUMNS = (
    "id",
    "tutor_id",
    "requester_id",
    "requester_type",
    "package_id",
    "package_name",
    "status",
    "message",
    "student_name",
    "student_grade",
    "preferred_schedule",
    "contact_phone",
    "contact_email",
    "created_at",
    "updated_at",
    "responded_at",
)
NO_REASON = "No reason was recorded."


def id_ranges(queryset, size=None):
    size = size or BATCH_SIZE
    bounds = queryset.aggregate(first=Min("pk"), last=Max("pk"))
    if bounds["first"] is None:
        return
    for start in range(bounds["first"], bounds["last"] + 1, size):
        yield start, start + size


class Upgrade:
    def __init__(self, apps, db):
        self.db = db
        self.User = apps.get_model("auth", "User")
        self.Request = apps.get_model("tutoring", "SessionRequest")
        self.Tutor = apps.get_model("tutoring", "TutorProfile")
        self.Student = apps.get_model("tutoring", "StudentProfile")
        self.Parent = apps.get_model("tutoring", "ParentProfile")
        self.Package = apps.get_model("tutoring", "TutorPackage")
        self.Quarantine = apps.get_model("integrity", "QuarantinedRow")
        self.remapped = 0
        self.quarantined = 0
        self.superseded = 0

    def rows(self):
        return self.Request.objects.using(self.db)

    def profile_of(self, model, user_column):
        return Subquery(
            model.objects.using(self.db).filter(user_id=OuterRef(user_column)).values("pk")[:1]
        )

    def unmapped(self):
        return self.rows().filter(
            Q(tutor_profile__isnull=True) | Q(student__isnull=True, parent__isnull=True)
        )

    def remap(self, start, stop) -> list[int]:
        """Map this id range's user ids to profiles, one UPDATE for each row; returns
        the ids mapped now."""
        waiting = list(
            self.unmapped().filter(pk__gte=start, pk__lt=stop).values_list("pk", flat=True)
        )
        self.rows().filter(pk__in=waiting).update(
            tutor_profile_id=Coalesce(
                F("tutor_profile_id"), self.profile_of(self.Tutor, "tutor_id")
            ),
            student_id=Case(
                When(
                    requester_type="student",
                    student__isnull=True,
                    then=self.profile_of(self.Student, "requester_id"),
                ),
                default=F("student_id"),
            ),
            parent_id=Case(
                When(
                    requester_type="parent",
                    parent__isnull=True,
                    then=self.profile_of(self.Parent, "requester_id"),
                ),
                default=F("parent_id"),
            ),
        )
        still_waiting = set(self.unmapped().filter(pk__in=waiting).values_list("pk", flat=True))
        return [pk for pk in waiting if pk not in still_waiting]

    def unmappable(self, start, stop):
        """(reason, queryset) for each kind of row that cannot stay, in this id range."""
        batch = self.rows().filter(pk__gte=start, pk__lt=stop)
        user_exists = Exists(self.User.objects.using(self.db).filter(pk=OuterRef("requester_id")))
        package_exists = Exists(
            self.Package.objects.using(self.db).filter(pk=OuterRef("package_id"))
        )
        package_elsewhere = Exists(
            self.Package.objects.using(self.db)
            .filter(pk=OuterRef("package_id"))
            .exclude(tutor_id=OuterRef("tutor_profile_id"))
        )
        return [
            (
                "requester_type {requester_type!r} is neither 'student' nor 'parent'",
                batch.exclude(requester_type__in=("student", "parent")),
            ),
            ("status {status!r} is not a known status", batch.exclude(status__in=KNOWN_STATUSES)),
            (
                "tutor_id {tutor_id} is a user without a tutor profile",
                batch.filter(tutor_profile__isnull=True),
            ),
            (
                "requester_id {requester_id} is no user",
                batch.filter(requester_type__in=("student", "parent"))
                .filter(student__isnull=True, parent__isnull=True)
                .filter(~user_exists),
            ),
            (
                "requester_id {requester_id} is a user without a {requester_type} profile",
                batch.filter(requester_type__in=("student", "parent"))
                .filter(student__isnull=True, parent__isnull=True)
                .filter(user_exists),
            ),
            (
                "package_id {package_id} is no package",
                batch.filter(package_id__isnull=False).filter(~package_exists),
            ),
            (
                "package_id {package_id} belongs to another tutor",
                batch.filter(tutor_profile__isnull=False, package__isnull=False).filter(
                    package_elsewhere
                ),
            ),
        ]

    def quarantine(self, start, stop):
        for reason, queryset in self.unmappable(start, stop):
            rows = list(queryset.values(*LEGACY_COLUMNS))
            if not rows:
                continue
            with transaction.atomic(using=self.db):
                self.Quarantine.objects.using(self.db).bulk_create(
                    self.Quarantine(
                        source_table=TABLE,
                        source_pk=str(row["id"]),
                        data=row,
                        reason=f"tutoring 0003: {reason.format(**row)}",
                    )
                    for row in rows
                )
                self.rows().filter(pk__in=[row["id"] for row in rows]).delete()
            self.quarantined += len(rows)

    def make_rules_true(self, start, stop):
        """Every rule of the rows that stay, in one UPDATE for each row."""
        answered = Q(status__in=("accepted", "rejected"))
        no_answer_time = answered & Q(responded_at__isnull=True)
        stray_answer_time = ~answered & Q(responded_at__isnull=False)
        no_reason = Q(status="rejected", decline_reason="")
        no_package_name = Q(package__isnull=False, package_name="")
        self.rows().filter(pk__gte=start, pk__lt=stop).filter(
            no_answer_time | stray_answer_time | no_reason | no_package_name
        ).update(
            responded_at=Case(
                When(no_answer_time, then=F("updated_at")),
                When(stray_answer_time, then=Value(None)),
                default=F("responded_at"),
                output_field=DateTimeField(),
            ),
            decline_reason=Case(
                When(no_reason, then=Value(NO_REASON)),
                default=F("decline_reason"),
                output_field=TextField(),
            ),
            package_name=Case(
                When(
                    no_package_name,
                    then=Subquery(
                        self.Package.objects.using(self.db)
                        .filter(pk=OuterRef("package_id"))
                        .values("name")[:1]
                    ),
                ),
                default=F("package_name"),
                output_field=CharField(),
            ),
        )

    def expire_superseded(self):
        """Older pending duplicates of one requester to one tutor are marked expired."""
        for requester in ("student", "parent"):
            groups = (
                self.rows()
                .filter(status="pending", requester_type=requester)
                .values("tutor_profile_id", f"{requester}_id")
                .annotate(n=Count("id"), newest=Max("id"))
                .filter(n__gt=1)
                .order_by()
            )
            for group in list(groups):
                self.superseded += (
                    self.rows()
                    .filter(
                        status="pending",
                        requester_type=requester,
                        tutor_profile_id=group["tutor_profile_id"],
                        **{f"{requester}_id": group[f"{requester}_id"]},
                    )
                    .exclude(pk=group["newest"])
                    .update(status="expired")
                )

    def run(self) -> None:
        for start, stop in id_ranges(self.rows()):
            with transaction.atomic(using=self.db):
                mapped = self.remap(start, stop)
            self.quarantine(start, stop)
            # Rows mapped now and still here: those a later check quarantined
            # (an unknown status, another tutor's package) are counted there.
            self.remapped += self.rows().filter(pk__in=mapped).count()
            with transaction.atomic(using=self.db):
                self.make_rules_true(start, stop)
        with transaction.atomic(using=self.db):
            self.expire_superseded()


def forwards(apps, schema_editor):
    upgrade = Upgrade(apps, schema_editor.connection.alias)
    upgrade.run()
    if upgrade.remapped or upgrade.quarantined or upgrade.superseded:
        print(
            f"\n  tutoring 0003: {upgrade.remapped} session request(s) remapped to profiles, "
            f"{upgrade.quarantined} quarantined, {upgrade.superseded} older pending "
            "duplicate(s) marked expired"
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tutoring", "0002_request_parties"),
        ("integrity", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
