"""When the cluster tests can run (PostgreSQL and Redis named in the environment), and the
marks every cluster test module carries: the ``cluster`` marker and the skip otherwise.
"""

from __future__ import annotations

import os
import shutil

import pytest

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
AVAILABLE = DATABASE_URL.startswith(("postgres://", "postgresql://")) and bool(REDIS_URL)

CLUSTER = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        not AVAILABLE,
        reason="the cluster tests need DATABASE_URL on PostgreSQL and REDIS_URL set: they "
        "start app servers that share both",
    ),
]
# The Redis faults stop and cut off a redis-server of their own, never the shared one.
NEEDS_REDIS_SERVER = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="the redis-server binary is missing"
)
