"""Nothing a visitor types breaks Studyhall.

Generated junk (NUL, also as ``\\u0000`` in JSON; huge and negative numbers; 10 kB
strings; broken UTF-8; wrong types; several values for one field) goes to every route,
every form field, every URL parameter, every JSON field and every admin action, as each
kind of visitor (anonymous, student, parent, tutor, the holder of a host link, staff),
and no answer may be a 5xx: an unhandled exception fails the test with its traceback.
Arabic-Indic digits are numbers, not junk (``test_arabic_indic_digits…``).

Nothing is listed by hand but the one address of each route (``make_world().paths``):
every page is fetched as every role, each form any role finds is sent by every role,
and each role's test fails if any route of the site or the admin got no request from it
(``test_every_route_has_an_address`` fails first, and fast, for a new route). Hypothesis
is derandomized with a fixed number of examples per form, so the run is the same every
time. Each example runs in a transaction that is rolled back, so one cannot change what
the next sees.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant_chat.forms import ChatMessageForm
from assistant_chat.owners import ChatOwner
from assistant_chat.services import chat_question_answer
from core.tests.factories import UserFactory
from orders.services.booking import seat_book
from orders.services.calendar_feeds import calendar_feed_turn_on
from tutoring.services import RequestDetails, request_create
from tutoring.tests.factories import (
    ParentProfileFactory,
    StudentProfileFactory,
    TutorPackageFactory,
    TutorProfileFactory,
)
from workshops.models import Category
from workshops.services import host_link_provision
from workshops.tests.factories import WorkshopRunFactory, WorkshopSessionFactory, days_from_today

pytestmark = pytest.mark.django_db

# Random payloads per form. What differs between the databases is how they take sharp
# values (2**63, NUL, far dates), which every pass sweeps through every form in full;
# the random mixes exercise the same Python on both, so the SQLite pass draws fewer.
EXAMPLES_PER_FORM = 6 if connection.vendor == "postgresql" else 3
# The admin's forms are Django's own, over Studyhall's models (three hundred of them for
# staff): half as many random payloads each; the sweeps below still reach every field.
ADMIN_EXAMPLES_PER_FORM = EXAMPLES_PER_FORM // 2
ROLES = ("anonymous", "student", "parent", "tutor", "host", "staff")

# -- what junk looks like -------------------------------------------------------------

CORPUS = [
    "",
    " ",
    "\x00",
    "1\x00",
    "a\x00b",
    "x" * 10_000,
    "-1",
    "0",
    str(2**63),
    str(10**30),
    f"-{10**30}",
    "1.5",
    "1e309",
    "NaN",
    "null",
    "[]",
    '{"a": 1}',
    "true",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00",
    "\u202eevil",
    "😀",
    "9999-12-31",
    "0000-00-00",
    "2031-02-30",
    "10000-01-01",
    "25:61",
    "abc",
    "١٢٣",
    "²",  # a digit to str.isdigit(), not to int()
    "٣٫٥",
    "9999",
    "1" * 400,
]
# Values every field of every form gets in turn (the site's own forms all of them, the
# admin's the first two), so the cases that broke something once are tried every
# run, not only when Hypothesis happens to draw them.
SHARP = ["²", str(2**63), "9999-12-31", "١٢٣", "\x00", "x" * 10_000, "-1"]
# Values that once broke a form (an admin session's notes left empty or "null", a cell
# that starts with an invisible character and a formula): every form gets each of them
# in every field; an admin form that edits a record, in one field at a time, the others
# as the page offers them, so the value gets past the form to the code behind it.
LEARNED = ["", "null", "\u202e=1+1"]
LEARNED_ADMIN = ["", "null"]
JUNK = st.one_of(
    st.sampled_from(CORPUS),
    st.text(max_size=30),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
)
JSON_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**25), max_value=10**25)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(CORPUS)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=4,
)
BROKEN_UTF8 = b"%FF%FE%C3%28\xff\xfe\xc3\x28%00"


# -- the site's forms, found on its pages ----------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    # Each field with the values the page offers (its default, a select's options).
    fields: dict[str, list[str]] = field(default_factory=dict)


class FormFinder(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = {key: value or "" for key, value in attrs}
        if tag == "form":
            action = urljoin(self.page_url, attrs.get("action") or self.page_url)
            self.forms.append(Form(attrs.get("method", "get").upper(), action))
        elif tag == "a" and attrs.get("href", "").startswith(("/", "?")):
            self.links.append(attrs["href"])
        elif self.forms and tag in ("input", "textarea", "select", "button"):
            name = attrs.get("name")
            if not name or name == "csrfmiddlewaretoken":
                return
            values = self.forms[-1].fields.setdefault(name, [])
            if "value" in attrs:
                values.append(attrs["value"])
            self._select = name if tag == "select" else None
        elif tag == "option" and self.forms and self._select:
            self.forms[-1].fields[self._select].append(attrs.get("value", ""))


def forms_on(client: Client, url: str) -> tuple[list[Form], list[str]]:
    response = client.get(url, follow=True)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return [], []
    if response.redirect_chain:
        url = urljoin(url, response.redirect_chain[-1][0])
    finder = FormFinder(url)
    finder.feed(response.content.decode())
    return finder.forms, finder.links


# -- a small world with one of everything -------------------------------------------------


class RecordingClient(Client):
    """A test client that remembers which routes (URL patterns) it sent requests to."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.routes: set[str] = set()

    def request(self, **request):
        with contextlib.suppress(Resolver404):  # an address of junk is no route
            self.routes.add(resolve(request["PATH_INFO"]).route)
        return super().request(**request)


