from django.db import transaction
from django.utils import timezone

from core.commands import StudyhallCommand
from demo.accounts import DEMO_PASSWORD, demo_users, seed_staff
from demo.assistant import seed_conversations
from demo.hosts import seed_host_links
from demo.schedule import seed_bookings, seed_family_booking, seed_schedule, seed_students
from demo.tutoring import seed_people, seed_requests
from emails.services import emails_hold_back, emails_next_id


class Command(StudyhallCommand):
    help = (
        "Load demo workshops, runs, sessions, users, bookings, host links, tutors, session "
        "requests and assistant conversations. Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        # The demo's bookings, requests and answers go through the real services, which
        # queue emails to the people involved; demo people have no inboxes, so what the
        # seeding queued is marked not needed before a worker sees it.
        with transaction.atomic():
            first = emails_next_id()
            self.seed()
            emails_hold_back(to=demo_users(), from_id=first)

    def seed(self) -> None:
        workshops = seed_schedule(timezone.localdate())
        staff = seed_staff()
        students = seed_students()
        booked = seed_bookings()
        host_links = seed_host_links(timezone.now())
        tutors, parent = seed_people()
        booked += seed_family_booking()
        requested = seed_requests()
        exchanges = seed_conversations()
        self.stdout.write(
            f"Demo data ready: {len(workshops)} workshops, {booked} new booking(s), "
            f"{len(tutors)} tutors, {requested} new session request(s)."
        )
        self.stdout.write(f"Assistant: 2 demo conversations, {exchanges} new exchange(s).")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        self.stdout.write(f"  staff (admin at /admin/): {staff.username}")
        for student in students:
            self.stdout.write(f"  student: {student.username}")
        for tutor in tutors:
            self.stdout.write(f"  tutor (requests at /tutoring/requests/): {tutor.username}")
        self.stdout.write(f"  parent of two children (a family order for both): {parent.username}")
        if host_links:
            self.stdout.write("Host links (open one in a private window; no login needed):")
            for link in host_links:
                self.stdout.write(f"  {link.session.schedule_label}: {link.public_url}")
