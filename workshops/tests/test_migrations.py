"""The upgrade from a database made before runs existed (migrations 0002 -> 0005)."""

import datetime
import importlib

import pytest
from django.db import connection

from core.tests.migrating import apps_at, migrate, migrate_to_latest, past_state, upgraded_once
from workshops.models import WorkshopRun, WorkshopSession

BEFORE = [("workshops", "0002_runs")]
backfill = importlib.import_module("workshops.migrations.0003_backfill_default_runs")

D = datetime.date(2031, 5, 1)
NINE, TEN = datetime.time(9), datetime.time(10)


def day(n: int) -> datetime.date:
    return D + datetime.timedelta(days=n)


@pytest.fixture
def old_apps(transactional_db):
    with past_state(BEFORE) as apps:
        yield apps


def load_legacy_rows(apps):
    Workshop = apps.get_model("workshops", "Workshop")
    Run = apps.get_model("workshops", "WorkshopRun")
    Session = apps.get_model("workshops", "WorkshopSession")

    def session(workshop, date, run=None, number=None, start=NINE):
        return Session.objects.create(
            workshop=workshop,
            run=run,
            number=number,
            date=date,
            start_time=start,
            end_time=datetime.time(12),
            capacity=10,
        ).pk

    calligraphy = Workshop.objects.create(title="Calligraphy", title_ar="الخط", slug="calligraphy")
    python = Workshop.objects.create(title="Python", slug="python")
    robotics = Workshop.objects.create(title="Robotics", slug="robotics")
    spring = Run.objects.create(
        workshop=calligraphy, name="Spring", start_date=day(0), end_date=day(1)
    )
    robotics_default = Run.objects.create(
        workshop=robotics,
        name="Existing default",
        is_default=True,
        start_date=day(3),
        end_date=day(3),
    )
    return {
        "workshops": (calligraphy, python, robotics),
        "spring": spring.pk,
        "robotics_default": robotics_default.pk,
        # No run at all: two for calligraphy (out of date order), one for robotics.
        "no_run": [
            session(calligraphy, day(20), start=TEN),
            session(calligraphy, day(10)),
            session(robotics, day(9)),
        ],
        # A run of another workshop: python's session points at calligraphy's run.
        "foreign_run": session(python, day(7), run=spring, number=1),
        # A valid run whose dates no longer cover its session, and an unnumbered one.
        "spring_sessions": [
            session(calligraphy, day(0), run=spring, number=1),
            session(calligraphy, day(5), run=spring),
        ],
    }


def legacy_rows_and_their_ids(apps) -> dict:
    rows = load_legacy_rows(apps)
    Session = apps.get_model("workshops", "WorkshopSession")
    rows["before"] = set(Session.objects.values_list("pk", flat=True))
    return rows


@pytest.fixture(scope="class")
def upgrade(django_db_setup, django_db_blocker):
    with upgraded_once(django_db_blocker, BEFORE, legacy_rows_and_their_ids) as done:
        yield done