@dataclass
class World:
    clients: dict[str, RecordingClient]
    paths: dict[str, str]


def make_world() -> World:
    art = Category.objects.create(name="Art", slug="art")
    run = WorkshopRunFactory(
        start_date=days_from_today(5), end_date=days_from_today(12), workshop__category=art
    )
    session = WorkshopSessionFactory(run=run, number=1, date=days_from_today(6), capacity=5)
    WorkshopSessionFactory(run=run, number=2, date=days_from_today(7), capacity=1)
    student = StudentProfileFactory(user__username="fuzz-student").user
    order = seat_book(buyer=student, workshop=run.workshop, session_id=session.pk).order
    tutor = TutorProfileFactory(user__username="fuzz-tutor")
    TutorPackageFactory(tutor=tutor)
    parent = ParentProfileFactory(user__username="fuzz-parent")
    parent.children.add(StudentProfileFactory())
    seat_book(buyer=parent.user, workshop=run.workshop, session_id=session.pk)
    request = request_create(user=student, tutor=tutor, details=RequestDetails(message="Hi"))
    request_create(  # the tutor's panel has two requests to answer, the parent's one to cancel
        user=parent.user,
        tutor=tutor,
        details=RequestDetails(student_name="A child", message="Hello"),
    )
    link = host_link_provision(session_id=session.pk).link
    feed = calendar_feed_turn_on(user=student)
    chat = chat_question_answer(
        owner=ChatOwner(user_id=student.pk), question="Which workshops?", user=student
    )
    staff = UserFactory(username="fuzz-staff", is_staff=True, is_superuser=True)

    clients = {role: RecordingClient() for role in ROLES}
    clients["student"].force_login(student)
    clients["parent"].force_login(parent.user)
    clients["tutor"].force_login(tutor.user)
    clients["staff"].force_login(staff)
    clients["host"].get(link.get_absolute_url())  # a visitor who came by the host link
    uid = urlsafe_base64_encode(force_bytes(student.pk))
    token = default_token_generator.make_token(student)
    slug = run.workshop.slug
    paths = {
        "home": "/",
        "healthz": "/healthz",
        "robots_txt": "/robots.txt",
        "favicon": "/favicon.ico",
        "set_language": "/language/",
        "login": "/accounts/login/?next=/orders/",
        "logout": "/accounts/logout/",
        "signup": "/accounts/signup/",
        "password_change": "/accounts/password_change/",
        "password_change_done": "/accounts/password_change/done/",
        "password_reset": "/accounts/password_reset/",
        "password_reset_done": "/accounts/password_reset/done/",
        "password_reset_confirm": f"/accounts/reset/{uid}/{token}/",
        "password_reset_complete": "/accounts/reset/done/",
        "book": f"/workshops/{slug}/book/?session={session.pk}",
        "book_run": f"/workshops/{slug}/book-run/?run={run.pk}",
        "workshops:store": "/workshops/?q=w&when=month&sort=price&category=art&seats=1&page=1",
        "workshops:calendar": "/workshops/calendar/?month=2027-01&category=art&max_price=5",
        "workshop": f"/workshops/{slug}/",
        "orders:list": "/orders/",
        "orders:detail": f"/orders/{order.reference}/",
        "orders:cancel": f"/orders/{order.reference}/cancel/",
        "orders:ics": f"/orders/{order.reference}/calendar.ics",
        "orders:calendar": "/orders/calendar/",
        "orders:calendar_feed": f"/orders/feed/{feed.token}.ics",
        "tutoring:tutors": "/tutors/",
        "tutoring:tutor": f"/tutors/{tutor.pk}/",
        "tutoring:request": f"/tutors/{tutor.pk}/request/",
        "tutoring:requests": "/tutoring/requests/",
        "tutoring:accept": f"/tutoring/requests/{request.pk}/accept/",
        "tutoring:decline": f"/tutoring/requests/{request.pk}/reject/",
        "tutoring:cancel": f"/tutoring/requests/{request.pk}/cancel/",
        "host:roster": link.get_absolute_url(),
        "host:check_in": f"{link.get_absolute_url()}check-in/",
        "assistant:chat": f"/assistant/?session={chat.session_id}",
        "assistant:delete": f"/assistant/delete/?session_id={chat.session_id}",
        "assistant:api-messages": "/assistant/api/messages/",
    }
    return World(clients, paths)


