"""Settings for the test suite: the demo site's, with a fixed key and a fast hasher.

DATABASE_URL and REDIS_URL still apply, so the same suite runs on SQLite and on
PostgreSQL with Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-any-deployment")

from config.settings import *  # noqa: F403
from config.settings import CACHES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES["default"]["KEY_PREFIX"] = "newsroom-tests"
SECURE_SSL_REDIRECT = False
# Static files straight from the apps: the suite runs without `collectstatic`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The suite sets the policy's word lists per test; it starts from the defaults.
NEWSROOM_MODERATION = {}

# No watcher thread querying the test database behind the tests' backs: its look for
# undelivered invalidations is tested on its own (tests/test_caching.py), and the thread
# in the cluster tests' app servers.
NEWSROOM_CACHE_WATCHER = False

# Tasks run in the process that queues them, at once: a test sees their effect (the
# moderators' email in mail.outbox) without a worker. tests/security/test_outages.py
# switches to the database backend, and runs its worker, where the queue itself is tested.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
