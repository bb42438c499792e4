import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from core.commands import StudyhallCommand, UsageError
from core.ids import MAX_ID, parse_id
from workshops.models import HostSession, WorkshopSession
from workshops.selectors.host_links import sessions_to_host
from workshops.services import HostLinkProvision, HostLinkRefused, host_link_provision

FIND_IDS = (
    "See the sessions that can have one with `manage.py provision_host --list-upcoming`, "
    "or in the admin's session list (/admin/workshops/workshopsession/)."
)
FORCE_HINT = "Add --force to provision it anyway, for late attendance fixes."


def when(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%a %d %b %Y, %H:%M}"


class Command(StudyhallCommand):
    help = (
        "Print the host link of a session: the private address from which its instructor "
        "takes attendance. Creates the link when the session has none; provisioning again "
        "gives the same link. --list-upcoming lists the sessions that can have one."
    )
    supports_dry_run = True
    supports_json = True

    def add_arguments(self, parser) -> None:
        parser.add_argument("session_id", nargs="?", metavar="SESSION_ID", help="The session.")
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="Replace the link's token: the old address stops opening at once.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Allow a session that has already ended (late attendance fixes).",
        )
        parser.add_argument(
            "--list-upcoming",
            action="store_true",
            help="List the sessions still to come, and whether each has a link.",
        )
        super().add_arguments(parser)

    def parse_input(
        self,
        *,
        session_id: str | None,
        rotate: bool,
        force: bool,
        list_upcoming: bool,
        dry_run: bool,
        **options,
    ) -> dict[str, Any]:
        if list_upcoming:
            if session_id is not None or rotate or force or dry_run:
                raise UsageError("--list-upcoming takes no SESSION_ID and no option but --json.")
            return {}
        if session_id is None:
            raise UsageError(f"give a SESSION_ID. {FIND_IDS}")
        pk = parse_id(session_id)
        if pk is None:
            raise UsageError(
                f"SESSION_ID must be a whole number from 1 to {MAX_ID}, not {session_id!r}. "
                f"{FIND_IDS}"
            )
        return {"pk": pk}

    def handle(
        self,
        *args,
        list_upcoming: bool,
        rotate: bool,
        force: bool,
        dry_run: bool,
        pk: int | None = None,
        **options,
    ) -> None:
        if list_upcoming:
            self.list_upcoming()
            return
        with self.maybe_rolled_back(dry_run):
            try:
                result = host_link_provision(session_id=pk, rotate=rotate, force=force)
            except HostLinkRefused as refusal:
                if refusal.code == "session_not_found":
                    raise UsageError(f"{refusal.message} {FIND_IDS}") from None
                reason = refusal.message
                if refusal.code == "session_ended":
                    reason = f"{reason} {FORCE_HINT}"
                if not dry_run:
                    raise UsageError(reason) from None
                self.report_refusal(pk, reason)
                return
            self.report(result, dry_run=dry_run)

    # -- output ---------------------------------------------------------------

    def report(self, result: HostLinkProvision, *, dry_run: bool) -> None:
        link = result.link
        session = link.session
        # On a dry run a new token is rolled back with everything else: no address yet.
        new_token = result.created or result.rotated
        url = None if dry_run and new_token else link.public_url
        if self.as_json:
            payload: dict[str, Any] = {
                "session": session.pk,
                "url": url,
                "created": result.created,
                "rotated": result.rotated,
            }
            if dry_run:
                payload["dry_run"] = True
            self.emit_json(payload)
            return
        label = f"session {session.pk} ({session.schedule_label})"
        if dry_run:
            if result.created:
                self.stdout.write(f"Would create a host link for {label}.")
            elif result.rotated:
                self.stdout.write(
                    f"Would rotate the host link of {label}: the current address would "
                    "stop opening at once."
                )
            else:
                self.stdout.write(f"The host link of {label} already exists: {url}")
            self.stdout.write("Dry run: nothing was written.")
            return
        if result.created:
            self.stdout.write(f"Created a host link for {label}:")
        elif result.rotated:
            self.stdout.write(f"Rotated the host link of {label}; the old address no longer opens:")
        else:
            self.stdout.write(f"The host link of {label} already exists:")
        self.stdout.write(url)
        self.stdout.write(self.opening(link))

    def opening(self, link: HostSession) -> str:
        grace = settings.STUDYHALL_HOST_LINK_GRACE_HOURS
        if link.opens_at():
            since = "it was issued" if link.issued_at > link.session.ends_at else "the session ends"
            return f"It opens until {when(link.expires_at)}, {grace} hour(s) after {since}."
        return (
            f"It stopped opening on {when(link.expires_at)}; add --rotate --force to reopen "
            f"it for {grace} hour(s)."
        )

    def report_refusal(self, session_id: int, reason: str) -> None:
        if self.as_json:
            self.emit_json(
                {
                    "session": session_id,
                    "url": None,
                    "created": False,
                    "rotated": False,
                    "dry_run": True,
                    "refused": reason,
                }
            )
            return
        self.stdout.write(f"Would refuse: {reason}")
        self.stdout.write("Dry run: nothing was written.")

    def list_upcoming(self) -> None:
        sessions: list[WorkshopSession] = list(sessions_to_host())
        if self.as_json:
            self.emit_json(
                [
                    {
                        "session": session.pk,
                        "workshop": session.workshop.title,
                        "run": session.run.name,
                        "day": session.number,
                        "date": session.date.isoformat(),
                        "start": f"{session.start_time:%H:%M}",
                        "end": f"{session.end_time:%H:%M}",
                        "host_link": session.has_host_link,
                    }
                    for session in sessions
                ]
            )
            return
        if not sessions:
            self.stdout.write("No upcoming sessions: none is still to come and not cancelled.")
            return
        width = max(len(str(session.pk)) for session in sessions)
        for session in sessions:
            has = "has a host link" if session.has_host_link else "no host link"
            self.stdout.write(f"{session.pk:>{width}}  {session.schedule_label}  [{has}]")
