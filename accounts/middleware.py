from __future__ import annotations

from django.conf import settings


class AccountLanguageMiddleware:
    """Signing in gives the browser the account's language (the cookie LocaleMiddleware
    reads), so a new browser follows the choice made in another. The language comes from
    ``accounts.receivers.remember_language``; other pages cost nothing here. Choosing a
    language while signed in stores it on the account (``accounts.views.set_language``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        language = getattr(request, "account_language", None)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
        return response
