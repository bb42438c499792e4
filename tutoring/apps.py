from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TutoringConfig(AppConfig):
    name = "tutoring"
    verbose_name = _("Tutoring")

    def ready(self) -> None:
        # What the emails about requests say; a periodic run stores requests past their
        # time to live as expired and tells their requesters.
        from emails.kinds import due_finder
        from tutoring import emails  # noqa: F401  (registers the writers)
        from tutoring.services import requests_expire

        due_finder("expired tutoring requests")(requests_expire)
