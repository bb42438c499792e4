"""Counts every app server shares: logging failures on /healthz, and the rate limit.

They live in the shared cache. When the cache cannot be reached either, a failure is
still logged and held in the process until it can be counted; a rate limit lets the
message through rather than take the assistant down.
"""

import datetime
import socket
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from assistant_chat import monitoring
from assistant_chat.checks import check_shared_cache
from assistant_chat.counters import rate_limit_hit
from assistant_chat.monitoring import LOG_FAILURES_KEY, log_failure_record, log_failure_report
from assistant_chat.owners import ChatOwner

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.9"
OWNER = ChatOwner(visitor_key="visitor-monitoring")
NOW = datetime.datetime(2030, 3, 4, 10, 0, 30, tzinfo=datetime.UTC)


def fail_once() -> None:
    log_failure_record(session_id=uuid.uuid4(), owner=OWNER, error=RuntimeError("boom"))


def another_server_reads() -> int:
    """What a server that shares nothing with this process but the cache sees."""
    return cache.get(LOG_FAILURES_KEY, 0)


def test_healthz_shows_the_failure_count_without_turning_unhealthy(client, log_failures):
    before = client.get(reverse("healthz")).json()["assistant"]["log_failures"]
    fail_once()
    fail_once()
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["assistant"] == {"log_failures": before + 2}


def test_a_failure_is_counted_in_the_shared_cache(log_failures):
    before = another_server_reads()
    fail_once()
    assert another_server_reads() == before + 1


# -- when the cache is down too ----------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unreachable_cache(settings, monkeypatch):
    """A Redis cache that refuses connections, as when the cache server is down."""
    monkeypatch.setattr(monitoring, "_unsynced", 0)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


def test_with_the_cache_down_a_failure_is_logged_and_held_in_the_process(unreachable_cache, caplog):
    fail_once()
    assert "chat exchange not logged" in caplog.text
    assert log_failure_report() == {"log_failures": 1, "shared_count": "unreachable"}


def test_failures_held_in_the_process_reach_the_shared_count_when_it_answers(settings, monkeypatch):
    monkeypatch.setattr(monitoring, "_unsynced", 0)
    shared_caches = settings.CACHES
    before = cache.get(LOG_FAILURES_KEY, 0)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    fail_once()
    fail_once()
    settings.CACHES = shared_caches
    assert log_failure_report() == {"log_failures": before + 2}
    assert monitoring._unsynced == 0


def test_with_the_cache_down_the_rate_limit_lets_messages_through(unreachable_cache, caplog):
    assert rate_limit_hit(owner=OWNER, address=ADDRESS, now=NOW) is None
    assert "rate limit skipped" in caplog.text


def test_with_the_cache_down_the_chat_still_answers(unreachable_cache, client):
    response = client.post(
        reverse("assistant:api-messages"), {"message": "hello"}, content_type="application/json"
    )
    assert response.status_code == 200


# -- the rate limit ---------------------------------------------------------------------


def test_the_rate_limit_counts_per_calendar_minute(settings):
    settings.ASSISTANT = {**settings.ASSISTANT, "RATE_LIMIT": 2}
    assert rate_limit_hit(owner=OWNER, address=ADDRESS, now=NOW) is None
    assert rate_limit_hit(owner=OWNER, address=ADDRESS, now=NOW) is None
    limited = rate_limit_hit(owner=OWNER, address=ADDRESS, now=NOW)
    assert limited is not None and limited.retry_after == 30
    next_minute = NOW + datetime.timedelta(seconds=30)
    assert rate_limit_hit(owner=OWNER, address=ADDRESS, now=next_minute) is None


def test_an_address_that_keeps_changing_visitor_is_limited_too(settings):
    settings.ASSISTANT = {**settings.ASSISTANT, "RATE_LIMIT": 2, "RATE_LIMIT_PER_ADDRESS": 5}
    visitors = [ChatOwner(visitor_key=f"fresh-{n}") for n in range(6)]
    answers = [rate_limit_hit(owner=v, address=ADDRESS, now=NOW) for v in visitors]
    assert answers[:5] == [None] * 5
    assert answers[5] is not None and answers[5].limit == 5
    other_address = rate_limit_hit(owner=visitors[0], address="198.51.100.7", now=NOW)
    assert other_address is None


# -- Redis, as production runs it --------------------------------------------------------


@pytest.fixture
def redis_cache(settings):
    """The Redis every developer machine and CI run at 127.0.0.1:6379, under a key
    prefix of this test's own."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("no Redis answers at 127.0.0.1:6379")
    prefix = f"studyhall-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": prefix,
        }
    }
    yield
    client = cache._cache.get_client(write=True)
    keys = client.keys(f"{prefix}:*")
    if keys:
        client.delete(*keys)


def test_on_redis_the_failure_count_is_shared_and_never_expires(redis_cache, monkeypatch):
    monkeypatch.setattr(monitoring, "_unsynced", 0)
    fail_once()
    fail_once()
    assert another_server_reads() == 2
    assert cache._cache.get_client().ttl(cache.make_key(LOG_FAILURES_KEY)) == -1  # none
    assert log_failure_report() == {"log_failures": 2}


def test_on_redis_the_rate_limit_is_exact_and_expires(redis_cache, settings):
    settings.ASSISTANT = {**settings.ASSISTANT, "RATE_LIMIT": 3}
    results = [rate_limit_hit(owner=OWNER, address=ADDRESS, now=NOW) for _ in range(4)]
    assert [r is None for r in results] == [True, True, True, False]
    [key] = cache._cache.get_client().keys(cache.make_key(f"assistant:rate:{OWNER}:*"))
    assert 0 < cache._cache.get_client().ttl(key) <= 120


@pytest.mark.parametrize(
    ("backend", "warnings"),
    [
        ("django.core.cache.backends.redis.RedisCache", []),
        ("django.core.cache.backends.locmem.LocMemCache", ["assistant_chat.W001"]),
        ("django.core.cache.backends.db.DatabaseCache", ["assistant_chat.W002"]),
    ],
)
def test_check_deploy_warns_about_a_cache_that_is_not_shared_or_not_atomic(
    settings, backend, warnings
):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "studyhall"}}
    assert [message.id for message in check_shared_cache(None)] == warnings
