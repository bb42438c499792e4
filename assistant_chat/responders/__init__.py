"""Responders answer questions; settings choose which (``STUDYHALL_ASSISTANT_BACKEND``).

- ``builtin`` (the default): ``BuiltinResponder`` answers from the live database.
- ``openai``: ``OpenAICompatibleResponder`` asks an OpenAI-compatible endpoint, given
  the same live facts, and falls back to the built-in answer on any failure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings

from assistant_chat.responders.base import Question, Responder
from assistant_chat.responders.builtin import BuiltinResponder
from assistant_chat.responders.openai import OpenAICompatibleResponder

__all__ = ["BACKENDS", "Question", "Responder", "configured_responder"]


def _openai(config: dict[str, Any]) -> Responder:
    return OpenAICompatibleResponder(
        api_url=config["API_URL"],
        api_key=config["API_KEY"],
        model=config["MODEL"],
        timeout=config["TIMEOUT"],
    )


BACKENDS: dict[str, Callable[[dict[str, Any]], Responder]] = {
    "builtin": lambda config: BuiltinResponder(),
    "openai": _openai,
}


def configured_responder() -> Responder:
    """The responder the settings name; the system check refuses an unknown name."""
    config = settings.ASSISTANT
    return BACKENDS[config["BACKEND"]](config)
