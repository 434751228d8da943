"""How fast ``import_sources`` brings a large archive in, compared with ``loaddata``.

Run it from the project root (nothing to set up; it uses temporary SQLite databases):

    .venv/bin/python bench/import_archive.py --files 10000
    .venv/bin/python bench/import_archive.py --files 100000 --no-loaddata

It writes N synthetic archive files (half page dumps with reader comments and a pingback,
half Markdown with YAML front matter: articles and quick quotes), 10 comments per file by
default, a twentieth of them in one long thread: one page dump in the first quarter (50,000
comments of 1,000,000 at 100,000 files). The importer's file size limit is raised for
the runs to let that file in (bench/settings.py). It then times, as subprocesses on fresh
SQLite databases: the first ``import_sources`` run, a second run with nothing changed, and
``loaddata`` of the same records dumped with ``dumpdata`` (unless ``--no-loaddata``: it
takes longer than the import and holds the whole fixture in memory). It also measures the
import's peak memory for N and N/4 files, both with the long thread. It prints figures and
ratios; it never fails on a time.

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
from dataclasses import dataclass
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


def manage(database: Path, label: str, *args: str, **env: str) -> Run:
    """Run a manage.py command on ``database`` (the demo site's settings, whatever is set,
    and ``env``: see bench/settings.py); its output goes to ``<label>.log`` next to it."""
    env = site_env(database, "bench.settings", SECRET_KEY=SECRET_KEY, **env)
    return harness.manage(env, database.parent / f"{label}.log", *args)


def fresh_database(workdir: Path, name: str) -> Path:
    database = workdir / f"{name}.sqlite3"
    manage(database, f"{name}-migrate", "migrate", "--noinput", "-v", "0")
    return database


def import_run(database: Path, label: str, folder: Path, max_file_bytes: int) -> Run:
    return manage(
        database,
        label,
        *("import_sources", str(folder), "--undated-as", UNDATED_AS, "-v", "0"),
        BENCH_IMPORT_MAX_FILE_BYTES=str(max_file_bytes),
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
        help="reader comments in all (default 10 per file: the issue's 10,000 files with "
        "100,000 comments, or 100,000 with 1,000,000)",
    )
    parser.add_argument(
        "--big-thread",
        type=int,
        metavar="N",
        help="comments of the one long thread, out of --comments (default a twentieth of "
        "them: 50,000 of 1,000,000; 0: none)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--no-loaddata",
        dest="loaddata",
        action="store_false",
        help="skip dumpdata and loaddata (at 100,000 files they take longer than the import, "
        "and loaddata holds the whole fixture in memory)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args(argv)
    if options.files < 4:
        parser.error("--files must be at least 4")
    comments = options.files * 10 if options.comments is None else options.comments
    big_thread = comments // 20 if options.big_thread is None else options.big_thread
    if not 0 <= big_thread <= comments:
        parser.error("--big-thread must be between 0 and --comments")

    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        bench(workdir, options.files, comments, big_thread, options.seed, options.loaddata)
    finally:
        if options.keep:
            print(f"\nkept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def bench(
    workdir: Path, files: int, comments: int, big_thread: int, seed: int, loaddata: bool
) -> None:
    print(f"generating {files} files in {workdir} …", flush=True)
    archive = generate(workdir / "archive", files, comments, seed, big_thread)
    largest = max(path.stat().st_size for path in archive.files)
    quarter = files // 4
    quarter_folder = subset(archive, workdir / "archive-quarter", quarter)

    print("import_sources, first run …", flush=True)
    database = fresh_database(workdir, "import")
    first = import_run(database, "import-first", archive.folder, largest)
    print("import_sources, re-run …", flush=True)
    second = import_run(database, "import-again", archive.folder, largest)
    rows = count_rows(database)

    loaded: Loaded | None = None
    if loaddata:
        print("dumpdata, then loaddata into a fresh database …", flush=True)
        fixture = workdir / "fixture.json"
        dump_args = ("dumpdata", *DUMPED_APPS, "--natural-foreign", "-o", str(fixture))
        manage(database, "dumpdata", *dump_args)
        loaded_database = fresh_database(workdir, "loaddata")
        load = manage(loaded_database, "loaddata", "loaddata", str(fixture), "-v", "0")
        loaded = Loaded(load, fixture.stat().st_size, count_rows(loaded_database))

    print(f"import_sources of {quarter} files, for memory …", flush=True)
    small = import_run(
        fresh_database(workdir, "quarter"), "import-quarter", quarter_folder, largest
    )
    report(archive, largest, first, second, loaded, small, rows)


@dataclass
class Loaded:
    """The ``loaddata`` run of the same records: its run, the fixture's size, the rows."""

    run: Run
    fixture_bytes: int
    rows: dict[str, int]


def report(
    archive: Archive,
    largest: int,
    first: Run,
    second: Run,
    loaded: Loaded | None,
    small: Run,
    rows: dict[str, int],
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
    if archive.big_thread_file is not None:
        print(
            f"long thread: {archive.big_thread} comments in "
            f"{archive.big_thread_file.relative_to(archive.folder)} "
            f"({archive.big_thread_file.stat().st_size / 1e6:.1f} MB); the importer reads "
            f"files up to {largest / 1e6:.1f} MB here, or its own limit if larger"
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
    if loaded is None:
        print("loaddata of the same records:   skipped (--no-loaddata)")
    else:
        load = loaded.run
        line("loaddata of the same records", load, f"(fixture {loaded.fixture_bytes / 1e6:.0f} MB)")
        print(
            f"{'ratio import/loaddata:':<32}{first.seconds / load.seconds:7.2f}  "
            f"{first.cpu_seconds / load.cpu_seconds:8.2f}"
        )
    print(
        f"peak RSS: {files} files {first.max_rss_mb:.0f} MB, {quarter} files "
        f"{small.max_rss_mb:.0f} MB (ratio {first.max_rss_mb / small.max_rss_mb:.2f}); "
        f"re-run {second.max_rss_mb:.0f} MB"
        + ("" if loaded is None else f", loaddata {loaded.run.max_rss_mb:.0f} MB")
    )
    print(f"first run: {summary_line(first)}")
    print(f"re-run:    {summary_line(second)}")
    busy = ", ".join(f"{load_average:.1f}" for load_average in os.getloadavg())
    print(f"load average now: {busy} on {os.cpu_count()} CPUs (wall times inflate above that)")
    print("rows after the import (and after loaddata, where they differ):")
    for name, count in rows.items():
        after_load = count if loaded is None else loaded.rows[name]
        note = "" if after_load == count else f"  (loaddata: {after_load})"
        print(f"  {name + ':':<20}{count:>8}{note}")


if __name__ == "__main__":
    main()
