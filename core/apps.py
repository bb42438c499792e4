from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Studyhall"

    def ready(self) -> None:
        from django.urls import register_converter

        from core.converters import IdConverter

        # Before any app's URLconf is loaded: paths use <id:pk>.
        register_converter(IdConverter, "id")
        from django.apps import apps
        from django.core.signals import got_request_exception

        from core import checks  # noqa: F401  (registers the system checks)
        from core.middleware import database_error_seen

        got_request_exception.connect(database_error_seen, dispatch_uid="database_error_seen")
        from core.model_names import MODEL_NAMES, translate_derived_names

        # Models are loaded before any ready(): give their derived names to translation.
        translate_derived_names(
            model for model in apps.get_models() if model._meta.label_lower in MODEL_NAMES
        )
