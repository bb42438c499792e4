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
