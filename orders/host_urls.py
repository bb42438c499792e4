from django.urls import path

from orders import host_views

app_name = "host"

urlpatterns = [
    path("<str:token>/", host_views.roster, name="roster"),
    path("<str:token>/check-in/", host_views.check_in, name="check_in"),
]