def all_routes() -> dict[str, str]:
    """Every route of the site and of its admin: the URL pattern, by the name that
    ``make_world().paths`` gives the site's (the admin's are found, not named)."""
    routes: dict[str, str] = {}

    def walk(patterns, prefix: str = "", namespace: str = "") -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern).removeprefix("^")  # as resolve() joins
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                routes.setdefault(route, name)

    walk(get_resolver().url_patterns)
    return routes


def site_routes() -> dict[str, str]:
    return {route: name for route, name in all_routes().items() if not name.startswith("admin:")}


def test_every_route_has_an_address():
    """A new route fails here until ``make_world().paths`` gives it an address to fuzz."""
    world = make_world()
    addressed = {resolve(urlsplit(path).path).route for path in world.paths.values()}
    missing = sorted(name for route, name in site_routes().items() if route not in addressed)
    assert missing == [], f"add these routes to make_world().paths: {missing}"
    assert sorted(world.paths) == sorted(site_routes().values())  # each under its own name


# -- sending junk ---------------------------------------------------------------------------


def summary(payload: dict[str, list[str]]) -> str:
    return repr({key: [value[:40] for value in values] for key, values in payload.items()})


def isolated(client: Client, send: Callable[[], object], what: str = ""):
    """Run one request in a transaction that is rolled back, with the client's cookies
    put back afterwards (a fuzzed logout must not log the role out for the rest). An
    exception the site did not handle fails with what was sent."""
    cookies = client.cookies
    client.cookies = type(cookies)(cookies.output(header="", sep=";"))
    try:
        with transaction.atomic():
            try:
                response = send()
            except Exception as error:
                raise AssertionError(f"{what}: {error.__class__.__name__}: {error}") from error
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
    return response


