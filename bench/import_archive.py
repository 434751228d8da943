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
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]
UNDATED_AS = "2020-01-01"
# What the fixture holds: the site's content. Groups, permissions and content types come
# from the migrations, so they stay out; foreign keys to them are written as natural keys.
DUMPED_APPS = ["newsroom", "quickquotes", "taggit", "redirects"]

# --- the synthetic archive ------------------------------------------------------------------

CITIES = ["BAKU", "YEREVAN", "GLENDALE", "LOS ANGELES", "STEPANAKERT", "TBILISI", "BEIRUT"]
SUBJECTS = ["Council", "Parliament", "Minister", "Diaspora Groups", "Students", "Mayor",
            "Court", "Veterans", "Farmers", "Teachers", "Doctors", "Church Leaders"]  # fmt: skip
VERBS = ["Debates", "Rejects", "Approves", "Questions", "Celebrates", "Protests", "Reviews",
         "Delays", "Funds", "Welcomes"]  # fmt: skip
OBJECTS = ["Water Tariffs", "New School Budget", "Border Talks", "Pension Reform",
           "Cease-Fire Terms", "Road Repairs", "Heritage Law", "Election Rules",
           "Hospital Plans", "Trade Agreement", "Media Bill", "Census Results"]  # fmt: skip
FIRST = ["Ani", "Armen", "Sona", "Raffi", "Lilit", "George", "Maria", "Hagop", "Nora",
         "Vahe", "Talin", "John", "Sarah", "Levon", "Arpi", "David", "Shant", "Mher"]  # fmt: skip
LAST = ["Petrosyan", "Mardig", "Ahmaranian", "Hovsepian", "Sarkissian", "Der Bedrossian",
        "Kazarian", "Tashjian", "Smith", "Khachatryan", "Boyajian", "Garabedian"]  # fmt: skip
SECTIONS = ["politics", "world", "community", "culture", "sports", "opinion"]
TAGS = ["Armenia", "Azerbaijan", "Karabakh", "Diaspora", "Economy", "Elections", "Education",
        "Health", "Culture", "Sports", "Turkey", "Russia", "United States", "Europe", "Energy",
        "Human Rights", "Media", "Religion", "Youth", "Environment", "Trade", "Security",
        "Courts", "Budget", "Heritage", "Music", "Film", "Literature", "Tech",
        "Agriculture"]  # fmt: skip
PROSE = (
    "the government said on tuesday that talks would continue next week while officials in "
    "the capital argued over the budget and residents waited for answers about the road the "
    "school the hospital and the water supply that were promised before the last election "
    "analysts expect a long debate because the opposition has asked for a full audit of every "
    "contract signed since the spring and several groups have called for public hearings"
)
WORDS = PROSE.split()
POLICY = (
    "Comments are welcomed and encouraged. Though you are fully responsible for the content "
    "you post, comments that include profanity, personal attacks or other inappropriate "
    "material will not be permitted. Asbarez reserves the right to block users who violate "
    "any of our posting standards and policies."
)
# A few comments carry words or links the moderation policy holds, as real archives do.
SPICE = ["What an idiot.", "Visit http://a.example and http://b.example for more.", ""]


@dataclass
class Archive:
    """What was generated, to print next to the timings."""

    folder: Path
    dumps: int = 0
    front_matter: int = 0
    articles: int = 0
    quotes: int = 0
    comments: int = 0
    pingbacks: int = 0
    files: list[Path] = field(default_factory=list)


def sentence(rng: random.Random, words: int) -> str:
    start = rng.randrange(len(WORDS))
    text = " ".join(WORDS[(start + i) % len(WORDS)] for i in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng, rng.randint(8, 22)) for _ in range(sentences))


def headline(rng: random.Random, index: int) -> str:
    # The number keeps every title, and so every slug, unique across the archive.
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}, No. {index}"


def commenter(rng: random.Random) -> str:
    style = rng.random()
    if style < 0.5:
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    if style < 0.8:
        return rng.choice(FIRST)
    if style < 0.9:
        return rng.choice(FIRST)[0] + rng.choice(LAST)[0]  # initials, like "SA"
    return rng.choice(FIRST) + rng.choice(LAST).replace(" ", "")


def page_dump(rng: random.Random, index: int, comments: int) -> tuple[str, int]:
    """A scraped page: title, caption, dateline, body, policy, numbered comments, a pingback."""
    lines = [headline(rng, index), "", f"A photo from {rng.choice(CITIES).title()}", ""]
    lines += [f"{rng.choice(CITIES)}—{paragraph(rng, 2)}", ""]
    for n in range(rng.randint(4, 9)):
        if n == 3:
            lines += [f"{rng.choice(SUBJECTS)} Speak Out", ""]
        lines += [paragraph(rng, rng.randint(1, 4)), ""]
    lines += ["Discussion Policy", "", POLICY, "", ""]
    count = max(1, comments + (index % 9) - 4)  # averages `comments` over every 9 dumps
    for position in range(1, count + 1):
        lines += [f"  {position}. {commenter(rng)} said:", ""]
        for part in range(rng.choices([1, 2, 3, 4], weights=[5, 3, 2, 1])[0]):
            body = paragraph(rng, rng.randint(1, 3))
            if part == 0 and rng.random() < 0.05:
                body += " " + rng.choice(SPICE)
            lines += [f"    {line}" for line in body_lines(rng, body)] + [""]
    lines.append(f"  {count + 1}. Pingback: {headline(rng, index)} - Passportdiva")
    return "\n".join(lines) + "\n", count


