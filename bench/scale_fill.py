"""Fill bench/scale.py's database fast: PostgreSQL ``COPY`` of articles, bylines, tags and
comments (psycopg 3 ``cursor.copy``), sequences moved past the ids written, then ``ANALYZE``.

The search column is GENERATED, so it is left out of the COPY and computed by PostgreSQL.
"""

from __future__ import annotations

import random
from datetime import timedelta

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


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(WORDS, k=words))


def fill(articles: int, comments: int, seed: int = 1) -> dict[str, int]:
    """Write the site; returns the ids the benchmark visits."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    from newsroom.models import Article

    rng = random.Random(seed)
    now = timezone.now()
    span = timedelta(days=365 * YEARS).total_seconds()
    article_type = ContentType.objects.get_for_model(Article).pk
    connection.ensure_connection()
    raw = connection.connection
    published = {}
    with raw.cursor() as cur:
        with cur.copy("COPY newsroom_section (id, name, slug, description) FROM STDIN") as copy:
            for i in range(1, SECTIONS + 1):
                copy.write_row((i, f"Section {i}", f"section-{i}", "Stories."))
        with cur.copy("COPY newsroom_author (id, name, slug, bio) FROM STDIN") as copy:
            for i in range(1, AUTHORS + 1):
                copy.write_row((i, f"Reporter {i}", f"reporter-{i}", "Writes."))
        with cur.copy("COPY taggit_tag (id, name, slug) FROM STDIN") as copy:
            for i in range(1, TAGS + 1):
                word = WORDS[i % len(WORDS)]
                copy.write_row((i, f"{word} {i}", f"{word}-{i}"))
        columns = (
            "id, title, slug, description, body, body_html, featured_image_url, "
            "featured_image_alt, featured_image_caption, featured_image_credit, is_breaking, "
            "status, published_at, created_at, updated_at, source_path, source_hash, "
            "source_extra, dateline, comment_mode, discussion_policy, section_id"
        )
        with cur.copy(f"COPY newsroom_article ({columns}) FROM STDIN") as copy:
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
                copy.write_row(
                    (
                        *(i, title, f"article-{i}", text(rng, 25).capitalize() + ".", body),
                        *(html, "", "", "", "", i % 997 == 0, "published", at, at, at),
                        *("", "", "{}", "", "open", "", 1 + i % SECTIONS),
                    )
                )
        with cur.copy("COPY newsroom_article_authors (article_id, author_id) FROM STDIN") as copy:
            for i in range(1, articles + 1):
                first = 1 + (i * 7) % AUTHORS
                copy.write_row((i, first))
                if i % 4 == 0:
                    copy.write_row((i, 1 + (first % AUTHORS)))
        with cur.copy(
            "COPY taggit_taggeditem (object_id, content_type_id, tag_id) FROM STDIN"
        ) as copy:
            for i in range(1, articles + 1):
                for tag in {1 + int(rng.paretovariate(1.2)) % TAGS for _ in range(3)}:
                    copy.write_row((i, article_type, tag))
        ids = _comments(cur, rng, articles, comments, published)
        # The moderation log: every fifth approved comment approved by the policy's rule.
        cur.execute(
            "INSERT INTO newsroom_commentstatuschange (comment_id, from_status, to_status, "
            "actor_name, rule, reason, action, original_body, created_at) "
            "SELECT id, 'pending', 'approved', '', 'policy', 'No rule held it.', 'status', '', "
            "submitted_at + interval '1 minute' FROM newsroom_comment "
            "WHERE status = 'approved' AND id % 5 = 0"
        )
        for table in (
            "newsroom_section",
            "newsroom_author",
            "taggit_tag",
            "newsroom_article",
            "newsroom_comment",
            "newsroom_commentstatuschange",
        ):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    raw.commit()
    with raw.cursor() as cur:
        raw.autocommit = True
        cur.execute("VACUUM ANALYZE")
    return ids


def _comments(cur, rng, articles: int, comments: int, published) -> dict[str, int]:
    """Most comments spread thinly; the newest article holds a ninth of them, five more a
    thirtieth each (at a million: 111,111 and 33,333), and one quiet article holds five."""
    hot = articles
    warm = list(range(articles - 5, articles))
    quiet = articles - 10
    counts = {hot: comments // 9, **{a: comments // 30 for a in warm}, quiet: 5}
    spread = comments - sum(counts.values())
    columns = (
        "article_id, kind, author_name, author_email, author_url, body, status, "
        "submitted_at, ip_hash, fingerprint, rules, moderation_reasons, decided_rule, "
        "decision_reason, redacted_reason"
    )
    n = 0

    def rows(article: int, how_many: int):
        nonlocal n
        start = published[article]
        for k in range(how_many):
            n += 1
            status = "pending" if n % 20 == 0 else "approved"
            yield (
                *(article, "comment", f"Reader {n % 50000}", f"reader{n % 50000}@example.com"),
                *("", text(rng, 12 + n % 40), status, start + timedelta(seconds=30 * (k + 1))),
                *(f"{n % 9973:x}", "", "", "[]", "", "", ""),
            )

    with cur.copy(f"COPY newsroom_comment ({columns}) FROM STDIN") as copy:
        for article, how_many in counts.items():
            for row in rows(article, how_many):
                copy.write_row(row)
        low = max(1, articles - 11)
        spread_counts: dict[int, int] = {}
        for _ in range(spread):
            a = rng.randrange(1, low) if low > 1 else 1
            spread_counts[a] = spread_counts.get(a, 0) + 1
        for article, how_many in spread_counts.items():
            for row in rows(article, how_many):
                copy.write_row(row)
    return {"hot": hot, "quiet": quiet, "rare": articles // 3}
