"""Writes to what an account remembers: the language a person reads Studyhall in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from accounts.models import LanguagePreference


def language_choose(*, user: AbstractBaseUser, language: str) -> bool:
    """Store the language ``user`` chose; an unknown code changes nothing (False)."""
    if language not in dict(settings.LANGUAGES):
        return False
    LanguagePreference.objects.update_or_create(user=user, defaults={"language": language})
    return True


def language_on_sign_in(*, user: AbstractBaseUser, reading: str) -> str:
    """The account's language once it signs in: the one it has, or, for an account that
    has none yet, the one being read (so its emails come in it)."""
    preference, _created = LanguagePreference.objects.get_or_create(
        user=user, defaults={"language": reading}
    )
    return preference.language
