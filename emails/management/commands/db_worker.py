"""``db_worker``: django-tasks-db's worker, which also picks up what a stopped worker
left: on start it enqueues one delivery job, so emails whose job died with a worker
(or whose enqueue was lost) go out without waiting for the next change."""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from emails.services import enqueue_on_commit


class Command(DatabaseWorker):
    help = (
        "Run a background worker: it delivers Studyhall's emails. Run one or more, on one "
        "or more machines; they share the queue in the database."
    )

    def handle(self, *args, **options) -> None:
        enqueue_on_commit()
        super().handle(*args, **options)
