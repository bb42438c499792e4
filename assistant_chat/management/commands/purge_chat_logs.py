import datetime

from django.utils import timezone

from assistant_chat.services import PurgeResult, chat_logs_purge, chat_logs_purge_preview
from core.commands import StudyhallCommand, UsageError

MAX_DAYS = 36500


class Command(StudyhallCommand):
    help = (
        "Retention: delete the assistant conversations whose last message is older than "
        "--older-than days, with their messages, in batches."
    )
    supports_dry_run = True

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--older-than",
            required=True,
            metavar="DAYS",
            help="Delete conversations whose last message is more than DAYS days old.",
        )
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Conversations per transaction."
        )
        super().add_arguments(parser)

    def parse_input(self, *, older_than: str, batch_size: int, **options) -> dict:
        if not older_than.strip().isdecimal() or not 1 <= int(older_than) <= MAX_DAYS:
            raise UsageError(
                f"--older-than must be a whole number of days from 1 to {MAX_DAYS}, "
                f"not {older_than!r}."
            )
        if batch_size < 1:
            raise UsageError(f"--batch-size must be at least 1, not {batch_size}.")
        return {"days": int(older_than)}

    def handle(self, *args, days: int, batch_size: int, dry_run: bool, **options) -> None:
        before = timezone.now() - datetime.timedelta(days=days)
        verb = "Would remove" if dry_run else "Removed"

        def report(batch: PurgeResult) -> None:
            self.stdout.write(
                f"  {verb.lower()} {batch.sessions} conversation(s), {batch.messages} message(s)"
            )

        # A real purge commits batch by batch. A dry run only counts: it locks nothing,
        # so it never holds up the assistant's logging on a large table.
        if dry_run:
            total = chat_logs_purge_preview(before=before)
        else:
            total = chat_logs_purge(before=before, batch_size=batch_size, on_batch=report)
        self.stdout.write(
            f"{verb} {total.sessions} conversation(s) with {total.messages} message(s) "
            f"whose last message was before {timezone.localtime(before):%Y-%m-%d %H:%M %Z}."
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
