import uuid

import factory
from django.db import transaction
from django.db.models import Max

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
    """A message row, numbered after its conversation's last and counted in its
    ``message_count`` (PostgreSQL checks both when a transaction ends, and Django's
    test cases at their end). Tests of behaviour log through the service."""

    class Meta:
        model = ChatMessage

    session = factory.SubFactory(ChatSessionFactory)
    sequence = None
    role = ChatRole.USER
    content = "Which workshops have seats left?"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        session = kwargs["session"]
        with transaction.atomic():
            if kwargs.get("sequence") is None:
                last = model_class.objects.filter(session=session).aggregate(top=Max("sequence"))
                kwargs["sequence"] = (last["top"] or 0) + 1
            message = super()._create(model_class, *args, **kwargs)
            ChatSession.objects.filter(pk=session.pk).update(
                message_count=model_class.objects.filter(session=session).count()
            )
        return message
