"""Settings shared by every environment. Everything that differs comes from the environment."""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

import environ
from babel.numbers import get_currency_precision, is_currency
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default=None)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

TIME_ZONE = env("DJANGO_TIME_ZONE", default="UTC")
# English and Arabic: the language comes from the visitor's choice (a cookie, and their
# account when signed in), else their browser's Accept-Language. No URL prefixes.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
# No script reads it; production sends it over HTTPS only (production.py).
LANGUAGE_COOKIE_HTTPONLY = True
# Arabic pages write numbers with Arabic-Indic digits (٠١٢٣) when set, else 0123.
STUDYHALL_ARABIC_DIGITS = env.bool("STUDYHALL_ARABIC_DIGITS", default=False)
USE_I18N = True
USE_TZ = True
# Dates the admin and the date filter write without a format of their own.
FORMAT_MODULE_PATH = ["config.formats"]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'studyhall.sqlite3'}")
}
# A new connection per request costs more than the request itself (docs/benchmarks.md).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Seconds a statement waits for a row another transaction has locked (PostgreSQL), for
# pages and commands alike: set once per connection, so a stuck lock is a quick 503
# (or exit code 3) instead of a hung worker, at no cost per request (core/locking.py).
STUDYHALL_DB_LOCK_TIMEOUT = env.int("STUDYHALL_DB_LOCK_TIMEOUT", default=10)
if STUDYHALL_DB_LOCK_TIMEOUT < 1:
    raise ImproperlyConfigured("STUDYHALL_DB_LOCK_TIMEOUT must be at least 1 second.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (
        f"{_options.get('options', '')} -c lock_timeout={STUDYHALL_DB_LOCK_TIMEOUT * 1000}"
    ).strip()
# SQLite, the embedded default (`make run`): one writer at a time, so writers queue
# instead of failing. WAL lets pages read while someone books; every transaction takes
# the write lock when it begins (BEGIN IMMEDIATE), so two bookings never both read and
# then both ask for the lock, which SQLite refuses at once ("database is locked");
# and a writer waits up to STUDYHALL_SQLITE_TIMEOUT seconds for its turn.
STUDYHALL_SQLITE_TIMEOUT = env.float("STUDYHALL_SQLITE_TIMEOUT", default=20)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": STUDYHALL_SQLITE_TIMEOUT,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # naturaltime: "3 hours ago", in both languages.
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "core",
    "accounts",
    "workshops",
    "orders",
    "integrity",
    "tutoring",
    "assistant_chat",
    "demo",
    # Before django_tasks_db: its db_worker command is emails' (it also picks up what a
    # stopped worker left).
    "emails",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Styled pages for bare error responses; outside everything that makes them.
    "core.middleware.ExplainErrorsMiddleware",
    # A database that does not answer in time is a 503, wherever it failed inside.
    "core.middleware.DatabaseUnavailableMiddleware",
    # Input no page can take is refused before any view or session sees it.
    "core.middleware.BadInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Inside CommonMiddleware, so the Content-Length it sets counts the new digits.
    "core.middleware.ArabicDigitsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Pages answered to someone signed in are kept out of every cache.
    "core.middleware.PrivatePagesMiddleware",
    # Signing in gives the browser the account's language.
    "accounts.middleware.AccountLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    # Last, so it sees the response of a login that axes refused.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy on every response (Django's own). Scripts only from
