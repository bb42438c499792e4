"""The chat page (works without JavaScript) and the JSON API its script uses."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from assistant_chat.counters import RateLimited, rate_limit_hit
from assistant_chat.forms import ChatMessageForm
from assistant_chat.markup import render_markup
from assistant_chat.models import ChatRole, ChatSession
from assistant_chat.owners import (
    ChatOwner,
    current_conversation,
    owner_for,
    remember_conversation,
)
from assistant_chat.selectors import conversation_for, conversation_messages, conversations_for
from assistant_chat.services import (
    ChatReply,
    ChatSessionNotFound,
    chat_question_answer,
    chat_session_delete,
)
from core.clientip import client_ip

SUGGESTIONS = (
    gettext_lazy("Which workshops have seats left?"),
    gettext_lazy("When is the next Intro to Python session?"),
    gettext_lazy("What are my bookings?"),
    gettext_lazy("How do I cancel a booking?"),
)


def _ask(request: HttpRequest, form: ChatMessageForm) -> ChatReply | RateLimited:
    """Count the message against the owner's rate limit, then answer and log it.
    Raises ``ChatSessionNotFound`` for someone else's conversation."""
    now = timezone.now()
    owner = owner_for(request, create=True)
    limited = rate_limit_hit(owner=owner, address=client_ip(request), now=now)
    if limited is not None:
        return limited
    reply = chat_question_answer(
        owner=owner,
        question=form.cleaned_data["message"],
        session_id=form.cleaned_data["session_id"],
        client_message_id=form.cleaned_data["client_message_id"],
        user=request.user,
        now=now,
    )
    remember_conversation(request, reply.session_id)
    return reply


def _shown_conversation(
    request: HttpRequest, owner: ChatOwner | None, conversations: list[ChatSession]
) -> ChatSession | None:
    """``?conversation=<id>`` when it is the owner's (else 404), nothing for ``?new``,
    else the current one, else (for a user) their most recent."""
    if "new" in request.GET:
        return None
    asked = request.GET.get("conversation")
    if asked is not None:
        try:
            session_id = uuid.UUID(asked)
        except ValueError:
            raise Http404("No such conversation.") from None
    elif owner is None:
        return None
    else:
        session_id = current_conversation(request)
        if session_id is None:
            return conversations[0] if conversations else None
    found = next((c for c in conversations if c.pk == session_id), None)
    if found is None and owner is not None:
        found = conversation_for(owner=owner, session_id=session_id)
    if found is None and asked is not None:
        raise Http404("No such conversation.")
    return found


