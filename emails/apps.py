from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmailsConfig(AppConfig):
    name = "emails"
    verbose_name = _("Emails")

    def ready(self) -> None:
        from core.health import register_report
        from emails.selectors import queue_health

        register_report("queue", queue_health)
