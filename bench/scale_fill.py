"""Fill bench/scale.py's database fast, with the same rows on either database: ``COPY`` on
PostgreSQL (psycopg 3 ``cursor.copy``), ``executemany`` in one transaction on SQLite; then
``ANALYZE``.

The search index is the database's own and fills itself: PostgreSQL computes the GENERATED
``tsvector`` column (left out of the COPY), SQLite's triggers write the FTS5 table row by row.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

WORD_TEXT = (
    "government parliament minister statement community church school election border "
    "ceasefire agreement talks protest festival report economy energy water road budget "
    "court judge police health hospital doctor teacher student village city river mountain "
    "farmer harvest price market bank tax trade export import factory worker union strike "
    "museum theatre music concert film book author poet history memory war peace treaty "
    "army soldier refugee village bridge railway airport flight weather storm flood drought"
)
WORDS = WORD_TEXT.split()
RARE_WORD = "quetzalcoatl"  # in one article's body only
SECTIONS, TAGS, AUTHORS = 20, 2000, 500
YEARS = 4
MINUTE = timedelta(minutes=1)  # from a comment's submission to the policy's approval

# One table's rows: its name, the columns given, and the rows (generated as they are read).
Table = tuple[str, tuple[str, ...], Iterable[tuple]]
# Tables whose ids the fill writes itself: PostgreSQL's sequences are moved past them.
NUMBERED = (
    "newsroom_section",
    "newsroom_author",
    "taggit_tag",
    "newsroom_article",
    "newsroom_comment",
    "newsroom_commentstatuschange",
)
ARTICLE_COLUMNS = (
    *("id", "title", "slug", "description", "body", "body_html", "featured_image_id"),
    "is_breaking",
    *("status", "published_at", "created_at", "updated_at", "source_path", "source_hash"),
    *("source_extra", "dateline", "comment_mode", "discussion_policy", "section_id"),
)
COMMENT_COLUMNS = (
    *("id", "article_id", "kind", "author_name", "author_email", "author_url", "body"),
    *("status", "submitted_at", "ip_hash", "fingerprint", "rules", "moderation_reasons"),
    *("decided_rule", "decision_reason", "redacted_reason"),
)
LOG_COLUMNS = (
    *("comment_id", "from_status", "to_status", "actor_name", "rule", "reason", "action"),
    *("original_body", "created_at"),
)


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(WORDS, k=words))


def visited(articles: int) -> dict[str, int]:
    """The articles the benchmark visits: the hot thread, a quiet one, the rare word's."""
    return {"hot": articles, "quiet": articles - 10, "rare": articles // 3}


def fill(articles: int, comments: int, seed: int = 1) -> dict[str, int]:
    """Write the site on the database Django is connected to; returns the ids to visit."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    from newsroom.models import Article

    article_type = ContentType.objects.get_for_model(Article).pk
    rows = tables(articles, comments, timezone.now(), article_type, seed)
    connection.ensure_connection()
    write = {"postgresql": _copy, "sqlite": _executemany}[connection.vendor]
    write(connection, rows)
    return visited(articles)


def tables(
    articles: int, comments: int, now: datetime, article_type: int, seed: int = 1
) -> Iterator[Table]:
    """Every table's rows, in an order that satisfies the foreign keys. Tables are to be
    written one after the other: the comments' dates follow the articles' as generated."""
    rng = random.Random(seed)
    span = timedelta(days=365 * YEARS).total_seconds()
    published: dict[int, datetime] = {}
    yield (
        "newsroom_section",
        ("id", "name", "slug", "description"),
        ((i, f"Section {i}", f"section-{i}", "Stories.") for i in range(1, SECTIONS + 1)),
    )
    yield (
        "newsroom_author",
        ("id", "name", "slug", "bio"),
        ((i, f"Reporter {i}", f"reporter-{i}", "Writes.") for i in range(1, AUTHORS + 1)),
    )
    yield (
        "taggit_tag",
        ("id", "name", "slug"),
        (
            (i, f"{WORDS[i % len(WORDS)]} {i}", f"{WORDS[i % len(WORDS)]}-{i}")
            for i in range(1, TAGS + 1)
        ),
    )

    def article_rows() -> Iterator[tuple]:
        for i in range(1, articles + 1):
            # Ids follow publication order: the last article is the newest.
            at = now - timedelta(seconds=span * (articles - i) / articles + 60)
            published[i] = at
            paragraphs = [text(rng, 50) for _ in range(5)]
            if i == articles // 3:
                paragraphs[2] += " " + RARE_WORD
            body = "\n\n".join(p.capitalize() + "." for p in paragraphs)
            html = "".join(f"<p>{p.capitalize()}.</p>\n" for p in paragraphs)
            title = text(rng, 8).capitalize()
            yield (
                *(i, title, f"article-{i}", text(rng, 25).capitalize() + ".", body),
                *(html, None, i % 997 == 0, "published", at, at, at),
                *("", "", "{}", "", "open", "", 1 + i % SECTIONS),
            )

    def byline_rows() -> Iterator[tuple]:
        for i in range(1, articles + 1):
            first = 1 + (i * 7) % AUTHORS
            yield (i, first)
            if i % 4 == 0:
                yield (i, 1 + (first % AUTHORS))

    def tag_rows() -> Iterator[tuple]:
        for i in range(1, articles + 1):
            for tag in {1 + int(rng.paretovariate(1.2)) % TAGS for _ in range(3)}:
                yield (i, article_type, tag)

    yield "newsroom_article", ARTICLE_COLUMNS, article_rows()
    yield "newsroom_article_authors", ("article_id", "author_id"), byline_rows()
    yield "taggit_taggeditem", ("object_id", "content_type_id", "tag_id"), tag_rows()
    log: list[tuple] = []
    yield "newsroom_comment", COMMENT_COLUMNS, _comments(rng, articles, comments, published, log)
    yield "newsroom_commentstatuschange", LOG_COLUMNS, log


def _comments(
    rng: random.Random,
    articles: int,
    comments: int,
    published: dict[int, datetime],
    log: list[tuple],
) -> Iterator[tuple]:
    """Most comments spread thinly; the newest article holds a ninth of them, five more a
    thirtieth each (at a million: 111,111 and 33,333), and one quiet article holds five.

    Fills ``log``, the moderation log: every fifth approved comment approved by the
    policy's rule."""
    ids = visited(articles)
    warm = list(range(articles - 5, articles))
    counts = {ids["hot"]: comments // 9, **{a: comments // 30 for a in warm}, ids["quiet"]: 5}
    n = 0

    def rows(article: int, how_many: int) -> Iterator[tuple]:
        nonlocal n
        start = published[article]
        for k in range(how_many):
            n += 1
            status = "pending" if n % 20 == 0 else "approved"
            at = start + timedelta(seconds=30 * (k + 1))
            yield (
                *(n, article, "comment", f"Reader {n % 50000}", f"reader{n % 50000}@example.com"),
                *("", text(rng, 12 + n % 40), status, at),
                *(f"{n % 9973:x}", "", "", "[]", "", "", ""),
            )
            if status == "approved" and n % 5 == 0:
                reason = "No rule held it."
                log.append(
                    (n, "pending", "approved", "", "policy", reason, "status", "", at + MINUTE)
                )

    for article, how_many in counts.items():
        yield from rows(article, how_many)
    spread = comments - sum(counts.values())
    low = max(1, articles - 11)
    spread_counts: dict[int, int] = {}
    for _ in range(spread):
        a = rng.randrange(1, low) if low > 1 else 1
        spread_counts[a] = spread_counts.get(a, 0) + 1
    for article, how_many in spread_counts.items():
        yield from rows(article, how_many)


def _copy(connection, rows: Iterable[Table]) -> None:
    """PostgreSQL: one COPY a table, the sequences moved past the ids written, VACUUM ANALYZE."""
    raw = connection.connection
    with raw.cursor() as cur:
        for table, columns, values in rows:
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        for table in NUMBERED:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    raw.commit()
    with raw.cursor() as cur:
        raw.autocommit = True
        cur.execute("VACUUM ANALYZE")


def _executemany(connection, rows: Iterable[Table]) -> None:
    """SQLite: one transaction with no journal and no syncs (a crash mid-fill loses the
    file, which is the benchmark's own), one executemany a table, then ANALYZE and the
    site's own journal (WAL) back."""
    raw = connection.connection
    datetimes = connection.ops.adapt_datetimefield_value  # Django's text form, in UTC
    raw.execute("PRAGMA journal_mode=OFF")
    raw.execute("PRAGMA synchronous=OFF")
    raw.execute("PRAGMA cache_size=-262144")  # 256 MiB: the comments' indexes stay in memory
    raw.execute("BEGIN")
    for table, columns, values in rows:
        marks = ", ".join("?" * len(columns))
        raw.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
            (tuple(datetimes(v) if isinstance(v, datetime) else v for v in row) for row in values),
        )
    raw.execute("COMMIT")
    raw.execute("ANALYZE")
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=NORMAL")
