from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import views as accounts_views
from core import views as core_views
from orders import views as orders_views
from workshops import views as workshops_views

handler500 = "core.views.server_error"

admin.site.site_header = _("Studyhall administration")
admin.site.site_title = _("Studyhall admin")
admin.site.index_title = _("Schedule, bookings and people")

urlpatterns = [
    path("", workshops_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's).
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("accounts/", include("accounts.urls")),
    # The language switcher in every page's header posts here.
    path("language/", accounts_views.set_language, name="set_language"),
    # The store and its calendar first: "calendar" is not a workshop's slug (RESERVED_SLUGS).
    path("workshops/", include("workshops.urls")),
    # Booking belongs to orders (orders -> workshops), under the workshop's address.
    path("workshops/<slug:slug>/book/", orders_views.book, name="book"),
    path("workshops/<slug:slug>/book-run/", orders_views.book_run, name="book_run"),
    # The workshop page is where booking happens, and it marks the seats you hold.
    path("workshops/<slug:slug>/", orders_views.workshop_detail, name="workshop"),
    path("orders/", include("orders.urls")),
    path("", include("tutoring.urls")),
    # A host's roster and check-in, opened by a private link (orders: check-in writes a seat).
    path("host/", include("orders.host_urls")),
    path("assistant/", include("assistant_chat.urls")),
    path("admin/", admin.site.urls),
]
