"""What the admin says to staff: help texts and action names speak of the business,
not of how the code keeps it."""

import pytest
from django.apps import apps
from django.contrib import admin

APPS = ("workshops", "orders", "tutoring", "assistant_chat", "integrity")
# Words about the implementation that a staff member cannot act on.
SHOP_TALK = ("migration", "upgrade", "lock", "primary key", "django", "enforce", "allocated")


def model_help_texts():
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                text = str(getattr(field, "help_text", "") or "")
                if text:
                    yield f"{model._meta.label}.{field.name}", text


def admin_descriptions():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in APPS:
            continue
        for name, action in model_admin.get_actions(_request()).items():
            yield f"{model._meta.label} action {name}", str(action.description)
        for fieldset_name, options in model_admin.fieldsets or ():
            if options.get("description"):
                yield f"{model._meta.label} fieldset {fieldset_name}", options["description"]


def _request():
    from django.test import RequestFactory

    from core.tests.factories import UserFactory

    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    return request


@pytest.mark.django_db
def test_help_texts_and_admin_descriptions_speak_to_staff():
    texts = [*model_help_texts(), *admin_descriptions()]
    assert len(texts) > 20  # the sweep found the apps' texts
    talking_shop = [
        (where, text) for where, text in texts if any(w in text.lower() for w in SHOP_TALK)
    ]
    assert talking_shop == []
