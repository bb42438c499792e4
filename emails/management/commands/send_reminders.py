from core.commands import StudyhallCommand
from emails.kinds import due_finders
from emails.services import emails_due_exist, enqueue_on_commit


class Command(StudyhallCommand):
    help = (
        "Queue the emails that are due now: reminders before booked sessions "
        "(STUDYHALL_REMINDER_HOURS ahead), notices of tutoring requests that expired "
        "unanswered. Run it every few minutes (cron, a systemd timer); it is safe to run "
        "as often as you like, and twice at once: each email is queued once."
    )
    supports_dry_run = True
    supports_json = True

    def handle(self, *args, dry_run: bool, json: bool, **options) -> None:
        counts: dict[str, int] = {}
        with self.maybe_rolled_back(dry_run):
            for name, find in due_finders().items():
                counts[name] = find()
            # Also what a worker stopped mid-way, or an enqueue lost, left waiting.
            if not dry_run and emails_due_exist():
                enqueue_on_commit()
        if json:
            self.emit_json({"queued": counts, "dry_run": dry_run})
            return
        verb = "Would queue" if dry_run else "Queued"
        for name, count in counts.items():
            self.stdout.write(f"{verb} {count} {name}.")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
