"""The upgrade from the old session-request table, which held user ids (0001 -> 0005).

Every old row is either remapped to profiles or quarantined with its original values
and the reason; the totals add up and nothing is lost.
"""

import datetime
import importlib

import pytest
from django.db import connection
from django.utils import timezone

from core.tests.migrating import apps_at, migrate, migrate_to_latest, past_state, upgraded_once
from integrity.models import QuarantinedRow
from tutoring.models import SessionRequest

LEGACY = [("tutoring", "0001_initial"), ("integrity", "0001_initial")]
REMAPPED = [("tutoring", "0003_remap_request_parties")]
remap = importlib.import_module("tutoring.migrations.0003_remap_request_parties")

T0 = timezone.make_aware(datetime.datetime(2031, 5, 1, 9, 0))


def at(hours: int) -> datetime.datetime:
    return T0 + datetime.timedelta(hours=hours)


@pytest.fixture
def legacy_apps(transactional_db):
    with past_state(LEGACY) as apps:
        yield apps


def load_legacy_rows(apps) -> dict:
    User = apps.get_model("auth", "User")
    Tutor = apps.get_model("tutoring", "TutorProfile")
    Student = apps.get_model("tutoring", "StudentProfile")
    Parent = apps.get_model("tutoring", "ParentProfile")
    Package = apps.get_model("tutoring", "TutorPackage")
    Request = apps.get_model("tutoring", "SessionRequest")

    def user(name):
        return User.objects.create(username=name, first_name=name.title())

    hana, samir, ghost_tutor = user("hana"), user("samir"), user("ghost")
    amira, omar, mariam, plain = user("amira"), user("omar"), user("mariam"), user("plain")
    hana_profile = Tutor.objects.create(user=hana, headline="Maths", subjects="Maths")
    samir_profile = Tutor.objects.create(user=samir, headline="Arabic", subjects="Arabic")
    amira_profile = Student.objects.create(user=amira, grade="11")
    omar_profile = Student.objects.create(user=omar, grade="9")
    mariam_profile = Parent.objects.create(user=mariam)
    hanas = Package.objects.create(tutor=hana_profile, name="Exam sprint", price=55)
    samirs = Package.objects.create(tutor=samir_profile, name="Saturdays", price=40)

    def request(tutor, requester, kind="student", hours=0, **extra):
        return Request.objects.create(
            tutor=tutor,
            requester_id=requester if isinstance(requester, int) else requester.pk,
            requester_type=kind,
            student_name="Someone",
            created_at=at(hours),
            updated_at=at(hours + 1),
            **extra,
        ).pk

    return {
        "users": {"hana": hana, "samir": samir, "amira": amira, "mariam": mariam},
        "profiles": {
            "hana": hana_profile.pk,
            "samir": samir_profile.pk,
            "amira": amira_profile.pk,
            "omar": omar_profile.pk,
            "mariam": mariam_profile.pk,
        },
        "packages": {"hanas": hanas.pk, "samirs": samirs.pk},
        "mapped": {
            "student": request(hana, amira, package=hanas, hours=1),
            "parent_accepted": request(samir, mariam, kind="parent", status="accepted"),
            "rejected_without_reason": request(hana, omar, status="rejected", hours=2),
            "pending_with_answer_time": request(samir, omar, responded_at=at(3)),
            "older_duplicate": request(samir, amira, hours=4),
            "newer_duplicate": request(samir, amira, hours=5),
        },
        "quarantined": {
            "tutor without profile": request(ghost_tutor, amira),
            "no such user": request(hana, 987654),
            "user without the profile": request(hana, plain),
            "parent who is not a parent": request(hana, amira, kind="parent", hours=6),
            "unknown type": request(hana, amira, kind="teacher"),
            "unknown status": request(hana, omar, status="archived"),
            "package of another tutor": request(hana, omar, package=samirs, hours=7),
        },
    }