# Studyhall itself or with the response's nonce; no inline script, no plugins, no
# framing. Pico's icons are data: images inside its stylesheet.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
# Browser features no page of Studyhall uses (core.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses a login for a locked username or address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes, accounts/throttle.py), kept in the database so every
# app server sees the same counts.
AXES_HANDLER = "accounts.throttle.LoginThrottle"
AXES_FAILURE_LIMIT = env.int("STUDYHALL_LOGIN_FAILURES_PER_USERNAME", default=10)
STUDYHALL_LOGIN_FAILURES_PER_ADDRESS = env.int("STUDYHALL_LOGIN_FAILURES_PER_ADDRESS", default=100)
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=env.int("STUDYHALL_LOGIN_LOCKOUT_MINUTES", default=15)
)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # LoginThrottle relies on this order
AXES_RESET_ON_SUCCESS = False  # LoginThrottle clears the username's own failures instead
# A lock lasts its minutes from the failure that set it; trying during the lock does
# not start it again.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "core.clientip.client_ip"
# Operators need the username and address of failed logins in the log; the password
# is never logged.
AXES_SENSITIVE_PARAMETERS = []
# Behind a proxy: the header it sets with the client's address (see the README).
STUDYHALL_CLIENT_IP_HEADER = env("STUDYHALL_CLIENT_IP_HEADER", default="")
# The default cache holds what every app server must share: the assistant's rate limit
# and its count of exchanges that could not be logged. STUDYHALL_CACHE_URL names it,
# e.g. redis://127.0.0.1:6379/0 (Django's Redis backend: atomic counts, off the
# database). Unset, it is this process's memory: right for `make run`, one process;
# production refuses to start without it.
CACHES = {"default": env.cache_url("STUDYHALL_CACHE_URL", default="locmemcache://")}

