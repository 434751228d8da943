"""Settings for the Newsroom demo site, read from the environment.

Every deployment-specific value comes from an environment variable; the defaults give a
zero-setup development site on SQLite with a local-memory cache.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from newsroom import conf as newsroom_conf

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=1 for a local development site)."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.redirects",
    "django.contrib.sitemaps",
    "taggit",
    "axes",
    "newsroom",
    "quickquotes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy: before WhiteNoise and the page cache,
    # which answer without calling the middleware below them.
    "newsroom.headers.PolicyHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "newsroom.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Cached pages for anonymous readers, served before the middleware they do not need.
    "newsroom.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Old URLs: 301 to the new page, 410 once the item is unpublished.
    "newsroom.middleware.OldUrlMiddleware",
    # Login throttling (below): answers a locked-out login with 429. Last, as axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# Staff log in through the admin; after logging in they land on its index.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The demo site's layout and overrides come first; the apps ship their own defaults.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Persistent connections: a request does not pay for connecting (or, on SQLite, for
        # the checkpoint that closing the last connection runs).
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A connection that died (database restarted, network cut) is replaced, not reused.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Write-ahead logging: readers never wait for the writer, and a commit appends to
        # the log instead of rewriting pages; "NORMAL" syncs at checkpoints, not at every
        # commit (a power cut can lose the last commits, never corrupt the file).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        # Writers take the lock when their transaction begins, so two writers queue
        # (up to the timeout) instead of one failing with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache_backends.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
            # A Redis that stops answering must not stall requests: fail fast, fall back.
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_CONNECT_TIMEOUT", "0.5")),
                "socket_timeout": float(os.environ.get("REDIS_SOCKET_TIMEOUT", "0.5")),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# After a failed call the Redis backend skips Redis for this long (one call then probes it),
# so a frozen Redis costs one socket timeout per interval, not one per cache call.
NEWSROOM_CACHE_BREAKER_SECONDS = float(os.environ.get("CACHE_BREAKER_SECONDS", "5"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

SITE_ID = 1

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded and fetched images and their renditions (the image library). Any storage
# backend works, such as S3 through django-storages (see the README).
MEDIA_URL = os.environ.get("MEDIA_URL", "media/")
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed, fingerprinted files served by WhiteNoise (after `collectstatic`).
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# In development WhiteNoise serves the apps' files directly; production runs `collectstatic`.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# One spelling per tag: "News" and "news" are the same tag.
TAGGIT_CASE_INSENSITIVE = True

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)

# A mail server that accepts and never answers would otherwise hold the sender forever.
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))

# --- Background tasks ---------------------------------------------------------------------
# Work that may wait on another server (email) leaves the request: it is queued as a row in
# the site's own database (django-tasks' database backend: no new service to run, and a
# queued task outlives any process) and done by `manage.py db_worker`.
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

if not DEBUG:
    # Production runs behind HTTPS; each of these can be turned off for a plain-HTTP test
    # deployment on loopback (e.g. SECURE_SSL_REDIRECT=0).
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))

# HSTS for subdomains, and the browsers' preload list: off unless the operator turns them on.
# Both reach beyond this site (every subdomain of its domain must then serve HTTPS, and
# leaving the preload list takes months), so they are the operator's decision, not a
# default. While the environment does not name them, Django's deploy-check reminders of
# them (security.W005, security.W021) are silenced; once it does, the checks run as usual.
if not DEBUG:
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS = [
        check
        for check, variable in [
            ("security.W005", "SECURE_HSTS_INCLUDE_SUBDOMAINS"),
            ("security.W021", "SECURE_HSTS_PRELOAD"),
        ]
        if os.environ.get(variable, "").strip() == ""
    ]

# Admin login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one
# username from one client, that pair is refused (429) for AXES_COOLOFF_MINUTES, even with
# the right password. The client is the address Newsroom's trusted-proxy logic computes
# (NEWSROOM_TRUSTED_PROXIES), as for comment rate limits. Attempts are kept in the database,
# so every app server sees them; successful logins are not logged.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "newsroom.throttling.client_address"
AXES_DISABLE_ACCESS_LOG = True

# Content-Security-Policy and Permissions-Policy (newsroom.headers): Newsroom's defaults.
# CSP_IMG_SRC names where images may come from besides this site (e.g. the site's image
# CDN) in place of the default, any HTTPS host.
if env_list("CSP_IMG_SRC"):
    NEWSROOM_CONTENT_SECURITY_POLICY = {
        **newsroom_conf.DEFAULTS["CONTENT_SECURITY_POLICY"],
        "img-src": ["'self'", *env_list("CSP_IMG_SRC")],
    }

# Requests larger than this are refused before any view sees them.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 256 * 1024))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # Errors reach the console in production too (Django's default only mails them).
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "newsroom": {"level": "INFO"},
    },
}

# Newsroom: the demo site's discussion policy (the archive's own) and moderation word lists.
NEWSROOM_DISCUSSION_POLICY = os.environ.get(
    "NEWSROOM_DISCUSSION_POLICY",
    "Comments are welcomed and encouraged. Though you are fully responsible for the content "
    "you post, comments that include profanity, personal attacks or other inappropriate "
    "material will not be permitted. Asbarez reserves the right to block users who violate "
    "any of our posting standards and policies.",
)
NEWSROOM_MODERATION = {
    "moderation_words": ["idiot", "moron", "stupid", "savage", "barbarian*", "rabid"],
    "blocked_words": ["viagra", "cialis", "*casino*", "payday loan*", "crypto giveaway"],
}
NEWSROOM_MODERATOR_EMAILS = env_list("NEWSROOM_MODERATOR_EMAILS")
NEWSROOM_EDITOR_EMAILS = env_list("NEWSROOM_EDITOR_EMAILS")
# Empty: links in feeds, sitemaps and email name the host each request came to (so
# `make run PORT=8001` links to port 8001), ALLOWED_HOSTS guarding it.
NEWSROOM_SITE_DOMAIN = os.environ.get("SITE_DOMAIN", "")
NEWSROOM_SITE_NAME = os.environ.get("SITE_NAME", "Newsroom")
# How many proxies in front of the site append the client's address to X-Forwarded-For
# (a TLS-terminating proxy: 1). Rate limits and bans then work per reader, not per proxy.
NEWSROOM_TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
