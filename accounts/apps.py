from django.apps import AppConfig
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def say_goodbye(sender, request, user, **kwargs) -> None:
    from django.contrib import messages

    if request is not None:
        messages.info(request, gettext("You are logged out. See you soon."))


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from accounts.receivers import remember_language

        user_logged_out.connect(say_goodbye, dispatch_uid="accounts.say_goodbye")
        user_logged_in.connect(remember_language, dispatch_uid="accounts.remember_language")
