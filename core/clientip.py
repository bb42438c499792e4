"""The client's address, as the deployment says to read it.

Behind a proxy, ``REMOTE_ADDR`` is the proxy. ``STUDYHALL_CLIENT_IP_HEADER`` names
the header the proxy sets (e.g. ``X-Real-IP``, or ``X-Forwarded-For``, of which the
last address is the one the proxy appended). Without it, only ``REMOTE_ADDR`` is
trusted: a header a client can send is never believed by default.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    header = settings.STUDYHALL_CLIENT_IP_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        # A list (X-Forwarded-For): the last entry is the one our proxy wrote.
        address = value.split(",")[-1].strip()
        if address:
            return address
    return request.META.get("REMOTE_ADDR", "")
