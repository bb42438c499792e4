"""Give every session a run of its own workshop (invariant ``session_run_workshop``).

A session with no run, or with a run of another workshop (or a run id that points
nowhere, as restored dumps may hold), moves to the default run of its own workshop:
one per workshop, created when missing, its dates spanning the sessions it holds.
Every run's dates are then widened to cover its sessions (``run_dates``), run names
are made unique per workshop, and sessions without a number, or whose number
repeats within their run, are numbered after the run's highest number, in date order.

Set-based per workshop and per run, so it is safe on large tables; safe to re-run
(a second pass finds nothing to do). Nothing is deleted. The reverse is a no-op: the
old links were wrong, and going back to the previous schema does not need them.
"""

from django.db import migrations
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q

BATCH_SIZE = 500


def default_run_names(workshop) -> tuple[str, str]:
    return (
        f"Default run – {workshop.title}",
        f"الدورة الافتراضية – {workshop.title_ar or workshop.title}",
    )


def move_orphans_to_default_runs(Workshop, Run, Session, db) -> None:
    valid_run = Run.objects.using(db).filter(
        pk=OuterRef("run_id"), workshop_id=OuterRef("workshop_id")
    )
    orphans = Session.objects.using(db).filter(~Exists(valid_run))
    workshop_ids = set(orphans.values_list("workshop_id", flat=True).order_by())
    for workshop in Workshop.objects.using(db).filter(pk__in=workshop_ids).order_by("pk"):
        mine = orphans.filter(workshop_id=workshop.pk)
        span = mine.aggregate(first=Min("date"), last=Max("date"))
        run = Run.objects.using(db).filter(workshop_id=workshop.pk, is_default=True).first()
        if run is None:
            name, name_ar = default_run_names(workshop)
            run = Run.objects.using(db).create(
                workshop_id=workshop.pk,
                is_default=True,
                name=name,
                name_ar=name_ar,
                start_date=span["first"],
                end_date=span["last"],
            )
        # Their old numbers belonged to another run; they are renumbered below.
        mine.update(run_id=run.pk, number=None)


def widen_runs_to_cover_sessions(Run, db) -> None:
    short = (
        Run.objects.using(db)
        .annotate(first=Min("sessions__date"), last=Max("sessions__date"))
        .filter(Q(first__lt=F("start_date")) | Q(last__gt=F("end_date")))
    )
    for run in short:
        run.start_date = min(run.start_date, run.first)
        run.end_date = max(run.end_date, run.last)
        run.save(update_fields=["start_date", "end_date"])


def make_run_names_unique(Run, db) -> None:
    clashes = (
        Run.objects.using(db)
        .values("workshop_id", "name")
        .annotate(n=Count("id"), keep=Min("id"))
        .filter(n__gt=1)
        .order_by()
    )
    for clash in clashes:
        later = Run.objects.using(db).filter(
            workshop_id=clash["workshop_id"], name=clash["name"], id__gt=clash["keep"]
        )
        for run in later:
            run.name = f"{run.name} (#{run.pk})"
            run.save(update_fields=["name"])


def number_sessions(Session, db) -> None:
    # A number that repeats within its run keeps its first holder; the others are renumbered.
    repeated = Session.objects.using(db).filter(
        Exists(
            Session.objects.using(db).filter(
                run_id=OuterRef("run_id"), number=OuterRef("number"), id__lt=OuterRef("id")
            )
        )
    )
    repeated.update(number=None)
    run_ids = set(
        Session.objects.using(db).filter(number__isnull=True).values_list("run_id", flat=True)
    )
    for run_id in sorted(run_ids):
        in_run = Session.objects.using(db).filter(run_id=run_id)
        highest = in_run.aggregate(n=Max("number"))["n"] or 0
        unnumbered = list(in_run.filter(number__isnull=True).order_by("date", "start_time", "id"))
        for offset, session in enumerate(unnumbered, start=1):
            session.number = highest + offset
        Session.objects.using(db).bulk_update(unnumbered, ["number"], batch_size=BATCH_SIZE)


def forwards(apps, schema_editor) -> None:
    db = schema_editor.connection.alias
    Workshop = apps.get_model("workshops", "Workshop")
    Run = apps.get_model("workshops", "WorkshopRun")
    Session = apps.get_model("workshops", "WorkshopSession")
    move_orphans_to_default_runs(Workshop, Run, Session, db)
    widen_runs_to_cover_sessions(Run, db)
    make_run_names_unique(Run, db)
    number_sessions(Session, db)


class Migration(migrations.Migration):
    dependencies = [("workshops", "0002_runs")]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