def assert_answered(response, what: str) -> None:
    assert response.status_code < 500, f"{what} answered {response.status_code}"


def fuzz_form(client: Client, form: Form, role: str, examples: int = EXAMPLES_PER_FORM) -> None:
    names = sorted(form.fields)

    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def one(data) -> None:
        payload: dict[str, list[str]] = {}
        for name in names:
            offered = form.fields[name]
            if offered and data.draw(st.booleans()):
                payload[name] = [data.draw(st.sampled_from(offered))]
            elif data.draw(st.integers(0, 4)):
                payload[name] = data.draw(st.lists(JUNK, min_size=1, max_size=2))
        if data.draw(st.booleans()):
            payload[data.draw(st.sampled_from(["extra", "id", "pk", "user", "q"]))] = [
                data.draw(JUNK)
            ]
        what = f"{form.method} {form.action} as {role} with {summary(payload)}"
        if form.method == "POST":
            response = isolated(client, lambda: client.post(form.action, payload), what)
        else:
            query = urlencode([(k, v) for k, values in payload.items() for v in values])
            separator = "&" if "?" in form.action else "?"
            response = isolated(
                client, lambda: client.get(f"{form.action}{separator}{query}"), what
            )
        assert_answered(response, what)

    one()


def sweep_form(client: Client, form: Form, role: str, corpus: list[str]) -> None:
    """Each value of ``corpus`` in every field of the form at once."""
    for value in corpus:
        payload = {name: [value] for name in form.fields}
        what = f"{form.method} {form.action} as {role} with every field {value[:40]!r}"
        if form.method == "POST":
            response = isolated(client, lambda p=payload: client.post(form.action, p), what)
        else:
            separator = "&" if "?" in form.action else "?"
            url = f"{form.action}{separator}{urlencode(payload, doseq=True)}"
            response = isolated(client, lambda u=url: client.get(u), what)
        assert_answered(response, what)


def sweep_fields(client: Client, form: Form, role: str, values: list[str]) -> None:
    """Each value in one field at a time, the other fields as the page offers them, so
    the value reaches the code behind a form that would otherwise refuse it early."""
    offered = {name: options[:1] for name, options in form.fields.items()}
    for name in form.fields:
        if re.search(r"-(__prefix__|[1-9][0-9]*)-", name):
            continue  # an inline's empty template, or a row after its first: like the first
        for value in values:
            payload = {**offered, name: [value]}
            what = f"{form.method} {form.action} as {role} with {name}={value[:40]!r}"
            if form.method == "POST":
                response = isolated(client, lambda p=payload: client.post(form.action, p), what)
            else:
                separator = "&" if "?" in form.action else "?"
                url = f"{form.action}{separator}{urlencode(payload, doseq=True)}"
                response = isolated(client, lambda u=url: client.get(u), what)
            assert_answered(response, what)


def broken_utf8(client: Client, url: str, role: str) -> None:
    path = urlsplit(url).path
    for send in (
        lambda: client.get(f"{path}?q=%FF%FE&session=%C3%28&status=%00"),
        lambda: client.generic(
            "POST", path, BROKEN_UTF8 + b"&session=%FF", "application/x-www-form-urlencoded"
        ),
    ):
        what = f"broken UTF-8 to {path} as {role}"
        assert_answered(isolated(client, send, what), what)


PATH_JUNK = ["%00", "a%00b", "-1", "0", str(2**63), "9" * 40, "x" * 3000, "%FF%FE", "..%2F..",
             "%E2%80%AE", "١٢"]  # fmt: skip