def body_lines(rng: random.Random, text: str) -> list[str]:
    """Some comments were typed with hard line breaks; most as one long line."""
    if rng.random() < 0.8:
        return [text]
    words = text.split()
    return [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]


def yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML one


def yaml_list(values: list[str]) -> str:
    return "[" + ", ".join(yaml_string(v) for v in values) + "]"


def front_matter_file(rng: random.Random, index: int) -> tuple[str, bool]:
    """A Hugo-style Markdown file: an article in a section, or a quick quote."""
    quote = rng.random() < 0.3
    title = headline(rng, index)
    slug = title.lower().replace(",", "").replace(".", "").replace(" ", "-")
    when = f"{rng.randint(2012, 2023)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    moment = f"{when}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00+00:00"
    aliases = [f"article/{slug}/"] + ([f"/{when[:4]}/{when[5:7]}/{slug}/"] * (index % 3 == 0))
    lines = [
        "---",
        f"title: {yaml_string(title)}",
        f"description: {yaml_string(sentence(rng, 18))}",
        "aliases:",
        *(f"  - {yaml_string(alias)}" for alias in aliases),
        "published: true",
        f"date: '{moment}'",
        f"publishDate: '{moment}'" if rng.random() < 0.8 else "publishDate: ''",
        f"lastmod: '{when}T23:00:00+00:00'" if rng.random() < 0.5 else "lastmod: ''",
        f"tags: {yaml_list(rng.sample(TAGS, rng.randint(0 if quote else 1, 4)))}",
        f"post_author: {yaml_list([commenter(rng) for _ in range(rng.randint(0, 2))])}",
        f"section: {'quickquotes' if quote else rng.choice(SECTIONS)}",
        f"is_breaking: {'true' if rng.random() < 0.02 else 'false'}",
        "featured_image:",
        f"  image: 'https://example.com/uploads/{when[:4]}/{index}.jpg'",
        f"  alt: {yaml_string(sentence(rng, 6))}",
    ]
    if quote:
        lines += [
            "featured_quote:",
            f"  quote: {yaml_string(sentence(rng, 20))}",
            f"  summary: {yaml_string(sentence(rng, 12))}",
            f"  citation: {yaml_string(rng.choice(['', 'Radio interview', 'https://x.example/q']))}",
        ]
    lines.append("---")
    body = []
    for n in range(rng.randint(3, 8)):
        if n == 2:
            body.append("\n".join(f"*   {sentence(rng, 10)}" for _ in range(3)))
        elif n == 4:
            body.append(f"## {rng.choice(SUBJECTS)} and the *{rng.choice(OBJECTS)}*")
        else:
            body.append(paragraph(rng, rng.randint(1, 4)) + " [More](https://example.com/more)")
    return "\n".join(lines) + "\n" + "\n\n".join(body) + "\n", quote


def generate(folder: Path, files: int, comments: int, seed: int) -> Archive:
    """Write the archive; file i depends only on (seed, i), so a smaller run is a prefix."""
    archive = Archive(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(files):
        rng = random.Random(seed * 1_000_003 + index)
        if index % 2 == 0:
            text, count = page_dump(rng, index, comments)
            suffix = ".txt"
            archive.dumps += 1
            archive.articles += 1
            archive.comments += count
            archive.pingbacks += 1
        else:
            text, quote = front_matter_file(rng, index)
            suffix = ".md"
            archive.front_matter += 1
            archive.quotes += quote
            archive.articles += not quote
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        path = folder / f"{index // 1000:02d}" / f"{index:05d}_{digest}{suffix}"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        archive.files.append(path)
    return archive


def subset(archive: Archive, folder: Path, files: int) -> Path:
    """The archive's first `files` files, hard-linked (copied where links are refused)."""
    for path in archive.files[:files]:
        target = folder / path.relative_to(archive.folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
    return folder


# --- running the commands -------------------------------------------------------------------


@dataclass
class Run:
    seconds: float  # wall time
    cpu_seconds: float  # user + system: what a busy machine inflates least
    max_rss_mb: float
    output: str


def manage(database: Path, label: str, *args: str) -> Run:
    """Run a manage.py command on `database`: wall time, peak RSS of that process alone.

    Its output goes to ``<label>.log`` next to the database, so printing costs no time.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",  # the demo site's, whatever is set
        "DATABASE_URL": f"sqlite:///{database}",
        # Production-like: no DEBUG (so no query log), a throwaway key.
        "DEBUG": "",
        "SECRET_KEY": "bench-only-secret-key",
    }
    log = database.parent / f"{label}.log"
    with log.open("w", encoding="utf-8") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            [*MANAGE, *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        # wait4 gives this child's own rusage; RUSAGE_CHILDREN would be a max over all.
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    output = log.read_text(encoding="utf-8", errors="replace")
    if process.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed ({process.returncode}):\n{output[-3000:]}")
    # Linux reports ru_maxrss in KiB.
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output)


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
