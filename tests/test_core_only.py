"""Newsroom without quickquotes: ``check``, migrations, the importer and the reader pages,
each in a fresh process (an app registry without quickquotes in it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings_core_only",
        # A database and cache of its own: never the suite's, nor a shared Redis.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'core.sqlite3'}",
    }
    env.pop("REDIS_URL", None)
    return subprocess.run(  # noqa: S603 (our own arguments)
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_check_passes_without_quickquotes(tmp_path):
    done = _run(tmp_path, "manage.py", "check")
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_the_site_serves_and_imports_without_quickquotes(tmp_path):
    done = _run(tmp_path, "-m", "tests.core_only_site")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["statuses"] == {
        "/": 200,
        "/articles/core-only/": 200,
        "/feeds/rss/": 200,
        "/sitemap.xml": 200,
        "/search/?q=x": 200,
    }
    assert result["note_shown"]  # corrections and updates need no other kind
    assert result["kinds"] == ["article"]
    # No kind claims the section: the file is an article filed under it.
    assert result["imported_section"] == "quickquotes"
    assert result["imported_revisions"] == [["import", "quote.md"]]
    assert result["quickquotes_loaded"] == []