def junk_in_path(client: Client, url: str, role: str) -> None:
    """Each part of the address the route reads (an id, a slug, a reference, a token)
    replaced by junk; the fixed parts stay, so each request reaches the view."""
    path = urlsplit(url).path
    segments, route = path[1:].split("/"), resolve(path).route.split("/")
    if len(route) != len(segments):  # a regular expression route: none in the site's own
        return
    for index, part in enumerate(route):
        if "<" not in part:
            continue
        before, after = part.split("<")[0], part.split(">")[-1]
        for junk in PATH_JUNK:
            changed = "/" + "/".join(
                [*segments[:index], before + junk + after, *segments[index + 1 :]]
            )
            for method in ("get", "post"):
                what = f"{method.upper()} {changed[:80]} as {role}"
                response = isolated(client, lambda m=method, c=changed: getattr(client, m)(c), what)
                assert_answered(response, what)


def admin_pages(client: Client) -> list[str]:
    """Every page of the admin: the site's own (index, login, logout, password, the
    translations, each app's list, an address it does not have), and each model admin's
    list, add page, and the change, history and delete pages of its first row (of an id
    that is not there when it has none) with the links the change page offers."""
    pages = ["/admin/", "/admin/login/", "/admin/logout/", "/admin/password_change/",
             "/admin/password_change/done/",
             "/admin/jsi18n/", "/admin/no-such-page/",
             "/admin/autocomplete/?app_label=orders&model_name=orderitem&field_name=session"
             "&term=%00"]  # fmt: skip
    pages += sorted({f"/admin/{model._meta.app_label}/" for model in admin.site._registry})
    for model, model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pages.append(base)
        pages.append(f"{base}?q=%00x&o=99&p=abc&e=1&status=zzz")
        hierarchy = model_admin.date_hierarchy
        if hierarchy:
            for year, month, day in (("9999", "12", "31"), ("²", "1", "1"), ("1", "²", "99")):
                pages.append(
                    f"{base}?{hierarchy}__year={year}&{hierarchy}__month={month}"
                    f"&{hierarchy}__day={day}"
                )
        pages.append(f"{base}add/")
        first = model._default_manager.order_by("pk").first()
        object_id = first.pk if first is not None else 0
        pages += [f"{base}{object_id}/{page}" for page in ("", "change/", "history/", "delete/")]
        if first is not None:
            content_type = ContentType.objects.get_for_model(model)
            pages.append(f"/admin/r/{content_type.pk}/{first.pk}/")
            if model is get_user_model():
                pages.append(f"{base}{first.pk}/password/")
            _, links = forms_on(client, f"{base}{first.pk}/change/")
            pages += [
                link.split("?")[0]
                for link in links
                if link.startswith(f"{base}{first.pk}/") and not link.endswith("/change/")
            ]
    return list(dict.fromkeys(pages))


def filter_form(changelist: str, links: list[str]) -> Form:
    """The changelist's filters, sorting and paging, as one form of URL parameters: every
    parameter its own links use, with the values they offer."""
    fields: dict[str, list[str]] = {}
    for link in links:
        if link.startswith("?"):
            for pair in link[1:].split("&"):
                name, _, value = pair.partition("=")
                fields.setdefault(name, []).append(value)
    return Form("GET", changelist.split("?")[0], fields)


def admin_action_forms(client: Client, changelist: str, forms: list[Form]) -> list[Form]:
    """The action form, with each action posted against junk selections, and the fields
    of the actions that ask a question first (clone's date, decline's reason)."""
    found = []
    for form in forms:
        actions = [value for value in form.fields.get("action", []) if value]
        if not actions:
            continue
        selection = form.fields.get("_selected_action", [])
        for action in actions:
            fields = {
                "action": [action],
                "index": ["0"],
                "_selected_action": selection,
                "apply": ["1"],
                "post": ["yes"],
                "start_date": [],
                "name": [],
                "name_ar": [],
                "reason": [],
            }
            found.append(Form("POST", changelist, fields))
    return found


