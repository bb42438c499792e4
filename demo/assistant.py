"""Demo conversations with the assistant: one visitor's and one student's.

Logged through the real service with the built-in responder's answers, under fixed
conversation and client message ids, so seeding again stores nothing twice.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import User

from assistant_chat.owners import ChatOwner
from assistant_chat.responders import Question
from assistant_chat.responders.builtin import BuiltinResponder
from assistant_chat.services import chat_exchange_log

DEMO_NAMESPACE = uuid.UUID("5b0c7d3e-8f1a-4c2b-9e6d-3a7f1c0b2d4e")
DEMO_VISITOR_KEY = "demo-visitor-q7Lr2xVb9Kd4"
# (login, or None for the visitor; the questions asked, in order)
CONVERSATIONS = (
    (
        None,
        (
            "Which workshops have seats left?",
            "When is the next Intro to Python session?",
            "متى الجلسة القادمة لورشة الخط العربي؟",
        ),
    ),
    ("amira", ("What are my bookings?", "How do I cancel a booking?")),
)


def seed_conversations() -> int:
    """Log the demo conversations; returns how many exchanges were new."""
    responder = BuiltinResponder()
    new = 0
    for username, questions in CONVERSATIONS:
        user = User.objects.get(username=username) if username else None
        owner = ChatOwner(user_id=user.pk) if user else ChatOwner(visitor_key=DEMO_VISITOR_KEY)
        session_id = uuid.uuid5(DEMO_NAMESPACE, username or DEMO_VISITOR_KEY)
        for number, text in enumerate(questions, start=1):
            answer = responder.reply(Question(text=text, user=user))
            logged = chat_exchange_log(
                session_id=session_id,
                owner=owner,
                question=text,
                answer=answer,
                client_message_id=f"demo-{number}",
            )
            new += not logged.retried
    return new