# The booking assistant (assistant_chat).
ASSISTANT = {
    # builtin: answers from the database; openai: an OpenAI-compatible endpoint, given the
    # same facts, falling back to builtin on any failure.
    "BACKEND": env("STUDYHALL_ASSISTANT_BACKEND", default="builtin"),
    "API_URL": env("STUDYHALL_ASSISTANT_API_URL", default=""),
    "API_KEY": env("STUDYHALL_ASSISTANT_API_KEY", default=""),
    "MODEL": env("STUDYHALL_ASSISTANT_MODEL", default=""),
    "TIMEOUT": env.float("STUDYHALL_ASSISTANT_TIMEOUT", default=6.0),
    "RATE_LIMIT": env.int("STUDYHALL_ASSISTANT_RATE_LIMIT", default=30),
    # Per client address (STUDYHALL_CLIENT_IP_HEADER behind a proxy): high, since a
    # classroom shares one address; it stops a client that drops its cookies.
    "RATE_LIMIT_PER_ADDRESS": env.int("STUDYHALL_ASSISTANT_RATE_LIMIT_PER_ADDRESS", default=300),
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

STATIC_URL = "static/"
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def mailer_from_url(url: str) -> dict:
    """A ``MAILERS`` entry from an email URL (django-environ's format), e.g.
    ``smtp+tls://user:password@smtp.example.org:587`` or ``consolemail://``."""
    config = environ.Env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    options = {}
    if backend.endswith("smtp.EmailBackend"):
        options = {
            "host": config.get("EMAIL_HOST"),
            "port": config.get("EMAIL_PORT"),
            "username": config.get("EMAIL_HOST_USER"),
            "password": config.get("EMAIL_HOST_PASSWORD"),
            "use_tls": config.get("EMAIL_USE_TLS", False),
            "use_ssl": config.get("EMAIL_USE_SSL", False),
            "timeout": 10,
        }
    elif backend.endswith("filebased.EmailBackend"):
        # filemail:///var/mail/studyhall is that absolute folder; filemail://var/mail a
        # folder under the working directory. (django-environ drops the leading slash.)
        parts = urlsplit(url)
        options = {"file_path": f"{parts.netloc}{parts.path}" or None}
    return {"BACKEND": backend, "OPTIONS": {k: v for k, v in options.items() if v is not None}}


# Mail: the console in development; SMTP in production (see the README).
MAILERS = {"default": mailer_from_url(env("DJANGO_EMAIL_URL", default="consolemail://"))}
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Studyhall <noreply@localhost>")

# Background jobs (emails): a queue in the database, worked by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# How long after a failed send each next attempt waits, in seconds; after the last the
# email is recorded as failed (staff can send it again from the admin). The default waits
# 1 min, 5 min, 15 min, 1 h, 2 h, 4 h, 8 h and 12 h: over a day in all.
STUDYHALL_EMAIL_RETRY_DELAYS = tuple(
    env.list(
        "STUDYHALL_EMAIL_RETRY_DELAYS",
        cast=float,
        default=[60, 300, 900, 3600, 7200, 14400, 28800, 43200],
    )
)
if not STUDYHALL_EMAIL_RETRY_DELAYS or min(STUDYHALL_EMAIL_RETRY_DELAYS) <= 0:
    raise ImproperlyConfigured(
        "STUDYHALL_EMAIL_RETRY_DELAYS must be one or more positive numbers of seconds, "
        "separated by commas, such as 60,300,900."
    )
# A booked seat's reminder goes this many hours before its session starts.
STUDYHALL_REMINDER_HOURS = env.int("STUDYHALL_REMINDER_HOURS", default=24)
if not 1 <= STUDYHALL_REMINDER_HOURS <= 24 * 14:
    raise ImproperlyConfigured("STUDYHALL_REMINDER_HOURS must be a whole number from 1 to 336.")

# Studyhall's own settings.
# The currency of every price (ISO 4217). Amounts are entered and shown with its
# decimal places (KWD 3, USD 2, JPY 0) and stored with three.
STUDYHALL_CURRENCY = env("STUDYHALL_CURRENCY", default="USD").strip().upper()
if not is_currency(STUDYHALL_CURRENCY) or get_currency_precision(STUDYHALL_CURRENCY) > 3:
    raise ImproperlyConfigured(
        "STUDYHALL_CURRENCY must be an ISO 4217 currency code with at most three decimal "
        f"places, such as USD or KWD, not {STUDYHALL_CURRENCY!r}."
    )

STUDYHALL_TUTORING_REQUEST_TTL_HOURS = env.int("STUDYHALL_TUTORING_REQUEST_TTL_HOURS", default=72)
if STUDYHALL_TUTORING_REQUEST_TTL_HOURS < 1:
    raise ImproperlyConfigured("STUDYHALL_TUTORING_REQUEST_TTL_HOURS must be at least 1.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # The throttle's start-up banner would be a second line on every command's stderr;
    # its warnings (failed logins, locks) still come through.
    # Each job's start and end is the worker's log (db_worker turns it on); the web
    # processes that run none say nothing of them.
    "loggers": {"axes.apps": {"level": "WARNING"}, "django.tasks": {"level": "WARNING"}},
}

# Studyhall's own settings, each from an environment variable of the same name.

# The public address of the site: scheme, host and port, no path. Links sent or
# printed outside a request (emails, provision_host's host links) start with it.
STUDYHALL_SITE_URL = env("STUDYHALL_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
_site = urlsplit(STUDYHALL_SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.netloc or _site.path or _site.query:
    raise ImproperlyConfigured(
        "STUDYHALL_SITE_URL must be the site's address, such as https://studyhall.example.org, "
        f"not {STUDYHALL_SITE_URL!r}."
    )
# A host link stops opening this many hours after the later of its session's end and
# its last rotation (docs/invariants.md, host_session).
STUDYHALL_HOST_LINK_GRACE_HOURS = env.int("STUDYHALL_HOST_LINK_GRACE_HOURS", default=12)
if STUDYHALL_HOST_LINK_GRACE_HOURS < 0:
    raise ImproperlyConfigured("STUDYHALL_HOST_LINK_GRACE_HOURS cannot be negative.")
# Hosts can check attendees in from this many minutes before a session starts to the
# end of its day (orders.services.checkin); staff fix attendance later in the admin.
STUDYHALL_CHECK_IN_OPENS_MINUTES = env.int("STUDYHALL_CHECK_IN_OPENS_MINUTES", default=60)
if STUDYHALL_CHECK_IN_OPENS_MINUTES < 0:
    raise ImproperlyConfigured("STUDYHALL_CHECK_IN_OPENS_MINUTES cannot be negative.")
# Seconds a management command waits for the database to answer before it gives up
# with exit code 3 (core/commands.py).
STUDYHALL_DB_CONNECT_TIMEOUT = env.int("STUDYHALL_DB_CONNECT_TIMEOUT", default=5)

if STUDYHALL_DB_CONNECT_TIMEOUT < 1:
    raise ImproperlyConfigured("STUDYHALL_DB_CONNECT_TIMEOUT must be at least 1 second.")
