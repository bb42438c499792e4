from django.utils import timezone

from core.commands import StudyhallCommand
from demo.accounts import DEMO_PASSWORD, seed_staff
from demo.hosts import seed_host_links
from demo.schedule import seed_bookings, seed_schedule, seed_students


class Command(StudyhallCommand):
    help = "Load demo workshops, runs, sessions, users, bookings and host links. Safe to run again."

    def handle(self, *args, **options) -> None:
        workshops = seed_schedule(timezone.localdate())
        staff = seed_staff()
        students = seed_students()
        booked = seed_bookings()
        host_links = seed_host_links(timezone.now())
        self.stdout.write(f"Demo data ready: {len(workshops)} workshops, {booked} new booking(s).")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        self.stdout.write(f"  staff (admin at /admin/): {staff.username}")
        for student in students:
            self.stdout.write(f"  student: {student.username}")
        if host_links:
            self.stdout.write("Host links (open one in a private window; no login needed):")
            for link in host_links:
                self.stdout.write(f"  {link.session.schedule_label}: {link.public_url}")
