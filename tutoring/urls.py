from django.urls import path

from tutoring import views

app_name = "tutoring"

urlpatterns = [
    path("tutors/", views.tutor_list, name="tutors"),
    path("tutors/<id:pk>/", views.tutor_detail, name="tutor"),
    path("tutors/<id:pk>/request/", views.request_create_view, name="request"),
    path("tutoring/requests/", views.request_panel, name="requests"),
    path("tutoring/requests/<id:pk>/accept/", views.request_accept_view, name="accept"),
    # The address keeps the contract's word; the code and the pages say "decline".
    path("tutoring/requests/<id:pk>/reject/", views.request_decline_view, name="decline"),
    path("tutoring/requests/<id:pk>/cancel/", views.request_cancel_view, name="cancel"),
]
