from __future__ import annotations

from django.utils import translation

from accounts.models import LanguagePreference


def remember_language(sender, request, user, **kwargs) -> None:
    """The first time someone signs in (signing up included), the language they are
    reading becomes their account's, so emails reach them in it."""
    language = translation.get_language()
    if request is not None and language:
        LanguagePreference.objects.get_or_create(
            user=user, defaults={"language": language.split("-")[0]}
        )
