"""Chat logging throughput: ``chat_exchange_log`` against the same inserts in raw SQL.

16 writer processes (app servers' workers, without HTTP) log exchanges as fast as they
can, each as a visitor of its own: a quarter of the exchanges start a new conversation
(a session id proposed by the client), the rest continue one of the writer's earlier
conversations. Phases alternate between the service and the baseline, which runs the
same statements in raw SQL through the same Django connection and transaction: the
session's ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (create it or reserve two
sequence numbers in it), ``INSERT`` the question, ``INSERT`` the answer. Every message
is counted afterwards: none may be lost, and every session's count must equal its
messages.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import time
import uuid
from dataclasses import dataclass

WRITERS = 16
NEW_SESSION_SHARE = 0.25
EARLIER_CONVERSATIONS = 20  # per writer and phase, made before the phase starts
NAMESPACE = uuid.UUID("0b6c2f4e-7d1a-4e8b-9c3f-5a2d1e0f4b7c")
QUESTION = "When is the next Intro to Python session, and are there seats left?"
ANSWER = (
    "[Intro to Python Programming](/workshops/intro-to-python/), next sessions:\n\n"
    "- Mon 30 Nov, 18:00–20:30 (Weekday cohort, day 1): 10 seats left\n"
    "- Wed 2 Dec, 18:00–20:30 (Weekday cohort, day 2): 11 seats left\n"
    "- Fri 4 Dec, 18:00–20:30 (Weekday cohort, day 3): 12 seats left\n\n"
    "Open the workshop to choose a session and book a seat."
)

RAW_SESSION = """
INSERT INTO assistant_chat_chatsession AS chat
    (id, user_id, visitor_key, title, created_at, last_message_at, message_count)
VALUES (%s, NULL, %s, %s, %s, %s, 2)
ON CONFLICT (id) DO UPDATE
   SET message_count = chat.message_count + 2, last_message_at = excluded.last_message_at
 WHERE chat.visitor_key = %s
RETURNING message_count
"""
RAW_MESSAGE = """
INSERT INTO assistant_chat_chatmessage
    (session_id, sequence, role, content, client_message_id, reply_to_id, created_at)
VALUES (%s, %s, %s, %s, %s, %s, %s)
RETURNING id
"""


@dataclass
class ChatPhase:
    name: str
    path: str  # "service" or "raw"
    exchanges: int
    seconds: float
    messages: int
    lost: int  # messages the writers logged that are not in the database
    miscounted: int  # sessions whose message_count is not their number of messages

    @property
    def per_second(self) -> float:
        return self.exchanges / self.seconds


def visitor_key(phase: str, writer: int) -> str:
    return f"bench-{phase}-{writer}"


def earlier_session(phase: str, writer: int, n: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{phase}/{writer}/{n}")


def seed_conversations(phases: list[str]) -> None:
    """Each writer's earlier conversations for each phase, one exchange each, in bulk."""
    from django.db import transaction
    from django.utils import timezone

    now = timezone.now()
    # One transaction: PostgreSQL checks each conversation's count when it commits.
    with transaction.atomic():
        _seed(now, phases)


def _seed(now, phases: list[str]) -> None:
    from assistant_chat.models import ChatMessage, ChatSession

    sessions = ChatSession.objects.bulk_create(
        ChatSession(
            id=earlier_session(phase, w, n),
            visitor_key=visitor_key(phase, w),
            title=QUESTION,
            created_at=now,
            last_message_at=now,
            message_count=2,
        )
        for phase in phases
        for w in range(WRITERS)
        for n in range(EARLIER_CONVERSATIONS)
    )
    questions = ChatMessage.objects.bulk_create(
        ChatMessage(session=s, sequence=1, role="user", content=QUESTION, created_at=now)
        for s in sessions
    )
    ChatMessage.objects.bulk_create(
        ChatMessage(
            session_id=q.session_id,
            sequence=2,
            role="assistant",
            content=ANSWER,
            reply_to=q,
            created_at=now,
        )
        for q in questions
    )


