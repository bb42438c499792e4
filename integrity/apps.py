from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "integrity"
    verbose_name = _("Data integrity")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from core.health import register_report
        from integrity.audit import last_audit_report

        # Each app declares its invariants in its own invariants.py (core.invariants).
        autodiscover_modules("invariants")
        register_report("integrity", last_audit_report)
