"""The chat page without JavaScript, the JSON API its script uses, and who sees what."""

import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from assistant_chat.models import ChatMessage, ChatRole, ChatSession
from assistant_chat.owners import CURRENT_CONVERSATION, VISITOR_KEY
from core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHAT = reverse("assistant:chat")
API = reverse("assistant:api-messages")


def api(client, payload, **extra):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(API, body, content_type="application/json", **extra)


@pytest.fixture
def logged_in(client, student):
    client.force_login(student)
    return client


# -- the page, without JavaScript ------------------------------------------------------


def test_the_assistant_is_in_the_site_navigation(client):
    assert f'href="{CHAT}"' in client.get(reverse("home")).text


def test_a_visitor_sees_an_empty_chat_with_suggestions_and_no_session_is_started(client):
    response = client.get(CHAT)
    assert response.status_code == 200
    assert "Which workshops have seats left?" in response.text
    assert 'name="message"' in response.text
    assert "sessionid" not in response.cookies  # looking writes nothing


def test_posting_the_form_answers_and_shows_the_conversation(client):
    response = client.post(CHAT, {"message": "hello"}, follow=True)
    assert response.redirect_chain == [(f"{CHAT}#ask", 302)]
    [session] = ChatSession.objects.all()
    assert session.visitor_key and session.user is None
    messages = response.context["chat_messages"]
    assert [m.role for m in messages] == [ChatRole.USER, ChatRole.ASSISTANT]
    assert "I can answer questions about" in response.text
    assert f'value="{session.pk}"' in response.text  # the next question continues it


def test_the_visitor_key_is_random_and_never_the_session_key(client):
    client.post(CHAT, {"message": "hello"})
    key = client.session[VISITOR_KEY]
    assert key != client.session.session_key
    assert ChatSession.objects.get().visitor_key == key
    other = Client()
    other.post(CHAT, {"message": "hello"})
    assert other.session[VISITOR_KEY] != key


def test_a_second_question_continues_the_same_conversation(client):
    client.post(CHAT, {"message": "hello"})
    session = ChatSession.objects.get()
    client.post(CHAT, {"message": "What are my bookings?", "session_id": session.pk})
    session.refresh_from_db()
    assert session.message_count == 4
    assert "Log in" in session.messages.get(sequence=4).content


def test_a_refreshed_form_with_the_same_client_message_id_is_stored_once(client):
    form = {"message": "hello", "client_message_id": "form-1"}
    client.post(CHAT, form)
    session = ChatSession.objects.get()
    client.post(CHAT, {**form, "session_id": session.pk})
    assert ChatMessage.objects.count() == 2


def test_an_empty_question_is_explained_on_the_page(client):
    response = client.post(CHAT, {"message": "   "})
    assert response.status_code == 400
    assert "Write a question first." in response.text
    assert not ChatSession.objects.exists()


def test_a_question_over_4000_characters_is_explained_on_the_page(client):
    response = client.post(CHAT, {"message": "x" * 4001})
    assert response.status_code == 400
    assert "Keep a question under 4,000 characters; this one has 4001." in response.text


def test_someone_elses_conversation_is_not_found_on_the_page(client, logged_in):
    client.post(CHAT, {"message": "hello"})
    theirs = ChatSession.objects.get()
    stranger = Client()
    assert stranger.get(f"{CHAT}?conversation={theirs.pk}").status_code == 404
    assert stranger.post(CHAT, {"message": "hi", "session_id": theirs.pk}).status_code == 404
    assert stranger.get(f"{CHAT}?conversation=not-a-uuid").status_code == 404
    assert ChatSession.objects.get().message_count == 2


def test_a_logged_in_student_gets_answers_about_their_own_bookings(logged_in, student):
    logged_in.post(CHAT, {"message": "What are my bookings?"})
    session = ChatSession.objects.get()
    assert session.user == student and session.visitor_key is None
    assert "You have no upcoming bookings" in session.messages.get(sequence=2).content


