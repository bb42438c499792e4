from django.utils import timezone

from core.commands import StudyhallCommand
from demo.accounts import DEMO_PASSWORD, seed_staff
from demo.assistant import seed_conversations
from demo.schedule import seed_bookings, seed_schedule, seed_students


class Command(StudyhallCommand):
    help = (
        "Load demo workshops, runs, sessions, users, bookings and assistant conversations. "
        "Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        workshops = seed_schedule(timezone.localdate())
        staff = seed_staff()
        students = seed_students()
        booked = seed_bookings()
        exchanges = seed_conversations()
        self.stdout.write(f"Demo data ready: {len(workshops)} workshops, {booked} new booking(s).")
        self.stdout.write(f"Assistant: 2 demo conversations, {exchanges} new exchange(s).")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        self.stdout.write(f"  staff (admin at /admin/): {staff.username}")
        for student in students:
            self.stdout.write(f"  student: {student.username}")
