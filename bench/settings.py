"""Settings for what the benchmarks run: the site's own, plus the trivial view.

``BENCH_PAGE_CACHE_SECONDS`` (set by bench/pages.py) overrides the page cache lifetime;
``0`` turns the page cache off, so that every request renders its page.
``BENCH_STATIC_ROOT`` is where the benchmark's ``collectstatic`` writes.
``BENCH_IMPORT_MAX_FILE_BYTES`` (set by bench/import_archive.py) raises the largest file the
importer reads, for a page dump whose long thread makes it larger than the site's limit.
"""

import os

from config.settings import *  # noqa: F403
from newsroom import conf as newsroom_conf

ROOT_URLCONF = "bench.urls"

if os.environ.get("BENCH_PAGE_CACHE_SECONDS", "").strip():
    NEWSROOM_PAGE_CACHE_SECONDS = int(os.environ["BENCH_PAGE_CACHE_SECONDS"])

STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT") or STATIC_ROOT  # noqa: F405

if os.environ.get("BENCH_IMPORT_MAX_FILE_BYTES", "").strip():
    # Raised to let the largest file in, never lowered.
    NEWSROOM_IMPORT_MAX_FILE_BYTES = max(
        int(os.environ["BENCH_IMPORT_MAX_FILE_BYTES"]),
        newsroom_conf.DEFAULTS["IMPORT_MAX_FILE_BYTES"],
    )
