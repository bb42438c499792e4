from __future__ import annotations

from django.utils import translation

from accounts.models import LanguagePreference


def remember_language(sender, request, user, **kwargs) -> None:
    """On signing in: an account that has no language yet takes the one being read
    (so emails reach them in it); one that has a language gives it to this browser
    (``AccountLanguageMiddleware`` sets the cookie on the response)."""
    language = (translation.get_language() or "").split("-")[0]
    if request is None or not language:
        return
    preference, _created = LanguagePreference.objects.get_or_create(
        user=user, defaults={"language": language}
    )
    request.account_language = preference.language