REASONS = {
    "tutor without profile": "tutor_id {ghost} is a user without a tutor profile",
    "no such user": "requester_id 987654 is no user",
    "user without the profile": "requester_id {plain} is a user without a student profile",
    "parent who is not a parent": "requester_id {amira} is a user without a parent profile",
    "unknown type": "requester_type 'teacher' is neither 'student' nor 'parent'",
    "unknown status": "status 'archived' is not a known status",
    "package of another tutor": "package_id {samirs} belongs to another tutor",
}


def legacy_rows_with_their_users(apps) -> dict:
    rows = load_legacy_rows(apps)
    Request = apps.get_model("tutoring", "SessionRequest")
    rows["before"] = set(Request.objects.values_list("pk", flat=True))
    rows["user_ids"] = {u.username: u.pk for u in apps.get_model("auth", "User").objects.all()}
    return rows


@pytest.fixture(scope="class")
def upgrade(django_db_setup, django_db_blocker):
    with upgraded_once(django_db_blocker, LEGACY, legacy_rows_with_their_users) as done:
        yield done


@pytest.mark.usefixtures("db")
class TestOneUpgradeOfTheLegacyRows:
    def test_every_old_row_is_remapped_or_quarantined_and_none_is_lost(self, upgrade):
        rows, before, user_ids = upgrade.rows, upgrade.rows["before"], upgrade.rows["user_ids"]
        live = set(SessionRequest.objects.values_list("pk", flat=True))
        held = QuarantinedRow.objects.filter(source_table="tutoring_sessionrequest")
        quarantined = {int(pk) for pk in held.values_list("source_pk", flat=True)}
        assert live | quarantined == before
        assert not live & quarantined
        assert live == set(rows["mapped"].values())
        assert "6 session request(s) remapped to profiles, 7 quarantined" in upgrade.output

        names = {**user_ids, "samirs": rows["packages"]["samirs"]}
        for case, pk in rows["quarantined"].items():
            row = held.get(source_pk=str(pk))
            assert row.reason == f"tutoring 0003: {REASONS[case].format(**names)}", case
            assert row.data["id"] == pk and row.restored_at is None
        kept = held.get(source_pk=str(rows["quarantined"]["no such user"]))
        assert (kept.data["tutor_id"], kept.data["requester_id"]) == (user_ids["hana"], 987654)

    def test_remapped_rows_point_at_profiles_and_keep_every_rule(self, upgrade):
        rows = upgrade.rows
        profiles, mapped = rows["profiles"], rows["mapped"]

        def get(name):
            return SessionRequest.objects.get(pk=mapped[name])

        student = get("student")
        assert (student.tutor_id, student.student_id, student.parent_id) == (
            profiles["hana"],
            profiles["amira"],
            None,
        )
        assert (student.package_id, student.package_name) == (
            rows["packages"]["hanas"],
            "Exam sprint",
        )
        parent = get("parent_accepted")
        assert (parent.tutor_id, parent.parent_id, parent.student_id) == (
            profiles["samir"],
            profiles["mariam"],
            None,
        )
        assert parent.responded_at == at(1)  # the row's last update
        assert get("rejected_without_reason").decline_reason == "No reason was recorded."
        assert get("pending_with_answer_time").responded_at is None
        assert (get("older_duplicate").status, get("newer_duplicate").status) == (
            "expired",
            "pending",
        )
        for request in SessionRequest.objects.all():
            request.full_clean()

    @pytest.mark.postgres
    def test_every_constraint_is_validated_and_every_index_built(self, upgrade):
        """0004 adds its checks NOT VALID and leaves its indexes to 0005, which validates
        and builds them without the table's lock: afterwards the table is as Django would
        make it."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = "
                "'tutoring_sessionrequest'::regclass AND NOT convalidated"
            )
            assert cursor.fetchall() == []
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = "
                "'tutoring_sessionrequest'::regclass AND conname = 'request_tutor_not_null'"
            )
            assert cursor.fetchall() == []
            cursor.execute(
                "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = "
                "i.indexrelid WHERE i.indrelid = 'tutoring_sessionrequest'::regclass "
                "AND c.relname LIKE 'request_%%' ORDER BY c.relname"
            )
            assert cursor.fetchall() == [
                ("request_one_pending_per_parent_and_child", True),
                ("request_one_pending_per_student", True),
                ("request_parent_idx", True),
                ("request_student_idx", True),
                ("request_tutor_panel_idx", True),
            ]
            cursor.execute(
                "SELECT attnotnull FROM pg_attribute WHERE attrelid = "
                "'tutoring_sessionrequest'::regclass AND attname = 'tutor_id'"
            )
            assert cursor.fetchone() == (True,)


def test_the_remap_is_safe_to_run_again(legacy_apps):
    load_legacy_rows(legacy_apps)
    migrate(REMAPPED)
    apps = apps_at(REMAPPED)
    Request = apps.get_model("tutoring", "SessionRequest")
    columns = ("pk", "tutor_profile_id", "student_id", "parent_id", "status", "responded_at")
    snapshot = list(Request.objects.order_by("pk").values_list(*columns))
    held = QuarantinedRow.objects.count()

    class Editor:
        connection = connection

    remap.forwards(apps, Editor())

    assert list(Request.objects.order_by("pk").values_list(*columns)) == snapshot
    assert QuarantinedRow.objects.count() == held


def test_going_back_restores_the_user_ids(legacy_apps):
    rows = load_legacy_rows(legacy_apps)
    migrate_to_latest()
    migrate(LEGACY)
    Request = apps_at(LEGACY).get_model("tutoring", "SessionRequest")
    users = rows["users"]
    student = Request.objects.get(pk=rows["mapped"]["student"])
    assert (student.tutor_id, student.requester_id) == (users["hana"].pk, users["amira"].pk)
    parent = Request.objects.get(pk=rows["mapped"]["parent_accepted"])
    assert (parent.tutor_id, parent.requester_id) == (users["samir"].pk, users["mariam"].pk)


def test_upgrading_an_empty_table_prints_nothing(legacy_apps, capsys):
    migrate_to_latest()
    assert "tutoring 0003" not in capsys.readouterr().out


def test_small_batches_give_the_same_result(legacy_apps, monkeypatch, capsys):
    """Batches of two rows: every id range, and rows quarantined in one batch while
    others are remapped in the next, still add up."""
    rows = load_legacy_rows(legacy_apps)
    monkeypatch.setattr(remap, "BATCH_SIZE", 2)
    migrate_to_latest()
    assert set(SessionRequest.objects.values_list("pk", flat=True)) == set(rows["mapped"].values())
    assert QuarantinedRow.objects.count() == len(rows["quarantined"])
    assert "6 session request(s) remapped to profiles, 7 quarantined" in capsys.readouterr().out


BEFORE_ARABIC_NAMES = [("tutoring", "0007_prices_in_the_site_currency")]


@pytest.fixture
def apps_before_arabic_names(transactional_db):
    with past_state(BEFORE_ARABIC_NAMES) as apps:
        yield apps


def test_requests_take_their_packages_arabic_name_unless_it_was_renamed(
    apps_before_arabic_names,
):
    apps = apps_before_arabic_names
    User = apps.get_model("auth", "User")
    tutor = apps.get_model("tutoring", "TutorProfile").objects.create(
        user=User.objects.create(username="hana"), headline="Maths", subjects="Maths"
    )
    student = apps.get_model("tutoring", "StudentProfile").objects.create(
        user=User.objects.create(username="amira")
    )
    package = apps.get_model("tutoring", "TutorPackage").objects.create(
        tutor=tutor, name="Exam sprint", name_ar="سباق الامتحانات", sessions_count=4
    )
    Request = apps.get_model("tutoring", "SessionRequest")

    def request(name, status):
        return Request.objects.create(
            tutor=tutor,
            requester_type="student",
            student=student,
            package=package,
            package_name=name,
            status=status,
            student_name="Amira",
            created_at=T0,
        ).pk

    kept, renamed = request("Exam sprint", "pending"), request("Old sprint", "cancelled")

    migrate_to_latest()

    names = dict(SessionRequest.objects.values_list("pk", "package_name_ar"))
    assert names == {kept: "سباق الامتحانات", renamed: ""}
    assert SessionRequest.objects.get(pk=renamed).package_name == "Old sprint"


def restore_without_foreign_key_checks(sql: str, params: list) -> None:
    """Write a row as a restored dump holds it: the database's key checks off
    (``pg_restore --disable-triggers``; SQLite with foreign keys off)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            try:
                cursor.execute(sql, params)
            finally:
                cursor.execute("SET session_replication_role = origin")
    else:
        with connection.constraint_checks_disabled(), connection.cursor() as cursor:
            cursor.execute(sql, params)


