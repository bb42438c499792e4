from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AssistantChatConfig(AppConfig):
    name = "assistant_chat"
    verbose_name = _("Assistant")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from assistant_chat.checks import check_backend, check_shared_cache
        from assistant_chat.monitoring import log_failure_report
        from assistant_chat.receivers import claim_visitor_conversations
        from core.health import register_report

        register_report("assistant", log_failure_report)
        user_logged_in.connect(claim_visitor_conversations, dispatch_uid="assistant_claim")
        checks.register(check_backend)
        checks.register(check_shared_cache, checks.Tags.caches, deploy=True)
