"""A responder that asks an OpenAI-compatible chat-completions endpoint.

The model is given the same live facts the built-in responder answers from, and the
last messages of the conversation. Any failure (unreachable, slower than the
timeout, an HTTP error, a body that is not the expected JSON) falls back to the
built-in answer, so the user always gets one. The standard library's ``http.client``
is enough for one POST; the timeout covers the whole exchange, not each read.
"""

from __future__ import annotations

import http.client
import json
import logging
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime

from assistant_chat.models import ChatRole
from assistant_chat.responders.base import Question
from assistant_chat.responders.builtin import BuiltinResponder
from assistant_chat.selectors import conversation_tail

logger = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 1_000_000
HISTORY_MESSAGES = 6
MAX_ANSWER_CHARACTERS = 4000

SYSTEM_PROMPT = """\
You are the booking assistant of Studyhall, a small learning business that runs \
workshops. Today is {today}. Answer the visitor's last question briefly, in the \
language they wrote in, using only the facts below; never invent a workshop, a date, \
a seat count or a booking. Link to pages with Markdown links whose targets are the \
paths that appear in the facts, such as [My orders](/orders/). If the facts do not \
answer the question, say so and say what you can help with.

Facts, as of now:

{facts}"""


class BackendFailed(Exception):
    """The endpoint gave no usable answer."""


def _post_json(url: str, payload: dict[str, Any], *, api_key: str, timeout: float) -> Any:
    """POST ``payload`` as JSON and return the decoded JSON answer, all within
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise BackendFailed(f"no answer within {timeout:g} s")
        return left

    parts = urlsplit(url)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    elif parts.scheme == "http":
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    else:
        raise BackendFailed(f"unsupported URL scheme {parts.scheme!r}")
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    try:
        connection.request("POST", path, body=json.dumps(payload).encode(), headers=headers)
        # The response keeps reading from this socket after the connection lets go of it.
        sock = connection.sock
        sock.settimeout(remaining())
        response = connection.getresponse()
        if response.status != 200:
            raise BackendFailed(f"HTTP {response.status} {response.reason}")
        body = bytearray()
        while not response.isclosed():  # it closes itself once the whole body is read
            sock.settimeout(remaining())
            chunk = response.read1(65536)
            if not chunk:
                break
            body += chunk
            if len(body) > MAX_RESPONSE_BYTES:
                raise BackendFailed(f"answer larger than {MAX_RESPONSE_BYTES} bytes")
    except TimeoutError:
        raise BackendFailed(f"no answer within {timeout:g} s") from None
    except (OSError, http.client.HTTPException) as error:
        raise BackendFailed(f"{error.__class__.__name__}: {error}") from None
    finally:
        connection.close()
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise BackendFailed(f"malformed JSON: {error.__class__.__name__}") from None


def _content(answer: Any) -> str:
    """The assistant's text in a chat-completions answer."""
    try:
        content = answer["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise BackendFailed("no choices[0].message.content in the answer") from None
    if not isinstance(content, str) or not content.strip():
        raise BackendFailed("an empty answer")
    return content.strip()[:MAX_ANSWER_CHARACTERS]


def completions_url(api_url: str) -> str:
    """``STUDYHALL_ASSISTANT_API_URL`` may be the API's base (``…/v1``) or the full
    chat-completions URL."""
    api_url = api_url.rstrip("/")
    return api_url if api_url.endswith("/chat/completions") else f"{api_url}/chat/completions"


class OpenAICompatibleResponder:
    def __init__(self, *, api_url: str, api_key: str, model: str, timeout: float) -> None:
        self.url = completions_url(api_url)
        self.api_key = api_key
        self.model = model
        self.timeout = timeout
        self.builtin = BuiltinResponder()

    def reply(self, question: Question) -> str:
        builtin = self.builtin.reply(question)
        try:
            answer = _post_json(
                self.url,
                self._payload(question, builtin),
                api_key=self.api_key,
                timeout=self.timeout,
            )
            return _content(answer)
        except BackendFailed as failure:
            logger.warning(
                "assistant backend %s failed, built-in answer used: %s", self.url, failure
            )
            return builtin

    def _payload(self, question: Question, builtin: str) -> dict[str, Any]:
        system = SYSTEM_PROMPT.format(
            today=date_format(localtime(question.now), "l j F Y, H:i"),
            facts=self.builtin.facts(question, answer=builtin),
        )
        messages = [{"role": "system", "content": system}]
        if question.session_id is not None:
            for message in conversation_tail(
                session_id=question.session_id, limit=HISTORY_MESSAGES
            ):
                role = "user" if message.role == ChatRole.USER else "assistant"
                messages.append({"role": role, "content": message.content})
        messages.append({"role": "user", "content": question.text})
        return {"model": self.model, "messages": messages, "temperature": 0.2, "max_tokens": 600}