def test_a_user_sees_their_conversations_and_can_open_an_earlier_one(logged_in):
    logged_in.post(CHAT, {"message": "first conversation"})
    first = ChatSession.objects.get()
    response = logged_in.get(f"{CHAT}?new=1")
    assert response.context["conversation"] is None
    logged_in.post(CHAT, {"message": "second conversation"})
    response = logged_in.get(CHAT)
    assert response.context["conversation"].title == "second conversation"
    assert [c.title for c in response.context["conversations"]] == [
        "second conversation",
        "first conversation",
    ]
    response = logged_in.get(f"{CHAT}?conversation={first.pk}")
    assert response.context["conversation"] == first


def test_a_returning_user_sees_their_most_recent_conversation(student):
    first_browser = Client()
    first_browser.force_login(student)
    first_browser.post(CHAT, {"message": "hello"})
    second_browser = Client()
    second_browser.force_login(student)
    assert second_browser.get(CHAT).context["conversation"] == ChatSession.objects.get()


def test_a_user_deletes_their_own_conversation(logged_in):
    logged_in.post(CHAT, {"message": "hello"})
    session = ChatSession.objects.get()
    response = logged_in.post(reverse("assistant:delete"), {"session_id": session.pk}, follow=True)
    assert "The conversation is deleted." in response.text
    assert not ChatSession.objects.exists() and not ChatMessage.objects.exists()
    assert CURRENT_CONVERSATION not in logged_in.session


def test_nobody_deletes_someone_elses_conversation(client, logged_in):
    logged_in.post(CHAT, {"message": "hello"})
    session = ChatSession.objects.get()
    other = Client()
    other.force_login(UserFactory())
    assert other.post(reverse("assistant:delete"), {"session_id": session.pk}).status_code == 404
    assert other.post(reverse("assistant:delete"), {"session_id": "x"}).status_code == 404
    assert ChatSession.objects.exists()


def test_a_visitor_cannot_delete_and_is_sent_to_log_in(client):
    client.post(CHAT, {"message": "hello"})
    session = ChatSession.objects.get()
    response = client.post(reverse("assistant:delete"), {"session_id": session.pk})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert ChatSession.objects.exists()


def test_logging_in_moves_the_visitors_conversation_to_the_account(client, student):
    client.post(CHAT, {"message": "hello"})
    session = ChatSession.objects.get()
    client.post(
        reverse("login"), {"username": student.username, "password": "correct horse battery"}
    )
    session.refresh_from_db()
    assert session.user == student and session.visitor_key is None
    assert VISITOR_KEY not in client.session
    assert client.get(CHAT).context["conversation"] == session  # still the current one


def test_answers_are_escaped_and_only_site_links_become_links(client):
    client.post(CHAT, {"message": "<script>alert(1)</script>"})
    ChatMessage.objects.filter(role=ChatRole.ASSISTANT).update(
        content="[ok](/orders/) [bad](javascript:alert(1)) [far](//evil.example/) "
        "[slash](/\\evil.example/login) [deep](/a\\b) <b>x</b>"
    )
    text = client.get(CHAT).text
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert '<a href="/orders/">ok</a>' in text
    assert 'href="javascript' not in text and 'href="//evil' not in text
    assert 'href="/\\' not in text and 'href="/a\\' not in text
    assert "&lt;b&gt;x&lt;/b&gt;" in text


def test_the_page_has_no_inline_script_and_configures_its_script_with_data_attributes(client):
    text = client.get(CHAT).text
    assert f'data-api-url="{API}"' in text
    assert '<script src="/static/js/assistant.js" defer></script>' in text
    assert "<script>" not in text and " onclick=" not in text and " onsubmit=" not in text


# -- the JSON API ----------------------------------------------------------------------


