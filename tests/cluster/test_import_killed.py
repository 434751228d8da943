"""An import killed halfway (SIGKILL, mid-transaction) and run again: every file's article
is there once, each with all its comments, and a third run changes nothing.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from .environment import CLUSTER
from .processes import ROOT, child_env, manage, wait_until
from .site import Site

pytestmark = CLUSTER
FILES = 60
FOLDER = "cluster-import"
LIKE = f"{FOLDER}/%"


def write_archive(folder: Path, files: int) -> None:
    """``files`` page dumps (the fixture's, retitled), so each is its own article."""
    source = next((ROOT / "fixtures").glob("000_*.txt")).read_text(encoding="utf-8")
    title, rest = source.split("\n", 1)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(files):
        text = f"Cluster import {n:04d}: {title}\n{rest}"
        (folder / f"{n:04d}.txt").write_text(text, encoding="utf-8")


def comments_per_article(site: Site) -> dict[str, int]:
    rows = site.sql(
        """
        SELECT a.source_path, count(c.id) FROM newsroom_article a
          LEFT JOIN newsroom_comment c ON c.article_id = a.id
         WHERE a.source_path LIKE %s GROUP BY a.source_path
        """,
        (LIKE,),
    )
    return dict(rows)


@pytest.fixture(scope="module")
def archive(site: Site) -> Path:
    root = site.workdir / "import"
    write_archive(root / FOLDER, FILES)
    return root


def kill_halfway(site: Site, root: Path) -> int:
    """Start ``import_sources`` and SIGKILL it once a third of the files are in."""
    log = site.workdir / "logs" / "import-killed.log"

    def imported() -> int:
        return site.sql("SELECT count(*) FROM newsroom_article WHERE source_path LIKE %s", (LIKE,))[
            0
        ][0]

    with open(log, "wb") as output:
        process = subprocess.Popen(  # noqa: S603
            # Small batches, so that the kill lands between commits of a run under way.
            [sys.executable, "manage.py", "import_sources", str(root), "--batch-size", "5"],
            cwd=ROOT,
            env=child_env(site.env()),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(lambda: process.poll() is not None or imported() >= FILES // 3, 120, 0.01)
    finally:
        if process.poll() is None:
            process.kill()  # SIGKILL: no handler, no cleanup, mid-transaction
        process.wait(timeout=10)
    return process.returncode


def test_an_import_killed_halfway_finishes_on_the_next_run(site: Site, archive: Path):
    returncode = kill_halfway(site, archive)
    at_kill = comments_per_article(site)
    assert returncode == -signal.SIGKILL and 0 < len(at_kill) < FILES, (
        f"killed halfway, not before it started or after it finished: exit {returncode} "
        f"with {len(at_kill)} of {FILES} articles in"
    )
    rerun = manage("import_sources", str(archive), env=site.env(), check=False)
    assert rerun.returncode == 0, f"the second run finishes: {rerun.stderr[-500:]}"
    final = comments_per_article(site)
    distinct = site.sql(
        "SELECT count(DISTINCT source_path), count(*) FROM newsroom_article "
        "WHERE source_path LIKE %s",
        (LIKE,),
    )[0]
    assert len(final) == FILES and distinct == (FILES, FILES), (
        f"{distinct[1]} articles for {FILES} files, {distinct[0]} distinct: no duplicates"
    )
    per_file = Counter(final.values())
    expected = max(per_file) if per_file else 0
    assert len(per_file) == 1 and expected > 0, (
        f"every article has the same comments, none twice: {dict(per_file)}"
    )
    partial = [path for path, count in at_kill.items() if count != expected]
    assert not partial, (
        f"the {len(at_kill)} articles in before the kill already had all {expected} comments "
        f"(each file whole or not at all); not so: {partial[:3]}"
    )
    third = manage("import_sources", str(archive), env=site.env(), check=False)
    summary = (third.stdout.strip().splitlines() or [""])[-1]
    assert third.returncode == 0 and f"{FILES} unchanged" in summary, (
        f"a third run changes nothing: “{summary}”"
    )