def _chat_page(
    request: HttpRequest, *, form: ChatMessageForm | None = None, status: int = 200
) -> HttpResponse:
    owner = owner_for(request)
    conversations = (
        conversations_for(owner=owner) if request.user.is_authenticated and owner else []
    )
    conversation = _shown_conversation(request, owner, conversations)
    if form is None:
        form = ChatMessageForm(
            initial={
                # A new conversation gets its id now, in the page: sending the form
                # twice, or retrying its first message, then lands in one conversation.
                "session_id": conversation.pk if conversation else uuid.uuid4(),
                "client_message_id": uuid.uuid4(),
            }
        )
    context = {
        "form": form,
        "conversation": conversation,
        "conversations": conversations,
        "chat_messages": (
            conversation_messages(session_id=conversation.pk) if conversation else []
        ),
        "suggestions": SUGGESTIONS,
    }
    return render(request, "assistant_chat/chat.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def chat(request: HttpRequest) -> HttpResponse:
    """GET shows the conversation; POST asks a question, then shows it again."""
    if request.method == "GET":
        return _chat_page(request)
    form = ChatMessageForm(request.POST)
    if not form.is_valid():
        return _chat_page(request, form=form, status=400)
    try:
        outcome = _ask(request, form)
    except ChatSessionNotFound:
        raise Http404("No such conversation.") from None
    if isinstance(outcome, RateLimited):
        form.add_error(None, outcome.message)
        return _chat_page(request, form=form, status=429)
    return redirect(f"{reverse('assistant:chat')}#ask")


@login_required
@require_http_methods(["GET", "POST"])
def delete_conversation(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm (the page's button leads here, and it works without
    JavaScript); POST deletes the conversation and its messages."""
    data = request.POST if request.method == "POST" else request.GET
    try:
        session_id = uuid.UUID(data.get("session_id", ""))
    except ValueError:
        raise Http404("No such conversation.") from None
    if request.method == "GET":
        conversation = conversation_for(owner=owner_for(request), session_id=session_id)
        if conversation is None:
            raise Http404("No such conversation.")
        return render(request, "assistant_chat/confirm_delete.html", {"conversation": conversation})
    if not chat_session_delete(session_id=session_id, user=request.user):
        raise Http404("No such conversation.")
    if current_conversation(request) == session_id:
        remember_conversation(request, None)
    messages.success(request, _("The conversation is deleted."))
    return redirect("assistant:chat")


# -- JSON API ------------------------------------------------------------------------


def is_text(value: str) -> bool:
    """Whether ``value`` is text UTF-8 can carry (no lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json(payload: dict[str, Any], status: int = 200) -> JsonResponse:
    # Arabic questions and answers stay readable in the response.
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


def _error(message: str, status: int, **extra: Any) -> JsonResponse:
    return _json({"error": message, **extra}, status=status)


def _payload(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    """The request's JSON object, or the 4xx that says why it is not one: 415 for a
    body that is not JSON (a form, text, nothing said), 400 for JSON that is not an
    object of text fields."""
    if request.content_type != "application/json":
        return _error("Send the message as JSON (Content-Type: application/json).", 415)
    try:
        payload = json.loads(request.body)
    except RequestDataTooBig:
        return _error("The request is too large.", 400)
    except (ValueError, RecursionError):  # UnicodeDecodeError, or nested past any use
        return _error("The body must be a JSON object.", 400)
    if not isinstance(payload, dict):
        return _error("The body must be a JSON object.", 400)
    for field in ("message", "session_id", "client_message_id"):
        value = payload.get(field)
        if value is not None and not isinstance(value, str):
            return _error(f"{field} must be a string.", 400, field=field)
        if value is not None and not is_text(value):
            # A lone surrogate ("\ud800") parses as JSON but is no character: nothing
            # could store it or send it back.
            return _error(f"{field} contains something that is not text.", 400, field=field)
    return payload


@require_POST
def api_messages(request: HttpRequest) -> JsonResponse:
    """``{"session_id"?, "message", "client_message_id"?}`` → the answer, as text and as
    the HTML the page shows. CSRF-protected like every browser POST."""
    payload = _payload(request)
    if isinstance(payload, JsonResponse):
        return payload
    form = ChatMessageForm(
        {
            "message": payload.get("message") or "",
            "session_id": payload.get("session_id") or "",
            "client_message_id": payload.get("client_message_id") or "",
        }
    )
    if not form.is_valid():
        field, message = form.first_error()
        return _error(message, 400, field=field)
    try:
        outcome = _ask(request, form)
    except ChatSessionNotFound as refusal:
        return _error(refusal.message, 404)
    if isinstance(outcome, RateLimited):
        response = _error(outcome.message, 429, retry_after=outcome.retry_after)
        response["Retry-After"] = str(outcome.retry_after)
        return response
    exchange = [
        {"role": ChatRole.USER, "content": form.cleaned_data["message"]},
        {"role": ChatRole.ASSISTANT, "content": outcome.answer},
    ]
    return _json(
        {
            "session_id": str(outcome.session_id),
            "reply": outcome.answer,
            "reply_html": render_markup(outcome.answer),
            "html": render_to_string(
                "partials/chat_messages.html", {"chat_messages": exchange}, request=request
            ),
            "retried": outcome.retried,
        }
    )
