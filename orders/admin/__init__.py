"""Orders and sessions in the admin: ``orders`` (orders and their seats) and
``sessions`` (each session with its attendees: the one session admin)."""

from orders.admin import orders, sessions  # noqa: F401  (registers the admins)