@pytest.mark.usefixtures("db")
class TestOneUpgradeOfSessionsWithoutRuns:
    def test_legacy_sessions_each_get_a_run_of_their_own_workshop(self, upgrade):
        rows, before = upgrade.rows, upgrade.rows["before"]

        # Nothing lost, and every session now has a run of its own workshop.
        assert set(WorkshopSession.objects.values_list("pk", flat=True)) == before
        assert WorkshopSession.objects.with_valid_run().count() == len(before)

        calligraphy, python, robotics = rows["workshops"]
        default = WorkshopRun.objects.get(workshop_id=calligraphy.pk, is_default=True)
        assert default.name == "Default run – Calligraphy"
        assert default.name_ar == "الدورة الافتراضية – الخط"
        assert (default.start_date, default.end_date) == (day(10), day(20))
        orphans = WorkshopSession.objects.filter(pk__in=rows["no_run"][:2]).order_by("number")
        assert [(s.run_id, s.number, s.date) for s in orphans] == [
            (default.pk, 1, day(10)),
            (default.pk, 2, day(20)),
        ]

        python_default = WorkshopRun.objects.get(workshop_id=python.pk, is_default=True)
        assert python_default.name_ar == "الدورة الافتراضية – Python"
        moved = WorkshopSession.objects.get(pk=rows["foreign_run"])
        assert (moved.run_id, moved.number) == (python_default.pk, 1)

        # A workshop that already had a default run keeps it; no second one is made.
        assert WorkshopRun.objects.filter(workshop_id=robotics.pk).count() == 1
        assert WorkshopSession.objects.get(pk=rows["no_run"][2]).run_id == rows["robotics_default"]
        robotics_default = WorkshopRun.objects.get(pk=rows["robotics_default"])
        assert (robotics_default.start_date, robotics_default.end_date) == (day(3), day(9))

        # run_dates: the valid run widened to cover its sessions; the unnumbered one numbered.
        spring = WorkshopRun.objects.get(pk=rows["spring"])
        assert (spring.start_date, spring.end_date) == (day(0), day(5))
        assert list(spring.sessions.order_by("number").values_list("number", "date")) == [
            (1, day(0)),
            (2, day(5)),
        ]

    def test_the_repair_is_safe_to_run_again(self, upgrade):
        snapshot = list(
            WorkshopSession.objects.order_by("pk").values_list("pk", "run_id", "number", "date")
        )
        runs = list(WorkshopRun.objects.order_by("pk").values_list("pk", "start_date", "end_date"))

        class Editor:
            connection = connection

        from django.apps import apps

        backfill.forwards(apps, Editor())

        assert (
            list(
                WorkshopSession.objects.order_by("pk").values_list("pk", "run_id", "number", "date")
            )
            == snapshot
        )
        assert (
            list(WorkshopRun.objects.order_by("pk").values_list("pk", "start_date", "end_date"))
            == runs
        )

    @pytest.mark.postgres
    def test_the_upgrade_leaves_valid_constraints_and_no_helper_checks(self, upgrade):
        """0004 builds the sessions' keys concurrently and proves NOT NULL through checks it
        then drops: what remains is what Django's own operations would have made."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, contype, convalidated FROM pg_constraint "
                "WHERE conrelid = 'workshops_workshopsession'::regclass "
                "AND conname IN ('session_number_unique_per_run', 'session_id_run_key', "
                "'session_number_positive', 'session_run_id_not_null', 'session_number_not_null') "
                "ORDER BY conname"
            )
            assert cursor.fetchall() == [
                ("session_id_run_key", "u", True),
                ("session_number_positive", "c", True),
                ("session_number_unique_per_run", "u", True),
            ]
            cursor.execute(
                "SELECT attname, attnotnull FROM pg_attribute WHERE attrelid = "
                "'workshops_workshopsession'::regclass AND attname IN ('run_id', 'number') "
                "ORDER BY attname"
            )
            assert cursor.fetchall() == [("number", True), ("run_id", True)]
            cursor.execute(
                "SELECT count(*) FROM pg_index WHERE indrelid = "
                "'workshops_workshopsession'::regclass AND NOT indisvalid"
            )
            assert cursor.fetchone() == (0,)


def test_upgrading_an_empty_database_is_a_no_op(old_apps):
    migrate_to_latest()
    assert WorkshopRun.objects.count() == 0


def test_the_upgrade_can_be_reversed_to_the_schema_before_runs(old_apps):
    load_legacy_rows(old_apps)
    before = sorted(
        old_apps.get_model("workshops", "WorkshopSession").objects.values_list(
            "pk", "workshop_id", "date"
        )
    )
    migrate_to_latest()

    migrate([("workshops", "0001_initial")])
    pre_runs = apps_at([("workshops", "0001_initial")])
    Session = pre_runs.get_model("workshops", "WorkshopSession")
    # Every session is still there, in the shape it had before runs existed.
    assert sorted(Session.objects.values_list("pk", "workshop_id", "date")) == before
    assert "run" not in {field.name for field in Session._meta.get_fields()}

    migrate_to_latest()
    assert WorkshopSession.objects.with_valid_run().count() == len(before)


@pytest.mark.postgres
def test_host_link_constraints_keep_their_names_when_migrated_back_and_forth(transactional_db):
    migrate([("workshops", "0008_hostsession")])
    migrate_to_latest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, condeferred FROM pg_constraint "
            "WHERE conrelid = 'workshops_hostsession'::regclass AND conname LIKE 'host_session_%%' "
            "ORDER BY conname"
        )
        assert cursor.fetchall() == [
            ("host_session_one_per_session", False),
            ("host_session_session_fk", False),
            ("host_session_token_format", False),
            ("host_session_token_unique", False),
        ]


def test_workshops_made_before_the_search_become_searchable(transactional_db):
    """0016 fills the search text of every workshop that existed before (batched; more
    than one batch here), and running it again changes nothing."""
    fill = importlib.import_module("workshops.migrations.0016_fill_search_document")
    before = [("workshops", "0015_store_search_and_categories")]
    migrate(before)
    old_apps = apps_at(before)
    Workshop = old_apps.get_model("workshops", "Workshop")
    Workshop.objects.bulk_create(
        Workshop(title=f"Calligraphy {n}", title_ar="الخطّ العربي", slug=f"c-{n}")
        for n in range(fill.BATCH_SIZE + 3)
    )
    assert Workshop.objects.filter(search_document="").count() == fill.BATCH_SIZE + 3
    migrate_to_latest()
    from workshops.models import Workshop as Current

    documents = set(Current.objects.values_list("search_document", flat=True))
    assert len(documents) == fill.BATCH_SIZE + 3
    assert all(" خط " in f" {document} " for document in documents)
    with connection.schema_editor() as editor:
        fill.fill(apps_at([], latest_of=["workshops"]), editor)
    assert set(Current.objects.values_list("search_document", flat=True)) == documents


@pytest.mark.postgres
def test_the_search_index_comes_and_goes_with_its_migration(transactional_db):
    def has_index() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'workshop_search_idx'")
            return cursor.fetchone() is not None

    assert has_index()
    migrate([("workshops", "0014_workshop_description_ar")])
    assert not has_index()
    migrate_to_latest()
    assert has_index()


def test_sessions_are_numbered_in_date_order_across_batches(old_apps, monkeypatch):
    """Batches of runs never split a run: its new numbers follow its sessions' dates."""
    rows = load_legacy_rows(old_apps)
    monkeypatch.setattr(backfill, "BATCH_SIZE", 1)
    migrate_to_latest()
    calligraphy = rows["workshops"][0]
    default = WorkshopRun.objects.get(workshop_id=calligraphy.pk, is_default=True)
    assert list(default.sessions.order_by("number").values_list("number", "date")) == [
        (1, day(10)),
        (2, day(20)),
    ]
