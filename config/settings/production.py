"""Production settings: refuse to start without a secret key and allowed hosts."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOGGING as BASE_LOGGING
from .base import env

DEBUG = False

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY: production refuses to start without it.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "Set DJANGO_ALLOWED_HOSTS (comma-separated host names): production refuses to start "
        "without it."
    )
if not env("STUDYHALL_CACHE_URL", default=""):
    raise ImproperlyConfigured(
        "Set STUDYHALL_CACHE_URL (e.g. redis://cache.internal:6379/0): every app server must "
        "share the assistant's rate limit and failure count; production refuses to start "
        "without it."
    )
CACHES = {"default": env.cache_url("STUDYHALL_CACHE_URL")}
if CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache")):
    raise ImproperlyConfigured(
        f"STUDYHALL_CACHE_URL must name a cache every app server shares (Redis, Memcached or "
        f"the database), not {env('STUDYHALL_CACHE_URL')!r}."
    )

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Load balancers probe over plain HTTP; a redirect would read as "unhealthy".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Without DJANGO_EMAIL_URL mail goes to the log. Django's deploy check calls that an
# error; Studyhall still starts, and its own deploy check warns (studyhall.W002).
SILENCED_SYSTEM_CHECKS = ["mail.E001"]

LOGGING = {
    **BASE_LOGGING,
    "root": {**BASE_LOGGING["root"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}
