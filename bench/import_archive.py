"""How fast ``import_sources`` brings a large archive in, compared with ``loaddata``.

Run it from the project root (nothing to set up; it uses temporary SQLite databases):

    .venv/bin/python bench/import_archive.py --files 10000

It writes N synthetic archive files (half page dumps with reader comments and a pingback,
half Markdown with YAML front matter: articles and quick quotes), then times, as
subprocesses on fresh SQLite databases: the first ``import_sources`` run, a second run with
nothing changed, and ``loaddata`` of the same records dumped with ``dumpdata``. It also
measures the import's peak memory for N and N/4 files. It prints figures and ratios; it
never fails on a time.

The issue's targets (SQLite, 2 CPUs): 10,000 files with 100,000 comments in under 60 s,
faster than loaddata (a ratio below 1), a re-run with nothing changed under 10% of the first
run. They are about wall time; the CPU time of each command (user + system) is printed next
to it because it moves much less when other work shares the machine.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

import harness
from archive_files import Archive, generate, subset
from harness import Run, site_env

UNDATED_AS = "2020-01-01"
# What the fixture holds: the site's content. Groups, permissions and content types come
# from the migrations, so they stay out; foreign keys to them are written as natural keys.
DUMPED_APPS = ["newsroom", "quickquotes", "taggit", "redirects"]
# One key for every command of a run, as one site would have.
SECRET_KEY = secrets.token_urlsafe(50)


# --- running the commands -------------------------------------------------------------------


def manage(database: Path, label: str, *args: str) -> Run:
    """Run a manage.py command on ``database`` (the demo site's settings, whatever is set);
    its output goes to ``<label>.log`` next to the database."""
    env = site_env(database, SECRET_KEY=SECRET_KEY)
    return harness.manage(env, database.parent / f"{label}.log", *args)


def fresh_database(workdir: Path, name: str) -> Path:
    database = workdir / f"{name}.sqlite3"
    manage(database, f"{name}-migrate", "migrate", "--noinput", "-v", "0")
    return database


def import_run(database: Path, label: str, folder: Path) -> Run:
    return manage(
        database, label, "import_sources", str(folder), "--undated-as", UNDATED_AS, "-v", "0"
    )


def summary_line(run: Run) -> str:
    lines = [line for line in run.output.splitlines() if " files: " in line]
    return lines[-1] if lines else "(no summary printed)"


def count_rows(database: Path) -> dict[str, int]:
    tables = {
        "articles": "newsroom_article",
        "published articles": "newsroom_article WHERE status = 'published'",
        "quick quotes": "quickquotes_quickquote",
        "comments": "newsroom_comment WHERE kind = 'comment'",
        "pingbacks": "newsroom_comment WHERE kind <> 'comment'",
        "held comments": "newsroom_comment WHERE status <> 'approved'",
        "moderation log": "newsroom_commentstatuschange",
        "tags": "taggit_tag",
        "tagged items": "taggit_taggeditem",
        "authors": "newsroom_author",
        "sections": "newsroom_section",
        "redirects": "django_redirect",
    }
    with closing(sqlite3.connect(database)) as connection:
        return {
            name: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
            for name, table in tables.items()
        }


# --- the benchmark --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000, help="archive files (default 10000)")
    parser.add_argument(
        "--comments",
        type=int,
        default=20,
        help="reader comments per page dump, on average (default 20: half the files are "
        "dumps, so 10 per file, the issue's 10,000 files with 100,000 comments)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args(argv)
    if options.files < 4:
        parser.error("--files must be at least 4")

    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        bench(workdir, options.files, options.comments, options.seed)
    finally:
        if options.keep:
            print(f"\nkept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def bench(workdir: Path, files: int, comments: int, seed: int) -> None:
    print(f"generating {files} files in {workdir} …", flush=True)
    archive = generate(workdir / "archive", files, comments, seed)
    quarter = files // 4
    quarter_folder = subset(archive, workdir / "archive-quarter", quarter)

    print("import_sources, first run …", flush=True)
    database = fresh_database(workdir, "import")
    first = import_run(database, "import-first", archive.folder)
    print("import_sources, re-run …", flush=True)
    second = import_run(database, "import-again", archive.folder)
    rows = count_rows(database)

    print("dumpdata, then loaddata into a fresh database …", flush=True)
    fixture = workdir / "fixture.json"
    manage(database, "dumpdata", "dumpdata", *DUMPED_APPS, "--natural-foreign", "-o", str(fixture))
    loaded_database = fresh_database(workdir, "loaddata")
    load = manage(loaded_database, "loaddata", "loaddata", str(fixture), "-v", "0")
    loaded_rows = count_rows(loaded_database)

    print(f"import_sources of {quarter} files, for memory …", flush=True)
    small = import_run(fresh_database(workdir, "quarter"), "import-quarter", quarter_folder)
    report(archive, first, second, load, small, fixture, rows, loaded_rows)


def report(
    archive: Archive,
    first: Run,
    second: Run,
    load: Run,
    small: Run,
    fixture: Path,
    rows: dict[str, int],
    loaded_rows: dict[str, int],
) -> None:
    files = archive.dumps + archive.front_matter
    quarter = files // 4
    comments = archive.comments + archive.pingbacks
    print()
    print(
        f"files: {files} ({archive.dumps} page dumps, {archive.front_matter} front matter: "
        f"{archive.front_matter - archive.quotes} articles, {archive.quotes} quick quotes), "
        f"comments: {archive.comments} (+ {archive.pingbacks} pingbacks, "
        f"{archive.comments / files:.1f} comments per file)"
    )
    print(f"{'':<32}{'wall':>8}{'CPU':>10}")

    def line(name: str, run: Run, note: str) -> None:
        print(f"{name + ':':<32}{run.seconds:7.1f} s{run.cpu_seconds:8.1f} s  {note}")

    line(
        "import_sources, first run",
        first,
        f"({files / first.seconds:.0f} files/s, {comments / first.seconds:.0f} comments/s)",
    )
    line(
        "import_sources, re-run",
        second,
        f"({second.seconds / first.seconds:.1%} of the first run; "
        f"CPU {second.cpu_seconds / first.cpu_seconds:.1%})",
    )
    line("loaddata of the same records", load, f"(fixture {fixture.stat().st_size / 1e6:.0f} MB)")
    print(
        f"{'ratio import/loaddata:':<32}{first.seconds / load.seconds:7.2f}  "
        f"{first.cpu_seconds / load.cpu_seconds:8.2f}"
    )
    print(
        f"peak RSS: {files} files {first.max_rss_mb:.0f} MB, {quarter} files "
        f"{small.max_rss_mb:.0f} MB (ratio {first.max_rss_mb / small.max_rss_mb:.2f}); "
        f"re-run {second.max_rss_mb:.0f} MB, loaddata {load.max_rss_mb:.0f} MB"
    )
    print(f"first run: {summary_line(first)}")
    print(f"re-run:    {summary_line(second)}")
    busy = ", ".join(f"{load_average:.1f}" for load_average in os.getloadavg())
    print(f"load average now: {busy} on {os.cpu_count()} CPUs (wall times inflate above that)")
    print("rows after the import (and after loaddata, where they differ):")
    for name, count in rows.items():
        loaded = loaded_rows[name]
        note = "" if loaded == count else f"  (loaddata: {loaded})"
        print(f"  {name + ':':<20}{count:>8}{note}")


if __name__ == "__main__":
    main()
