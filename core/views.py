from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.health import database_health, migrations_health, reports


@never_cache
@require_GET
def healthz(request):
    database = database_health()
    migrations = migrations_health() if database["ok"] else {"ok": False, "pending": []}
    healthy = database["ok"] and migrations["ok"]
    payload = {
        "status": "ok" if healthy else "error",
        "database": database,
        "migrations": migrations,
        **reports(),
    }
    return JsonResponse(payload, status=200 if healthy else 503)
