import uuid

import factory

from assistant_chat.models import ChatMessage, ChatRole, ChatSession


class ChatSessionFactory(factory.django.DjangoModelFactory):
    """A session row as storage holds it. Tests of behaviour log through the service."""

    class Meta:
        model = ChatSession

    id = factory.LazyFunction(uuid.uuid4)
    user = None
    visitor_key = factory.Sequence(lambda n: f"visitor-key-{n}")
    title = "Which workshops have seats left?"


class ChatMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatMessage

    session = factory.SubFactory(ChatSessionFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    role = ChatRole.USER
    content = "Which workshops have seats left?"
