"""Settings for the test suite. DATABASE_URL selects PostgreSQL or SQLite."""

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests render pages without running collectstatic first.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Threads in concurrency tests each hold a connection; close them with the thread.
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": env("STUDYHALL_TEST_DB_NAME", default=None)}
# Serve from the source folders as `runserver` does; no collectstatic before tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The login throttle refuses authenticate() calls without a request, as the test
# client's login() makes; its own tests turn it on (accounts/tests/test_throttle.py).
AXES_ENABLED = False
# This process's memory, whatever STUDYHALL_CACHE_URL says, emptied before each test;
# the threads of a race share it as app servers share Redis. Redis has its own tests.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Jobs run as they are enqueued, in the test's own process (after the commit they wait
# for). The worker tests start real `db_worker` processes on the database queue
# (STUDYHALL_TEST_TASKS=database, emails/tests/test_worker.py).
if env("STUDYHALL_TEST_TASKS", default="immediate") == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
