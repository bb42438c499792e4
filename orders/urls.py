from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("<str:reference>/", views.order_detail, name="detail"),
    path("<str:reference>/cancel/", views.order_cancel_view, name="cancel"),
    path("<str:reference>/calendar.ics", views.order_calendar, name="ics"),
]
