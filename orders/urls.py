from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("<str:reference>/", views.order_detail, name="detail"),
    path("<str:reference>/cancel/", views.order_cancel_view, name="cancel"),
]
