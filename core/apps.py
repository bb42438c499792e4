from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Studyhall"

    def ready(self) -> None:
        from django.urls import register_converter

        from core.converters import IdConverter

        # Before any app's URLconf is loaded: paths use <id:pk>.
        register_converter(IdConverter, "id")
        from django.core.signals import got_request_exception

        from core import checks  # noqa: F401  (registers the system checks)
        from core.middleware import database_error_seen

        got_request_exception.connect(database_error_seen, dispatch_uid="database_error_seen")
