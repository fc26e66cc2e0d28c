"""Commonweave settings: one file, driven by the environment.

SQLite under data/ by default; PostgreSQL when DATABASE_URL is set. Secrets come from
the environment or from a file named by the *_FILE variant (for container secrets).
"""

import ipaddress
import os
from pathlib import Path
from typing import Any, overload

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

# Lets generic Django classes be subscripted at run time (forms.ModelChoiceField[Place],
# QuerySet[Resident]) as they are in type annotations checked by mypy (make lint).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


@overload
def env(name: str) -> str | None: ...
@overload
def env(name: str, default: str) -> str: ...
def env(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text().strip()
    return os.environ.get(name, default)


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no setting. Anything else is refused: a typo such as COMMONWEAVE_PRODUCTION=ture
    must not quietly mean "no"."""
    value = env(name)
    if value is None or not value.strip():
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of {', '.join(sorted(TRUE_WORDS | FALSE_WORDS))}, not {value!r}"
    )


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated setting, without blanks."""
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
PRODUCTION = env_bool("COMMONWEAVE_PRODUCTION", False)
_secret_key = env("SECRET_KEY") or ("dev-only-insecure-key-change-me" if not PRODUCTION else None)
if not _secret_key:
    raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set in production")
SECRET_KEY: str = _secret_key
# The rule of Django's `check --deploy` (security.W009), enforced: a short or repetitive key
# can be guessed, and it signs sessions, password resets and the rate limits' hashes.
if PRODUCTION and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be at least 50 characters with at least 5 different ones in "
        "production (for example: python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )
# Keys the audit log's hash chain and its checkpoints (HMAC-SHA256). It is held outside the
# database so that someone who can write to the database cannot re-chain the log. Never
# change it once events exist: events signed with the old key would no longer verify.
_audit_key = env("AUDIT_KEY") or ("dev-only-insecure-audit-key" if not PRODUCTION else None)
if not _audit_key or (PRODUCTION and len(_audit_key) < 32):
    raise ImproperlyConfigured(
        "AUDIT_KEY (or AUDIT_KEY_FILE) must be set in production, at least 32 characters "
        "(for example: python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
    )
AUDIT_KEY: str = _audit_key

ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",  # serves the API docs from installed static files, not a CDN
    "commonweave.accounts",
    "commonweave.tenancy",
    "commonweave.audit",
    "commonweave.people",
    "commonweave.insights",
    "commonweave.api",
    "commonweave.web",
    "commonweave.demo",
    "commonweave.jobs",
    "commonweave.area",
    "commonweave.impact",
    "commonweave.wellbeing",
    "commonweave.directory",
    "commonweave.learning",
    "commonweave.network",
    "commonweave.messaging",
    "commonweave.mutualaid",
    "commonweave.prescribing",
    "commonweave.grants",
    "django_tasks_db",
    "commonweave.core",  # only its migration: the shared cache's table
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "commonweave.core.headers.PermissionsPolicyMiddleware",  # before WhiteNoise: static too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML compressed only for public pages that hold no secret (BREACH); it reads the
    # Cache-Control the middleware below sets, so it sits above them.
    "commonweave.web.middleware.PublicPagesGZipMiddleware",
    # Outside the rest, so every error answer under /api/ is JSON whoever made it.
    "commonweave.core.api.errors.JsonErrorsMiddleware",
    # A cookie holding NUL is dropped before the session cookie is looked up.
    "commonweave.web.middleware.RefusedCookiesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # NUL and unpaired surrogates refused (or, in a page's form, dropped) before anything
    # below reads the database; its answers still carry the headers above.
    "commonweave.web.middleware.TextInputMiddleware",
    "commonweave.tenancy.middleware.CurrentPlaceMiddleware",
    # After OTP and place: unverified sessions go to the verify step, and staff of a
    # place that requires two-factor sign-in go to set it up.
    "commonweave.accounts.middleware.TwoFactorMiddleware",
    "commonweave.web.middleware.PrivatePagesMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "commonweave.tenancy.context_processors.current_place",
            ],
        },
    },
]

