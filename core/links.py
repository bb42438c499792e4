"""Links that leave the site: emails and printed URLs need the full address."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` on the public site, e.g. ``https://studyhall.example.org/orders/``."""
    return f"{settings.STUDYHALL_SITE_URL}{path}"