def _log_with_service(session_id: uuid.UUID, key: str, client_id: str) -> None:
    from assistant_chat.owners import ChatOwner
    from assistant_chat.services import chat_exchange_log

    chat_exchange_log(
        session_id=session_id,
        owner=ChatOwner(visitor_key=key),
        question=QUESTION,
        answer=ANSWER,
        client_message_id=client_id,
    )


def _log_with_raw_sql(session_id: uuid.UUID, key: str, client_id: str) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(RAW_SESSION, [session_id, key, QUESTION[:80], now, now, key])
        (last,) = cursor.fetchone()
        cursor.execute(RAW_MESSAGE, [session_id, last - 1, "user", QUESTION, client_id, None, now])
        (question_id,) = cursor.fetchone()
        cursor.execute(RAW_MESSAGE, [session_id, last, "assistant", ANSWER, None, question_id, now])


def _writer(number: int, plan: list[tuple[str, str, int]], barrier, results) -> None:
    """One writer process: for each phase, wait for everyone, log exchanges until the
    phase's time is up, report how many, and wait for everyone again."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    import django

    django.setup()
    log = {"service": _log_with_service, "raw": _log_with_raw_sql}
    rng = random.Random(number)
    for phase, path, duration in plan:
        key = visitor_key(phase, number)
        conversations = [earlier_session(phase, number, n) for n in range(EARLIER_CONVERSATIONS)]
        barrier.wait()
        done = 0
        started = time.monotonic()
        deadline = started + duration
        while time.monotonic() < deadline:
            if rng.random() < NEW_SESSION_SHARE:
                session_id = uuid.uuid4()
                conversations.append(session_id)
            else:
                session_id = rng.choice(conversations)
            log[path](session_id, key, uuid.uuid4().hex)
            done += 1
        results.put((phase, done, time.monotonic() - started))
        barrier.wait()


def count_messages(phase: str) -> tuple[int, int]:
    """Messages stored for the phase's writers, and sessions whose count is not their
    number of messages."""
    from django.db.models import Count, F, Q

    from assistant_chat.models import ChatMessage, ChatSession

    owners = Q(visitor_key__startswith=f"bench-{phase}-")
    stored = ChatMessage.objects.filter(session__in=ChatSession.objects.filter(owners)).count()
    wrong = (
        ChatSession.objects.filter(owners)
        .annotate(stored=Count("messages"))
        .exclude(message_count=F("stored"))
        .count()
    )
    return stored, wrong


def run(*, seconds: int, rounds: int, warmup: int) -> tuple[ChatPhase, ChatPhase]:
    """Run the warm-up and the alternating rounds; return the service's and the raw
    baseline's totals."""
    from django.db import connection

    plan = [("warm-service", "service", warmup), ("warm-raw", "raw", warmup)] + [
        (f"{path}-{n}", path, seconds) for n in range(rounds) for path in ("service", "raw")
    ]
    phases = [name for name, _, _ in plan]
    seed_conversations(phases)
    connection.close()

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WRITERS + 1)
    results = context.Queue()
    writers = [
        context.Process(target=_writer, args=(n, plan, barrier, results)) for n in range(WRITERS)
    ]
    for writer in writers:
        writer.start()
    reported: dict[str, list[tuple[int, float]]] = {name: [] for name in phases}
    for _ in phases:
        barrier.wait()  # everyone starts together
        barrier.wait()  # everyone has finished
        for _ in range(WRITERS):
            phase, done, elapsed = results.get(timeout=60)
            reported[phase].append((done, elapsed))
    for writer in writers:
        writer.join(timeout=60)

    totals = {path: ChatPhase(path, path, 0, 0.0, 0, 0, 0) for path in ("service", "raw")}
    for name, path, _ in plan:
        if name.startswith("warm"):
            continue
        exchanges = sum(done for done, _ in reported[name])
        stored, wrong = count_messages(name)
        expected = 2 * (exchanges + WRITERS * EARLIER_CONVERSATIONS)
        total = totals[path]
        total.exchanges += exchanges
        total.seconds += max(elapsed for _, elapsed in reported[name])
        total.messages += stored
        total.lost += expected - stored
        total.miscounted += wrong
    return totals["service"], totals["raw"]
