"""How much room revisions take: imports N Markdown articles of about 250 words into a fresh
database and prints the revisions table's size (with its indexes) per revision and for
100,000 articles, next to the articles table's.

    .venv/bin/python bench/revisions_storage.py --files 1000            # a temporary SQLite file
    .venv/bin/python bench/revisions_storage.py --files 1000 \\
        --database-url postgres://postgres@127.0.0.1:5432/newsroom_sizes   # an empty database

A PostgreSQL database named with ``--database-url`` must exist and be empty: it is
migrated and filled, and left so (drop it afterwards). Each article has a description, 1 to
4 tags, 0 to 2 bylines and a featured image, as the archive's do; every import writes one
revision per article, so the revisions table holds N rows. The generated prose repeats a
few dozen words and so compresses better than real text: ``--text FILE`` takes each body
from 250 consecutive words of FILE instead (any long English text, e.g.
/usr/share/common-licenses/GPL-3).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

import harness
from archive_files import SECTIONS, TAGS, commenter, headline, sentence, yaml_list, yaml_string

WORDS_PER_ARTICLE = 250
ARCHIVE = 100_000
TABLES = {"revisions": "newsroom_revision", "articles": "newsroom_article"}


def article_file(rng: random.Random, index: int, text: list[str]) -> str:
    """Markdown with front matter: about ``WORDS_PER_ARTICLE`` words in five paragraphs,
    generated or taken from ``text`` (its words)."""
    sentences, words = [], 0
    start = rng.randrange(max(len(text) - WORDS_PER_ARTICLE, 1))
    while words < WORDS_PER_ARTICLE:
        length = rng.randint(8, 22)
        if text:
            sentences.append(" ".join(text[start + words : start + words + length]))
        else:
            sentences.append(sentence(rng, length))
        words += length
    per = -(-len(sentences) // 5)
    paragraphs = [" ".join(sentences[i : i + per]) for i in range(0, len(sentences), per)]
    when = f"{rng.randint(2012, 2023)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return "\n".join(
        [
            "---",
            f"title: {yaml_string(headline(rng, index))}",
            f"description: {yaml_string(sentence(rng, 18))}",
            f"date: '{when}T12:00:00+00:00'",
            f"tags: {yaml_list(rng.sample(TAGS, rng.randint(1, 4)))}",
            f"post_author: {yaml_list([commenter(rng) for _ in range(rng.randint(0, 2))])}",
            f"section: {rng.choice(SECTIONS)}",
            "featured_image:",
            f"  image: 'https://example.com/uploads/{when[:4]}/{index}.jpg'",
            f"  alt: {yaml_string(sentence(rng, 6))}",
            "---",
            "\n\n".join(paragraphs),
            "",
        ]
    )


def sizes(database_url: str) -> dict[str, tuple[int, int, float]]:
    """Per table: (rows, bytes with indexes and TOAST, mean body characters or compressed
    snapshot bytes)."""
    if database_url.startswith("sqlite:///"):
        path = database_url.removeprefix("sqlite:///")
        with closing(sqlite3.connect(path)) as db:
            found = {}
            for name, table in TABLES.items():
                objects = [table] + [
                    row[0]
                    for row in db.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
                        [table],
                    )
                ]
                marks = ", ".join("?" * len(objects))
                size = db.execute(
                    f"SELECT SUM(pgsize) FROM dbstat WHERE name IN ({marks})",  # noqa: S608
                    objects,
                ).fetchone()[0]
                column = "snapshot" if name == "revisions" else "body"
                rows, mean = db.execute(
                    f"SELECT COUNT(*), AVG(LENGTH({column})) FROM {table}"  # noqa: S608
                ).fetchone()
                found[name] = (rows, size, mean)
            return found
    import psycopg

    with psycopg.connect(database_url) as db:
        found = {}
        for name, table in TABLES.items():
            column = "snapshot" if name == "revisions" else "body"
            rows, size, mean = db.execute(
                f"SELECT COUNT(*), pg_total_relation_size(%s), AVG(LENGTH({column})) "  # noqa: S608
                f"FROM {table}",
                [table],
            ).fetchone()
            found[name] = (rows, size, float(mean))
        return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000, help="articles (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url", help="an empty PostgreSQL database (default: a temporary SQLite file)"
    )
    parser.add_argument("--text", type=Path, help="take the bodies from this text file")
    options = parser.parse_args(argv)
    text = options.text.read_text(encoding="utf-8").split() if options.text else []
    if text and len(text) < 2 * WORDS_PER_ARTICLE:
        parser.error(f"--text needs at least {2 * WORDS_PER_ARTICLE} words")
    workdir = Path(tempfile.mkdtemp(prefix="bench-revisions-"))
    try:
        database_url = options.database_url or f"sqlite:///{workdir / 'site.sqlite3'}"
        rng = random.Random(options.seed)
        archive = workdir / "archive"
        archive.mkdir()
        for index in range(options.files):
            source = article_file(rng, index, text)
            (archive / f"{index:06d}.md").write_text(source, encoding="utf-8")
        env = {**harness.site_env(workdir / "unused.sqlite3"), "DATABASE_URL": database_url}
        env.pop("REDIS_URL", None)
        print(f"migrating, then importing {options.files} articles …", flush=True)
        harness.manage(env, workdir / "migrate.log", "migrate", "--noinput", "-v", "0")
        run = harness.manage(env, workdir / "import.log", "import_sources", str(archive))
        print(f"import: {run.seconds:.1f} s")
        found = sizes(database_url)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    engine = "SQLite" if database_url.startswith("sqlite") else "PostgreSQL"
    scale = ARCHIVE / options.files
    prose = f"from {options.text}" if text else "generated"
    print(f"{engine}, {options.files} articles of about {WORDS_PER_ARTICLE} words ({prose}):")
    for name, (rows, size, mean) in found.items():
        what = "snapshot, compressed" if name == "revisions" else "body"
        unit = "bytes" if name == "revisions" else "characters"
        print(
            f"  {name:<10} {rows:>7} rows  {size / 2**20:8.2f} MiB  "
            f"{size / max(rows, 1):7.0f} bytes a row  (mean {what}: {mean:.0f} {unit})  "
            f"x{scale:g} = {size * scale / 2**20:8.0f} MiB for {ARCHIVE:,}"
        )


if __name__ == "__main__":
    main()