def test_the_api_answers_and_starts_a_conversation(client):
    response = api(client, {"message": "Which workshops have seats left?"})
    assert response.status_code == 200
    body = response.json()
    session = ChatSession.objects.get()
    assert body["session_id"] == str(session.pk)
    assert body["reply"] == session.messages.get(sequence=2).content
    assert body["retried"] is False
    assert 'class="chat-message chat-user"' in body["html"]
    assert body["reply_html"].startswith("<p>")


def test_the_api_continues_a_conversation_the_page_then_shows(client):
    first = api(client, {"message": "hello"}).json()
    api(client, {"message": "again", "session_id": first["session_id"]})
    assert ChatSession.objects.get().message_count == 4
    assert client.get(CHAT).context["conversation"].pk == uuid.UUID(first["session_id"])


def test_the_api_takes_a_session_id_proposed_by_the_client(client):
    proposed = str(uuid.uuid4())
    assert api(client, {"message": "hi", "session_id": proposed}).json()["session_id"] == proposed


def test_the_same_client_message_id_twice_is_stored_once_with_the_same_reply(client):
    payload = {"message": "hello", "session_id": str(uuid.uuid4()), "client_message_id": "c-1"}
    first, second = api(client, payload).json(), api(client, payload).json()
    assert second["reply"] == first["reply"]
    assert (first["retried"], second["retried"]) == (False, True)
    assert ChatMessage.objects.count() == 2