DATA_DIR = Path(env("COMMONWEAVE_DATA_DIR", str(BASE_DIR / "data")))
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", str(DATA_DIR / "commonweave.sqlite3")),
            "OPTIONS": {
                # WAL lets readers carry on while one writer commits.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
                # One writer at a time: another waits up to 20 s for the lock (long jobs
                # commit in batches, so a wait is short) instead of failing with "database
                # is locked". Set here only: a PRAGMA busy_timeout would override it.
                "timeout": 20,
                # Transactions take the write lock when they begin, so one that reads and
                # then writes cannot deadlock with another (SQLite would fail one at once).
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "shared" holds what every process must see alike: rate-limit counts
# (commonweave/core/ratelimit.py). Without Redis it is a database table (created by
# `migrate`), never per-process memory, or each web worker would count alone. "default"
# holds only what a process may keep to itself for a while (e.g. the search vocabulary).
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    _redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    CACHES: dict[str, dict[str, Any]] = {"default": _redis, "shared": _redis}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {
            "BACKEND": "commonweave.core.cache.DatabaseCache",  # with an atomic incr
            "LOCATION": "commonweave_cache",
            # Django culls a third of the table past MAX_ENTRIES (300 by default), which
            # would reset live counters; a row per sender per hour needs more room.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }

# Reverse proxies we run, whose X-Forwarded-For is believed (commonweave/core/net.py):
# comma-separated IPs or networks, e.g. 127.0.0.1 for a proxy on the same host.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network"
        ) from None

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Passwords: at least 12 characters, long passphrases allowed, no composition rules,
# common passwords refused.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        # Our user has a single `name`, not first_name/last_name.
        "OPTIONS": {"user_attributes": ("email", "name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # "aaaaaaaaaaaa" and "abcabcabcabc" are long enough but guessed at once.
    {"NAME": "commonweave.accounts.validators.CharacterVarietyValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Login throttling (django-axes): lock a username+address pair after 5 failures.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Renders that template with the time to try again (same words whether or not the email
# has an account).
AXES_LOCKOUT_CALLABLE = "commonweave.accounts.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
# Failures and lockouts are rows in the database, so every process sees them.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# The client's address by the same rule as the rate limits: X-Forwarded-For only from
# TRUSTED_PROXIES. (With this set, the AXES_IPWARE_* settings are not used.)
AXES_CLIENT_IP_CALLABLE = "commonweave.core.net.client_address"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Commonweave"

# Sessions end after 30 idle minutes.
SESSION_COOKIE_AGE = int(env("SESSION_IDLE_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No unsafe-inline anywhere; htmx's own indicator styles are turned off in base.html.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

if PRODUCTION:
    DEBUG = False
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The header only makes the site eligible; joining the preload list is a separate,
    # deliberate submission by the operator. SECURE_HSTS_PRELOAD=0 leaves it out.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Registry-installed front-end packages (npm ci), never a CDN and never committed.
STATICFILES_DIRS = [
    BASE_DIR / "build" / "static",  # our Sass, compiled at set-up by `npm run build`
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    ("leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    ("markercluster", BASE_DIR / "node_modules" / "leaflet.markercluster" / "dist"),
    ("sigma", BASE_DIR / "node_modules" / "sigma" / "dist"),
    ("graphology", BASE_DIR / "node_modules" / "graphology" / "dist"),
]
# Production (and `make run`, which sets COMMONWEAVE_COMPRESS_STATIC after collectstatic)
# serves static files from STATIC_ROOT with hashed names and gzip and Brotli copies made
# at collectstatic, which WhiteNoise sends to browsers that accept them. Tests and a bare
# runserver read the source folders through WhiteNoise's finders: nothing to collect.
COMPRESS_STATIC = env_bool("COMMONWEAVE_COMPRESS_STATIC", PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if COMPRESS_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not COMPRESS_STATIC
# Files no browser asks for (source maps, Sass, Nunjucks, docs and type declarations in
# the npm packages' folders) are not compressed: collectstatic takes a third of the time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    # WhiteNoise's own list (whitenoise.compress.Compressor): already compressed formats ...
    *("jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br"),
    *("swf", "flv", "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4"),
    *("mpeg", "mpg", "webm", "wmv"),
    # ... and ours: files no browser fetches.
    *("map", "scss", "njk", "md", "ts", "cts", "mts", "txt"),
)

# Background jobs (commonweave/jobs) run on Django's tasks framework. By default they run
# inline (ImmediateBackend), so development and tests need nothing extra; COMMONWEAVE_TASKS=db
# queues them in the database for a separate `manage.py db_worker` process (`make worker`).
# django_tasks_db is always installed so its table exists whichever backend is chosen.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if env("COMMONWEAVE_TASKS", "immediate") == "db"
        else "django.tasks.backends.immediate.ImmediateBackend",
    }
}

# Published numbers: each place's privacy budget (epsilon) per calendar quarter for new
# noisy releases of cohort change (docs/disclosure.md). Each new row spends 2.0.
try:
    COMMONWEAVE_PRIVACY_BUDGET = float(env("COMMONWEAVE_PRIVACY_BUDGET", "400"))
except ValueError as error:
    raise ImproperlyConfigured("COMMONWEAVE_PRIVACY_BUDGET must be a number") from error
if COMMONWEAVE_PRIVACY_BUDGET < 0:
    raise ImproperlyConfigured("COMMONWEAVE_PRIVACY_BUDGET cannot be negative")

# Development prints email to the console; production sends through SMTP (EMAIL_HOST ...).
EMAIL_BACKEND_PATH = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": {
            "host": env("EMAIL_HOST", "localhost"),
            "port": int(env("EMAIL_PORT", "587")),
            "username": env("EMAIL_HOST_USER", ""),
            "password": env("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", True),
            "timeout": 10,
        }
        if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "commonweave@localhost")

# The public referral form: submissions per address per hour before a polite refusal.
PUBLIC_REFERRAL_RATE_PER_HOUR = int(env("PUBLIC_REFERRAL_RATE_PER_HOUR", "10"))

# Logs carry ids and codes, never names or notes.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # A GET search puts what was typed (a "near me" postcode) in the address: the
        # development server's access log keeps parameter names only (commonweave/core/logs.py;
        # gunicorn.conf.py does the same for gunicorn).
        "redact_query_strings": {"()": "commonweave.core.logs.RedactQueryStrings"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.security.DisallowedHost": {"handlers": [], "propagate": False},
        "axes": {"level": "WARNING"},
        "django.server": {
            "handlers": ["django.server"],
            "filters": ["redact_query_strings"],
            "level": "INFO",
            "propagate": False,
        },
    },
}

# The directory map: a tile URL template such as https://tile.example.org/{z}/{x}/{y}.png.
# Empty: no tiles, the map still shows markers and the list.
DIRECTORY_TILE_URL = env("DIRECTORY_TILE_URL", "")

# Who sends check-in links and action reminders: a dotted path to a sender class.
WELLBEING_SENDER = env("WELLBEING_SENDER", "commonweave.wellbeing.senders.ConsoleSender")
LEARNING_REMINDER_SENDER = env(
    "LEARNING_REMINDER_SENDER", "commonweave.learning.reminders.ConsoleSender"
)

# Text messages (docs/messaging.md): the default provider of every place that has not
# chosen one (fake: nothing leaves Commonweave; notify: GOV.UK Notify, public bodies only;
# twilio). Secrets come from the environment (or *_FILE), never the database.
MESSAGING_PROVIDER = env("MESSAGING_PROVIDER", "fake")
NOTIFY_API_KEY = env("NOTIFY_API_KEY", "")
NOTIFY_SMS_TEMPLATE_ID = env("NOTIFY_SMS_TEMPLATE_ID", "")  # a template that is just ((body))
NOTIFY_CALLBACK_TOKEN = env("NOTIFY_CALLBACK_TOKEN", "")  # the bearer token set in Notify
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", "")
# The public address in front of any proxy (https://example.org), as Twilio signs it.
MESSAGING_PUBLIC_URL = env("MESSAGING_PUBLIC_URL", "")

# Money (docs/grants.md): the 360Giving publisher prefix of the open-data export of awards
# (one prefix for every place; a dict of place slug -> prefix can be set here in code).
GRANTS_360_PREFIX = env("GRANTS_360_PREFIX", "")
# Votes sent to a participatory round's public vote, per address per hour (page and API).
GRANTS_VOTE_TRIES_PER_HOUR = int(env("GRANTS_VOTE_TRIES_PER_HOUR", "100"))

# Permissions-Policy on every response (commonweave/core/headers.py). Nothing here uses
# these features; near-me is by postcode, not the browser's location.
PERMISSIONS_POLICY = {
    "camera": "()",
    "microphone": "()",
    "geolocation": "()",
    "payment": "()",
    "usb": "()",
}