@pytest.mark.postgres  # SQLite's schema editor refuses to migrate any table past an orphan
def test_a_restored_dump_whose_users_are_gone_upgrades_and_quarantines_them(legacy_apps, capsys):
    """Rows whose tutor or requester user no longer exists, in the same batch as rows
    that map: the upgrade finishes, the orphans are quarantined with their reasons."""
    rows = load_legacy_rows(legacy_apps)
    orphans = {
        "tutor": rows["mapped"]["student"],
        "requester": rows["mapped"]["rejected_without_reason"],
    }
    restore_without_foreign_key_checks(
        "UPDATE tutoring_sessionrequest SET tutor_id = %s WHERE id = %s",
        [999998, orphans["tutor"]],
    )
    restore_without_foreign_key_checks(
        "UPDATE tutoring_sessionrequest SET requester_id = %s WHERE id = %s",
        [999997, orphans["requester"]],
    )

    migrate_to_latest()

    held = QuarantinedRow.objects.filter(source_table="tutoring_sessionrequest")
    tutor_gone = held.get(source_pk=str(orphans["tutor"]))
    assert tutor_gone.reason == "tutoring 0003: tutor_id 999998 is a user without a tutor profile"
    assert tutor_gone.data["tutor_id"] == 999998
    requester_gone = held.get(source_pk=str(orphans["requester"]))
    assert requester_gone.reason == "tutoring 0003: requester_id 999997 is no user"
    live = set(SessionRequest.objects.values_list("pk", flat=True))
    assert live == set(rows["mapped"].values()) - set(orphans.values())
    assert "4 session request(s) remapped to profiles, 9 quarantined" in capsys.readouterr().out


