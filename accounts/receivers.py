from __future__ import annotations

from django.utils import translation

from accounts.services import language_on_sign_in


def remember_language(sender, request, user, **kwargs) -> None:
    """On signing in: an account that has no language yet takes the one being read
    (so emails reach them in it); one that has a language gives it to this browser
    (``AccountLanguageMiddleware`` sets the cookie on the response)."""
    language = (translation.get_language() or "").split("-")[0]
    if request is None or not language:
        return
    request.account_language = language_on_sign_in(user=user, reading=language)