# The URL parameters every page gets, besides its own: the ones pages commonly read, the
# store's and its calendar's filters, the tutor's second list of requests.
COMMON_PARAMETERS = ("q", "status", "page", "session", "next", "run", "conversation", "new",
                     "when", "from", "to", "max_price", "seats", "category", "sort", "month",
                     "sent", "attendee")  # fmt: skip
# What an address that takes only a POST reads, for one no role found a form for.
BLIND_FIELDS = ("session", "run", "seat", "undo", "reason", "message", "q", "session_id",
                "attendee")  # fmt: skip


def site_forms(world: World) -> list[Form]:
    """Every form of the site's pages, as every role sees them: what any role can send,
    every role sends. Forms to one address are one form, with every field and every
    value any page offers."""
    merged: dict[tuple[str, str], Form] = {}

    def add(form: Form) -> None:
        target = merged.setdefault((form.method, form.action), Form(form.method, form.action))
        for name, values in form.fields.items():
            offered = target.fields.setdefault(name, [])
            offered += [value for value in values if value not in offered]

    for url in world.paths.values():
        add(Form("GET", url, {name: [] for name in COMMON_PARAMETERS}))
        for client in world.clients.values():
            for form in forms_on(client, url)[0]:
                add(form)
    posted = {urlsplit(form.action).path for form in merged.values() if form.method == "POST"}
    for url in world.paths.values():
        if urlsplit(url).path not in posted:
            add(Form("POST", url, {name: [] for name in BLIND_FIELDS}))
    return list(merged.values())


def fuzz_site(client: Client, role: str, world: World) -> None:
    for url in world.paths.values():
        broken_utf8(client, url, role)
        junk_in_path(client, url, role)
    for form in site_forms(world):
        fuzz_form(client, form, role)
        sweep_form(client, form, role, [*SHARP, *LEARNED])


def fuzz_admin(client: Client, role: str, pages: list[str]) -> None:
    """As staff: every form and parameter of the admin. As anyone else: each page, read
    and posted to, is refused without a 5xx."""
    if role != "staff":
        for url in pages:
            for method in ("get", "post"):
                what = f"{method.upper()} {url} as {role}"
                response = isolated(client, lambda m=method, u=url: getattr(client, m)(u), what)
                assert_answered(response, what)
        return
    targets: dict[tuple, Form] = {}
    for url in pages:
        forms, links = forms_on(client, url)
        found = forms
        path = urlsplit(url).path
        if path.count("/") == 4:  # a changelist: its actions, filters, sorting and paging
            found += admin_action_forms(client, url, forms)
            found.append(filter_form(url, links))
        if path.count("/") == 4:
            found.append(Form("GET", url, {name: [] for name in COMMON_PARAMETERS}))
        if path.endswith("/add/"):  # an add page takes its first values from the address
            fields = {name for form in forms for name in form.fields if form.method == "POST"}
            found.append(Form("GET", url, {name: [] for name in sorted(fields)}))
        for form in found:
            key = (form.method, form.action, *sorted(form.fields), *form.fields.get("action", []))
            targets.setdefault(key, form)
        broken_utf8(client, url, role)
    for form in targets.values():
        fuzz_form(client, form, role, ADMIN_EXAMPLES_PER_FORM)
        sweep_form(client, form, role, [*SHARP[:2], *LEARNED])
        if form.method == "POST" and urlsplit(form.action).path.endswith(("/change/", "/add/")):
            sweep_fields(client, form, role, LEARNED_ADMIN)