BEFORE_FAMILY_KEY = [("tutoring", "0008_request_package_name_ar")]


@pytest.fixture
def apps_before_family_key(transactional_db):
    with past_state(BEFORE_FAMILY_KEY) as apps:
        yield apps


def test_links_survive_and_requests_let_go_of_unlinked_children(apps_before_family_key, capsys):
    apps = apps_before_family_key
    User = apps.get_model("auth", "User")
    Tutor = apps.get_model("tutoring", "TutorProfile")
    Student = apps.get_model("tutoring", "StudentProfile")
    Parent = apps.get_model("tutoring", "ParentProfile")
    Request = apps.get_model("tutoring", "SessionRequest")
    tutor = Tutor.objects.create(
        user=User.objects.create(username="hana"), headline="Maths", subjects="Maths"
    )
    mariam = Parent.objects.create(user=User.objects.create(username="mariam"))
    layla = Student.objects.create(user=User.objects.create(username="layla"))
    zaid = Student.objects.create(user=User.objects.create(username="zaid"))
    mariam.children.add(layla)  # zaid was linked once and unlinked since

    def request(child, status):
        return Request.objects.create(
            tutor=tutor,
            requester_type="parent",
            parent=mariam,
            child=child,
            status=status,
            student_name=child.user.username.title(),
            created_at=T0,
            responded_at=T0 if status == "accepted" else None,
        ).pk

    kept = request(layla, "pending")
    let_go = request(zaid, "accepted")

    migrate_to_latest()

    from tutoring.models import FamilyLink

    assert list(FamilyLink.objects.values_list("parent_id", "child_id")) == [(mariam.pk, layla.pk)]
    stored = {r.pk: (r.child_id, r.student_name) for r in SessionRequest.objects.all()}
    assert stored == {kept: (layla.pk, "Layla"), let_go: (None, "Zaid")}
    assert "1 request(s) no longer name a child who was unlinked" in capsys.readouterr().out
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT convalidated FROM pg_constraint "
                "WHERE conname = 'request_child_of_parent_fk'"
            )
            assert cursor.fetchone() == (True,)
