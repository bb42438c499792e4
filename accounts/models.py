"""What an account remembers about the person beyond Django's user: their language."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LanguagePreference(models.Model):
    """The language a person chose on the site: their pages in a new browser, and the
    emails Studyhall sends them, are in it. Read through ``core.i18n.language_of``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="language_preference",
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    updated_at = models.DateTimeField(
        auto_now=True,
        verbose_name=_("updated at"),
    )

    class Meta:
        verbose_name = _("language preference")
        verbose_name_plural = _("language preferences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="language_preference_known_language",
                violation_error_message=_("Choose English or Arabic."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.language}"
