"""Settings for `make bench` only: production behaviour on plain HTTP, plus the
raw-SQL baseline endpoint mounted by ``bench.urls``. Never used in production."""

from .base import *  # noqa: F403
from .base import LOGGING as BASE_LOGGING
from .base import env

DEBUG = False
SECRET_KEY = "bench-only-not-secret"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
LOGGING = {
    **BASE_LOGGING,
    "root": {**BASE_LOGGING["root"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}
