"""Settings for the app servers the cluster tests start: the site's production settings
plus the few knobs a load test on loopback needs, each read from the environment.
"""

from __future__ import annotations

import json
import os

from config.settings import *  # noqa: F403
from config.settings import LOGGING, NEWSROOM_MODERATION, STATIC_ROOT

# The simulated readers post as soon as they have read the page: no person types that fast.
NEWSROOM_COMMENT_MIN_SECONDS = 0
# CLUSTER_RATE_LIMIT: posts per client per minute, small, so that a test can exceed it.
NEWSROOM_COMMENT_RATE_LIMIT = int(os.environ.get("CLUSTER_RATE_LIMIT") or "5")
# Each simulated reader names its own (documentation-range) address in X-Forwarded-For.
NEWSROOM_TRUSTED_PROXIES = 1
# CLUSTER_MODERATION: a JSON object of the policy's settings a test changes (the surge switch).
NEWSROOM_MODERATION = {
    **NEWSROOM_MODERATION,
    **json.loads(os.environ.get("CLUSTER_MODERATION") or "{}"),
}
# CLUSTER_STATIC_ROOT: where the run's collectstatic wrote, outside the project.
STATIC_ROOT = os.environ.get("CLUSTER_STATIC_ROOT") or STATIC_ROOT
# Held comments would email the moderators: in a test nothing leaves the machine.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

# The process id in every line: the logs show which worker fell back to what.
LOGGING = {
    **LOGGING,
    "formatters": {
        "cluster": {"format": "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "cluster"}},
}