def test_another_users_session_is_a_404(client, logged_in):
    theirs = api(logged_in, {"message": "hello"}).json()["session_id"]
    stranger = Client()
    stranger.force_login(UserFactory())
    response = api(stranger, {"message": "hi", "session_id": theirs})
    assert response.status_code == 404
    assert response.json() == {"error": "There is no such conversation."}
    assert api(Client(), {"message": "hi", "session_id": theirs}).status_code == 404
    assert ChatSession.objects.get().message_count == 2


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("{not json", "The body must be a JSON object."),
        (b"\xff\xfe", "The body must be a JSON object."),
        ("[1, 2]", "The body must be a JSON object."),
        ('"hello"', "The body must be a JSON object."),
        ({}, "Write a question first."),
        ({"message": ""}, "Write a question first."),
        ({"message": "   \n "}, "Write a question first."),
        ({"message": 42}, "message must be a string."),
        ({"message": ["hi"]}, "message must be a string."),
        ({"message": "x" * 4001}, "Keep a question under 4,000 characters; this one has 4001."),
        ({"message": "a\x00b"}, "Null characters are not allowed."),
        ({"message": "hi", "session_id": "not-a-uuid"}, "session_id must be a conversation id"),
        ({"message": "hi", "session_id": 12}, "session_id must be a string."),
        ({"message": "hi", "client_message_id": "x" * 101}, "client_message_id is at most 100"),
        ({"message": "hi", "client_message_id": {"a": 1}}, "client_message_id must be a string."),
        ('{"message": "\\ud800"}', "message contains something that is not text."),
        ('{"message": "hi \\udfff there"}', "message contains something that is not text."),
        ('{"message": "hi", "client_message_id": "\\ud83d"}', "client_message_id contains"),
    ],
)
def test_bad_input_is_a_400_with_a_json_error(client, body, error):
    response = api(client, body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"].startswith(error)
    assert not ChatSession.objects.exists()


def test_the_api_still_answers_when_logging_fails_and_healthz_counts_it(client, monkeypatch):
    from django.db import DatabaseError

    from assistant_chat import services

    def broken(**kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(services, "_reserve_sequences", broken)
    response = api(client, {"message": "Which workshops have seats left?"})
    assert response.status_code == 200
    assert response.json()["reply"].startswith("No workshop has a free seat")
    assert not ChatSession.objects.exists()
    health = client.get(reverse("healthz"))
    assert health.status_code == 200
    assert health.json()["assistant"] == {"log_failures": 1}


def test_4000_characters_are_accepted(client):
    assert api(client, {"message": "x" * 4000}).status_code == 200


def test_the_api_only_takes_posts(client):
    assert client.get(API).status_code == 405


def test_the_api_is_csrf_protected_and_takes_the_token_in_a_header(student):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    assert api(client, {"message": "hi"}).status_code == 403
    client.get(CHAT)  # the page sets the CSRF cookie and puts the token in its form
    token = client.cookies["csrftoken"].value
    assert api(client, {"message": "hi"}, HTTP_X_CSRFTOKEN=token).status_code == 200


@pytest.fixture
def one_minute():
    """The rate limit counts per calendar minute: start a test that counts with at
    least 10 s of its minute left, so its requests all fall in the same one."""
    import time

    left = 60 - time.time() % 60
    if left < 10:
        time.sleep(left + 0.1)


def test_more_messages_than_the_rate_limit_is_a_429(client, settings, one_minute):
    settings.ASSISTANT = {**settings.ASSISTANT, "RATE_LIMIT": 3}
    statuses = [api(client, {"message": f"q{n}"}).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api(client, {"message": "again"})
    assert response.status_code == 429
    assert "You have sent 3 messages this minute" in response.json()["error"]
    assert 0 < int(response["Retry-After"]) <= 60
    assert ChatMessage.objects.filter(role=ChatRole.USER).count() == 3


def test_the_rate_limit_counts_per_user_or_visitor(client, settings, logged_in, one_minute):
    settings.ASSISTANT = {**settings.ASSISTANT, "RATE_LIMIT": 1}
    assert api(logged_in, {"message": "q"}).status_code == 200
    assert api(logged_in, {"message": "q"}).status_code == 429
    assert api(Client(), {"message": "q"}).status_code == 200  # a visitor of their own


def test_the_page_form_is_rate_limited_too(client, settings, one_minute):
    settings.ASSISTANT = {**settings.ASSISTANT, "RATE_LIMIT": 1}
    client.post(CHAT, {"message": "q"})
    response = client.post(CHAT, {"message": "q"})
    assert response.status_code == 429
    assert "You have sent 1 message this minute" in response.text


def test_a_new_conversations_first_message_sent_twice_is_stored_once(client):
    form = client.get(CHAT).context["form"]
    data = {
        "message": "Which workshops have seats left?",
        "session_id": form.initial["session_id"],
        "client_message_id": form.initial["client_message_id"],
    }
    client.post(CHAT, data)
    client.post(CHAT, data)  # a double click, or a refresh that sends the form again
    assert ChatSession.objects.count() == 1
    assert ChatMessage.objects.filter(role=ChatRole.USER).count() == 1


def test_deleting_a_conversation_asks_first_and_keeps_it_until_confirmed(logged_in):
    logged_in.post(CHAT, {"message": "hello"})
    session = ChatSession.objects.get()
    page = logged_in.get(CHAT).text
    asking = f"{reverse('assistant:delete')}?session_id={session.pk}"
    assert f'href="{asking}"' in page  # the button is a link to the question, not a POST
    question = logged_in.get(asking)
    assert question.status_code == 200
    assert "Delete this conversation?" in question.text
    assert "Its 2 messages are deleted for good" in question.text
    assert ChatSession.objects.exists()
    other = Client()
    other.force_login(UserFactory())
    assert other.get(asking).status_code == 404
    assert logged_in.get(f"{reverse('assistant:delete')}?session_id=nope").status_code == 404


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ({"message": "hi"}, "multipart/form-data; boundary=BoUnDaRyStRiNg"),
        ("message=hi", "application/x-www-form-urlencoded"),
        ('{"message": "hi"}', "text/plain"),
        ('{"message": "hi"}', ""),
    ],
)
def test_the_api_refuses_anything_but_json_with_415(client, body, content_type):
    url = reverse("assistant:api-messages")
    if content_type.startswith("multipart"):
        response = client.post(url, body)  # the test client writes a real multipart body
    else:
        response = client.generic("POST", url, body, content_type=content_type)
    assert response.status_code == 415
    assert response.json() == {
        "error": "Send the message as JSON (Content-Type: application/json)."
    }
    assert not ChatSession.objects.exists()
