"""System checks for Studyhall's own settings."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url_is_public(app_configs, **kwargs) -> list[Warning]:
    """Host links printed outside a request start with ``STUDYHALL_SITE_URL``; in
    production they must be the public HTTPS address."""
    if settings.STUDYHALL_SITE_URL.startswith("https://"):
        return []
    return [
        Warning(
            f"STUDYHALL_SITE_URL is {settings.STUDYHALL_SITE_URL!r}: host links printed by "
            "provision_host would not reach hosts over HTTPS.",
            hint="Set STUDYHALL_SITE_URL to the site's public address, e.g. "
            "https://studyhall.example.org.",
            id="studyhall.W001",
        )
    ]


# Mail backends that keep mail inside the server: fine on a laptop, not for users.
LOCAL_MAIL = ("console.EmailBackend", "dummy.EmailBackend", "locmem.EmailBackend")


@register(Tags.compatibility, deploy=True)
def mail_reaches_people(app_configs, **kwargs) -> list[Warning]:
    """Production starts without mail settings (mail goes to the log), but the deploy
    check says so: password resets and tutoring answers would reach nobody."""
    backend = settings.MAILERS["default"]["BACKEND"]
    if not backend.endswith(LOCAL_MAIL):
        return []
    return [
        Warning(
            f"Mail goes to {backend.rsplit('.', 2)[-2]}, not to people: password resets and "
            "tutoring emails would reach nobody.",
            hint="Set DJANGO_EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587.",
            id="studyhall.W002",
        )
    ]
