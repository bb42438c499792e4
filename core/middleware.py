"""Middleware for bad input and plain errors (a clear page, never a 500), and for the
way an Arabic page writes its numbers."""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from core.db import is_unavailable
from core.i18n import arabic_indic_html, uses_arabic_digits
from core.ids import parse_id
from core.views import unavailable

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NUL = "\x00"
DATE_PARTS = ("__year", "__month", "__day")
BIGGEST_ID = 2**63 - 1


def _has_nul(data) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


def _calendar_part(name: str, value: str) -> bool:
    """A year, month or day the admin can build a date range from: a year up to 9998,
    since the range ends a year (or a day) after it."""
    if not (value.isdecimal() and len(value) <= 4):
        return False
    if name.endswith("__year"):
        return 1 <= int(value) <= 9998
    return True


def _beyond_any_id(value: str) -> bool:
    """A whole number no database id can be (SQLite raises ``OverflowError`` for it
    inside ``id__in``, which the admin's many-to-many fields use)."""
    digits = value.strip().removeprefix("-").removeprefix("+")
    return digits.isdecimal() and len(digits) >= 19 and int(digits) > BIGGEST_ID


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=400)


class BadInputMiddleware:
    """Refuse input no page can take before any view sees it (400).

    - A NUL character in the path, the query string or a form value: PostgreSQL
      refuses NUL in text, so it would otherwise fail deep inside a query.
    - An admin action's selection that is not a list of ids: Django's admin would
      raise ``ValueError`` while filtering by it.
    - A date-hierarchy parameter of an admin list (``date__year``, ``__month``,
      ``__day``) that is not a small number: Django's admin would raise
      ``OverflowError`` building the date.
    - A number beyond any id in a form posted to the admin: on SQLite, a
      many-to-many field (a group's permissions) would raise ``OverflowError``.
      Only the admin, whose fields are mostly ids; the site's own forms read their
      numbers themselves.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path or _has_nul(request.GET):
            return bad_request(request, _("the address contains a character it cannot hold"))
        if any(
            name.endswith(DATE_PARTS) and not _calendar_part(name, value)
            for name, value in request.GET.items()
        ):
            return bad_request(request, _("a date in the address is not a date"))
        if request.method == "POST" and request.content_type in FORM_TYPES:
            if _has_nul(request.POST) or any(
                NUL in (upload.name or "") for upload in request.FILES.values()
            ):
                return bad_request(request, _("the form contains a character it cannot hold"))
            selection = request.POST.getlist("_selected_action")
            if selection and any(parse_id(value) is None for value in selection):
                return bad_request(request, _("the selection is not a list of rows"))
            if request.path.startswith(reverse("admin:index")) and any(
                _beyond_any_id(value) for _, values in request.POST.lists() for value in values
            ):
                return bad_request(request, _("a number in the form is larger than any record's"))
        return self.get_response(request)


class ExplainErrorsMiddleware:
    """Give bare error responses (an empty 405 from ``require_POST``, say) the site's
    styled page, keeping their status and headers."""

    TEMPLATES = {405: "405.html"}

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        template = self.TEMPLATES.get(response.status_code)
        if template and not response.streaming and not response.content:
            styled = render(request, template, {"message": _why_not_allowed(response)})
            styled.status_code = response.status_code
            for header, value in response.items():
                if header.lower() not in ("content-type", "content-length"):
                    styled[header] = value
            return styled
        return response


def _why_not_allowed(response: HttpResponse) -> str:
    allowed = response.get("Allow", "")
    if allowed == "POST":
        return _(
            "This address only takes the submission of a form (a button press), not a visit. "
            "Go back to the page with the button and use it there."
        )
    if not allowed:
        return _("This address only answers other requests.")
    return _("This address only answers %(methods)s requests.") % {"methods": allowed}


def database_error_seen(sender, request=None, **kwargs) -> None:
    """``got_request_exception``: remember on the request that the database did not
    answer in time (``DatabaseUnavailableMiddleware`` answers for it)."""
    error = sys.exc_info()[1]
    if request is not None and (
        isinstance(error, InterfaceError)
        or (isinstance(error, DatabaseError) and is_unavailable(error))
    ):
        request.database_unavailable = True


class DatabaseUnavailableMiddleware:
    """A database that does not answer in time (unreachable, a lock or statement
    timeout, SQLite busy past its timeout) answers 503 with ``Retry-After`` and the
    styled page, never 500, wherever it fails (a view, or the session saved after it)
    and with ``DEBUG`` on too, as under ``make run``, where Django would otherwise show
    its debug page. Nothing was half-saved: the transaction rolled back."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "database_unavailable", False):
            return unavailable()
        return response


class PrivatePagesMiddleware:
    """A page answered to someone signed in is theirs (their name is in its header, and
    often their orders, requests or conversations): ``Cache-Control: private, no-store``
    and the rest of Django's ``never_cache``, as the login and host pages send, unless
    the view said otherwise (a calendar feed that apps may keep five minutes)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response  # the view decided (and the user need not be loaded)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy`` from ``settings.PERMISSIONS_POLICY`` (a feature and its
    allowed origins; an empty list turns the feature off). Django has no setting for it."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class ArabicDigitsMiddleware:
    """With ``STUDYHALL_ARABIC_DIGITS``, an Arabic page's visible numbers (dates, times,
    prices, seats) are written with Arabic-Indic digits. Addresses, form values and
    references in ``<code>`` keep theirs, so links and copied text still work."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            uses_arabic_digits()
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
        ):
            charset = response.charset or "utf-8"
            response.content = arabic_indic_html(response.content.decode(charset)).encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
