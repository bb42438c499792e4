from django.urls import path

from assistant_chat import views

app_name = "assistant"

urlpatterns = [
    path("", views.chat, name="chat"),
    path("delete/", views.delete_conversation, name="delete"),
    path("api/messages/", views.api_messages, name="api-messages"),
]
