from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        # What the emails about seats say, the reminders a periodic run finds, and the
        # buyers told when staff move a session (workshops sends the signal).
        from emails.kinds import due_finder
        from orders import emails  # noqa: F401  (registers the writers)
        from orders.selectors import seats_hold_the_family_link
        from orders.services.reminders import reminders_queue
        from orders.services.session_moves import tell_buyers_session_moved
        from tutoring.services import unlink_guard
        from workshops.signals import session_rescheduled

        due_finder("reminders")(reminders_queue)
        unlink_guard(seats_hold_the_family_link)
        session_rescheduled.connect(tell_buyers_session_moved, dispatch_uid="orders.session_moved")
