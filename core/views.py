import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from core.health import database_health, migrations_health, reports

# Seconds a client should wait before retrying while the database is unreachable.
RETRY_AFTER = 5


@never_cache
@require_GET
def healthz(request):
    database = database_health()
    migrations = migrations_health() if database["ok"] else {"ok": False, "pending": []}
    healthy = database["ok"] and migrations["ok"]
    sections = reports()
    # A report may say "degraded" (emails waiting too long): still 200, so the load
    # balancer keeps the server, but monitoring sees it.
    degraded = any(
        isinstance(section, dict) and section.get("status") == "degraded"
        for section in sections.values()
    )
    payload = {
        "status": ("degraded" if degraded else "ok") if healthy else "error",
        "database": database,
        "migrations": migrations,
        **sections,
    }
    return JsonResponse(payload, status=200 if healthy else 503)


# Pages that are someone's own, or staff's, or a private link: not for search engines.
ROBOTS_TXT = """\
User-agent: *
Disallow: /admin/
Disallow: /accounts/
Disallow: /orders/
Disallow: /host/
Disallow: /tutoring/
Disallow: /assistant/
Disallow: /workshops/*/book
"""


@require_safe
def robots_txt(request) -> HttpResponse:
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def unavailable() -> HttpResponse:
    """503 with ``Retry-After`` and the styled page, rendered without the request, so
    the page itself needs no database (no user, no session)."""
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request) -> HttpResponse:
    """The 500 handler. A lost, unreachable or busy database is an outage, not a bug:
    503 with ``Retry-After``, and the next request connects afresh."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        return unavailable()
    return HttpResponse(loader.render_to_string("500.html"), status=500)
