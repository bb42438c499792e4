from django.apps import AppConfig


def say_goodbye(sender, request, user, **kwargs) -> None:
    from django.contrib import messages

    if request is not None:
        messages.info(request, "You are logged out. See you soon.")


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(say_goodbye, dispatch_uid="accounts.say_goodbye")
