from django.urls import path

from workshops import views

app_name = "workshops"

urlpatterns = [
    path("", views.store, name="store"),
    path("calendar/", views.store_calendar, name="calendar"),
]
