"""The OpenAI-compatible responder against a real HTTP server on loopback.

The server is started by the test and answers the way real endpoints do and fail:
a good answer, one slower than the timeout, a 500, and malformed JSON. Any failure
falls back to the built-in answer.
"""

import contextlib
import datetime
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant_chat.checks import check_backend
from assistant_chat.models import ChatMessage
from assistant_chat.owners import ChatOwner
from assistant_chat.responders import Question, configured_responder
from assistant_chat.responders.builtin import BuiltinResponder
from assistant_chat.responders.openai import OpenAICompatibleResponder, completions_url
from assistant_chat.services import chat_exchange_log
from workshops.tests.factories import WorkshopRunFactory, WorkshopSessionFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2030, 3, 4, 10, 0, tzinfo=datetime.UTC)
GOOD = {"choices": [{"index": 0, "message": {"role": "assistant", "content": " From the model. "}}]}


class Endpoint(BaseHTTPRequestHandler):
    """Paths choose the behaviour: /good, /slow, /trickle, /error, /malformed, /empty."""

    received: list[dict] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
        behaviour = self.path.split("/")[1]
        if behaviour == "slow":
            time.sleep(1.5)
            return self.send_json(200, json.dumps(GOOD).encode())
        if behaviour == "trickle":  # each byte in time, the whole answer far too late
            return self.send_trickle(json.dumps(GOOD).encode())
        if behaviour == "error":
            return self.send_json(500, b'{"error": "overloaded"}')
        if behaviour == "malformed":
            return self.send_json(200, b'{"choices": [{"message": ')
        if behaviour == "empty":
            return self.send_json(200, b'{"choices": []}')
        return self.send_json(200, json.dumps(GOOD).encode())

    def send_json(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up waiting, as it should
            self.wfile.write(payload)

    def send_trickle(self, payload: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        with contextlib.suppress(OSError):
            for byte in payload[:20]:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def endpoint():
    Endpoint.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def workshop_session():
    run = WorkshopRunFactory(
        workshop__title="Robotics with Arduino",
        workshop__slug="robotics-arduino",
        start_date=datetime.date(2030, 3, 10),
        end_date=datetime.date(2030, 3, 12),
    )
    return WorkshopSessionFactory(run=run, date=datetime.date(2030, 3, 10), capacity=4)


def responder(base: str, behaviour: str, timeout: float = 0.5) -> OpenAICompatibleResponder:
    return OpenAICompatibleResponder(
        api_url=f"{base}/{behaviour}/v1", api_key="sk-test", model="tiny-model", timeout=timeout
    )


QUESTION = "Which workshops have seats left?"


def builtin_answer() -> str:
    return BuiltinResponder().reply(Question(text=QUESTION, now=NOW))


def test_a_good_answer_is_the_models_text(endpoint, workshop_session):
    answer = responder(endpoint, "good").reply(Question(text=QUESTION, now=NOW))
    assert answer == "From the model."
    [request] = Endpoint.received
    assert request["path"] == "/good/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sk-test"
    body = request["body"]
    assert body["model"] == "tiny-model"
    system, user = body["messages"]
    assert user == {"role": "user", "content": QUESTION}
    # The model is given the same live facts the built-in responder answers from.
    assert system["role"] == "system"
    assert builtin_answer() in system["content"]
    assert "[Robotics with Arduino](/workshops/robotics-arduino/)" in system["content"]
    assert "Monday 4 March 2030" in system["content"]


def test_the_model_sees_the_last_messages_of_the_conversation(endpoint, db):
    owner = ChatOwner(visitor_key="visitor-1")
    session_id = uuid.uuid4()
    for n in range(5):
        chat_exchange_log(
            session_id=session_id, owner=owner, question=f"q{n}", answer=f"a{n}", now=NOW
        )
    question = Question(text="and then?", session_id=session_id, now=NOW)
    responder(endpoint, "good").reply(question)
    messages = Endpoint.received[0]["body"]["messages"]
    assert [m["content"] for m in messages[1:]] == ["q2", "a2", "q3", "a3", "q4", "a4", "and then?"]
    assert [m["role"] for m in messages[1:3]] == ["user", "assistant"]


@pytest.mark.parametrize("behaviour", ["slow", "trickle", "error", "malformed", "empty"])
def test_any_failure_falls_back_to_the_builtin_answer(
    endpoint, workshop_session, behaviour, caplog
):
    started = time.monotonic()
    answer = responder(endpoint, behaviour).reply(Question(text=QUESTION, now=NOW))
    assert answer == builtin_answer()
    assert time.monotonic() - started < 1.2  # the timeout, not the slow server, decides
    assert "built-in answer used" in caplog.text


def test_an_unreachable_endpoint_falls_back_to_the_builtin_answer(workshop_session):
    closed = responder("http://127.0.0.1:9", "good")
    assert closed.reply(Question(text=QUESTION, now=NOW)) == builtin_answer()


def test_the_api_url_may_be_the_base_or_the_full_endpoint():
    assert completions_url("https://api.example/v1/") == "https://api.example/v1/chat/completions"
    assert (
        completions_url("http://llm:8080/v1/chat/completions")
        == "http://llm:8080/v1/chat/completions"
    )


def test_settings_choose_the_backend(settings, endpoint):
    settings.ASSISTANT = {**settings.ASSISTANT, "BACKEND": "builtin"}
    assert isinstance(configured_responder(), BuiltinResponder)
    settings.ASSISTANT = {
        **settings.ASSISTANT,
        "BACKEND": "openai",
        "API_URL": f"{endpoint}/good/v1",
        "MODEL": "tiny-model",
        "TIMEOUT": 2.0,
    }
    chosen = configured_responder()
    assert isinstance(chosen, OpenAICompatibleResponder)
    assert chosen.url == f"{endpoint}/good/v1/chat/completions" and chosen.timeout == 2.0


def test_the_chat_api_answers_through_the_configured_backend(settings, endpoint, client):
    settings.ASSISTANT = {
        **settings.ASSISTANT,
        "BACKEND": "openai",
        "API_URL": f"{endpoint}/good/v1",
        "MODEL": "tiny-model",
    }
    response = client.post(
        "/assistant/api/messages/", {"message": "Hello?"}, content_type="application/json"
    )
    assert response.json()["reply"] == "From the model."
    assert ChatMessage.objects.filter(content="From the model.").exists()


@pytest.mark.parametrize(
    ("config", "error"),
    [
        ({"BACKEND": "gpt"}, "assistant_chat.E001"),
        ({"BACKEND": "openai", "API_URL": "", "MODEL": "m"}, "assistant_chat.E002"),
        ({"BACKEND": "openai", "API_URL": "http://llm/v1", "MODEL": ""}, "assistant_chat.E002"),
        ({"RATE_LIMIT": 0}, "assistant_chat.E003"),
    ],
)
def test_manage_py_check_refuses_a_misconfigured_assistant(settings, config, error):
    settings.ASSISTANT = {**settings.ASSISTANT, **config}
    assert [message.id for message in check_backend(None)] == [error]


def test_a_configured_openai_backend_passes_the_check(settings):
    settings.ASSISTANT = {
        **settings.ASSISTANT,
        "BACKEND": "openai",
        "API_URL": "http://llm/v1",
        "MODEL": "m",
    }
    assert check_backend(None) == []
