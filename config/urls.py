from django.contrib import admin
from django.urls import include, path

from core import views as core_views

admin.site.site_header = "Studyhall administration"
admin.site.site_title = "Studyhall admin"
admin.site.index_title = "Schedule, bookings and people"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]