# A date typed into an admin list's date filter (``attempt_time__gte=9999-12-31``) is
# read in the site's time zone; Django warns that it was naive, which the suite turns
# into an error, but the page answers correctly.
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime:RuntimeWarning")
@pytest.mark.parametrize("role", ROLES)
def test_junk_to_every_route_form_and_parameter_answers_below_500(role):
    world = make_world()
    client = world.clients[role]
    admin_urls = admin_pages(world.clients["staff"])
    client.routes.clear()  # what finding the forms sent does not count
    fuzz_site(client, role, world)
    fuzz_admin(client, role, admin_urls)
    missing = sorted(set(all_routes()) - client.routes)
    assert missing == [], f"no request reached these routes as {role}: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_junk_json_to_the_assistant_api_answers_below_500(role):
    world = make_world()
    client = world.clients[role]
    url = world.paths["assistant:api-messages"]

    @settings(
        max_examples=60,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        body=st.one_of(
            st.dictionaries(
                st.sampled_from(["session_id", "message", "client_message_id", "other"]),
                JSON_VALUE,
            ),
            JSON_VALUE,
        ),
        raw=st.booleans(),
    )
    def one(body, raw) -> None:
        data = json.dumps(body).encode()
        if raw:
            data = data[: len(data) // 2] + BROKEN_UTF8  # cut short, then broken bytes
        response = isolated(client, lambda: client.post(url, data, content_type="application/json"))
        assert_answered(response, f"JSON {body!r} as {role}")

    one()
    # Each field the API reads, with each value that once broke something, the others good.
    for name in ChatMessageForm.base_fields:
        for value in [*SHARP, *LEARNED, None, 0, 1.5, True, [], {}]:
            body = {"message": "hi", name: value}
            response = isolated(
                client, lambda body=body: client.post(url, body, content_type="application/json")
            )
            assert_answered(response, f"JSON {body!r} as {role}")
    for body in (
        {"message": "hello\u0000"},
        {"message": "hi", "session_id": "\u0000"},
        {"message": "hi", "client_message_id": "a\u0000"},
        {"message": "x" * 10_000},
        {"message": ["a list"]},
        {"message": 10**30},
        {"message": "hi", "session_id": "²"},
    ):
        response = isolated(
            client, lambda body=body: client.post(url, body, content_type="application/json")
        )
        assert 400 <= response.status_code < 500, (body, response.status_code)
    # Lone surrogates: valid JSON, not text.
    for raw in (b'{"message": "\\ud800"}', b'{"message": "a", "session_id": "\\udfff"}'):
        response = isolated(
            client, lambda r=raw: client.post(url, r, content_type="application/json")
        )
        assert response.status_code == 400, (raw, response.status_code)
    # Anything but JSON: a form, multipart, text, no type at all.
    for send in (
        lambda: client.post(url, {"message": "hi"}),
        lambda: client.post(url, "message=hi", content_type="application/x-www-form-urlencoded"),
        lambda: client.generic("POST", url, b'{"message": "hi"}', content_type="text/plain"),
        lambda: client.generic("POST", url, b'{"message": "hi"}', content_type=""),
    ):
        response = isolated(client, send)
        assert response.status_code == 415, response.status_code
    for deep in (b"[" * 100_000, b'{"message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"):
        response = isolated(
            client, lambda d=deep: client.post(url, d, content_type="application/json")
        )
        assert response.status_code == 400, response.status_code


def test_arabic_indic_digits_are_numbers_not_junk(client):
    """Django reads ``١٢`` as 12; so does Studyhall, in forms and admin selections."""
    run = WorkshopRunFactory(start_date=days_from_today(5), end_date=days_from_today(12))
    session = WorkshopSessionFactory(run=run, date=days_from_today(6), capacity=5)
    arabic = str(session.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    client.force_login(UserFactory())
    response = client.post(f"/workshops/{run.workshop.slug}/book/", {"session": arabic})
    assert response.status_code == 302
    assert session.seats.count() == 1
    staff = Client()
    staff.force_login(UserFactory(username="staff-digits", is_staff=True, is_superuser=True))
    response = staff.post(
        "/admin/workshops/workshopsession/",
        {"action": "cancel_sessions", "_selected_action": [arabic], "apply": "1"},
    )
    assert response.status_code in (200, 302)  # not refused as a malformed selection
    session.refresh_from_db()
    assert session.cancelled_at is not None
