from __future__ import annotations

from django.conf import settings
from django.utils import translation

from core.i18n import language_of


class AccountLanguageMiddleware:
    """A signed-in person whose browser has not chosen a language (no cookie) gets the
    one stored on their account, and the cookie with it. A cookie always wins: choosing
    a language while signed in stores it on the account too (``set_language``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        stored = None
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and request.user.is_authenticated:
            stored = language_of(request.user, default=None)
            if stored:
                translation.activate(stored)
                request.LANGUAGE_CODE = stored
        response = self.get_response(request)
        if stored:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                stored,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
