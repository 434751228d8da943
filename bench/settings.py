"""Settings for the servers bench/pages.py starts: the site's own, plus the trivial view.

``BENCH_PAGE_CACHE_SECONDS`` (set by the benchmark) overrides the page cache lifetime;
``0`` turns the page cache off, so that every request renders its page.
``BENCH_STATIC_ROOT`` is where the benchmark's ``collectstatic`` writes.
"""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

if os.environ.get("BENCH_PAGE_CACHE_SECONDS", "").strip():
    NEWSROOM_PAGE_CACHE_SECONDS = int(os.environ["BENCH_PAGE_CACHE_SECONDS"])

STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT") or STATIC_ROOT  # noqa: F405
