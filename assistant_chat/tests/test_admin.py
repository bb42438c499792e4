"""Staff read conversations in the admin: read-only, searchable, filterable, exportable."""

import datetime
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from assistant_chat.owners import ChatOwner
from assistant_chat.services import chat_exchange_log
from core.tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:assistant_chat_chatsession_changelist")


def converse(owner, *questions, now=None):
    session_id = uuid.uuid4()
    for n, question in enumerate(questions):
        chat_exchange_log(
            session_id=session_id,
            owner=owner,
            question=question,
            answer=f"Answer to {question}",
            client_message_id=f"m-{n}",
            now=now,
        )
    return session_id


@pytest.fixture
def staff(client):
    user = staff_user("assistant_chat")
    client.force_login(user)
    return user


@pytest.fixture
def conversations(student):
    return {
        "student": converse(ChatOwner(user_id=student.pk), "What are my bookings?", "Thanks"),
        "visitor": converse(ChatOwner(visitor_key="visitor-abc"), "Is calligraphy full?"),
    }


def listed(response) -> set[uuid.UUID]:
    return {session.pk for session in response.context["cl"].result_list}


def test_staff_see_every_conversation_with_who_asked(client, staff, conversations):
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert listed(response) == set(conversations.values())
    assert "Amira Saleh" in response.text and "Visitor" in response.text


def test_the_list_shows_who_asked_how_much_and_when_last(client, staff, conversations):
    response = client.get(CHANGELIST)
    headers = [h["text"].capitalize() for h in response.context["result_headers"]]
    assert headers == ["Conversation", "Asked by", "Messages", "Last message at"]
    assert '<td class="field-messages">4</td>' in response.text


def test_search_by_user_and_by_content(client, staff, conversations):
    assert listed(client.get(CHANGELIST, {"q": "amira"})) == {conversations["student"]}
    assert listed(client.get(CHANGELIST, {"q": "calligraphy"})) == {conversations["visitor"]}
    assert listed(client.get(CHANGELIST, {"q": "Answer to Thanks"})) == {conversations["student"]}


def test_filter_by_date_and_by_who_asked(client, staff, conversations, student):
    old = converse(
        ChatOwner(user_id=student.pk),
        "Old question",
        now=datetime.datetime(2020, 1, 5, tzinfo=datetime.UTC),
    )
    this_year = client.get(CHANGELIST, {"created_at__year": str(timezone.localdate().year)})
    assert old not in listed(this_year) and conversations["student"] in listed(this_year)
    assert listed(client.get(CHANGELIST, {"created_at__year": "2020"})) == {old}
    assert listed(client.get(CHANGELIST, {"owner": "visitor"})) == {conversations["visitor"]}


def test_a_conversation_shows_its_messages_inline_and_read_only(client, staff, conversations):
    url = reverse("admin:assistant_chat_chatsession_change", args=[conversations["student"]])
    response = client.get(url)
    assert response.status_code == 200
    text = response.text
    assert text.index("What are my bookings?") < text.index("Answer to What are my bookings?")
    assert text.index("Answer to What are my bookings?") < text.index("Thanks")
    assert 'name="_save"' not in text
    assert "<textarea" not in text


def test_staff_add_change_and_delete_nothing(client, staff, conversations):
    assert client.get(reverse("admin:assistant_chat_chatsession_add")).status_code == 403
    delete = reverse("admin:assistant_chat_chatsession_delete", args=[conversations["visitor"]])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert "delete_selected" not in client.get(CHANGELIST).text


def test_export_one_conversation_as_json(client, staff, conversations):
    url = reverse("admin:assistant_chat_chatsession_export", args=[conversations["student"]])
    change = reverse("admin:assistant_chat_chatsession_change", args=[conversations["student"]])
    assert url in client.get(change).text
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="conversation-{conversations["student"]}.json"'
    )
    exported = json.loads(response.content)
    assert exported["user"] == "amira" and exported["visitor_key"] is None
    assert [(m["sequence"], m["role"], m["reply_to"]) for m in exported["messages"]] == [
        (1, "user", None),
        (2, "assistant", 1),
        (3, "user", None),
        (4, "assistant", 3),
    ]
    assert exported["messages"][0]["client_message_id"] == "m-0"


def test_export_of_an_unknown_conversation_is_a_404(client, staff):
    url = reverse("admin:assistant_chat_chatsession_export", args=[uuid.uuid4()])
    assert client.get(url).status_code == 404


def test_staff_without_the_permission_cannot_read_or_export(client, conversations):
    client.force_login(staff_user("orders", username="clerk"))
    assert client.get(CHANGELIST).status_code == 403
    url = reverse("admin:assistant_chat_chatsession_export", args=[conversations["student"]])
    assert client.get(url).status_code == 403


def test_students_never_reach_the_chat_logs(client, conversations):
    client.force_login(UserFactory(username="omar"))
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "login" in response.url
