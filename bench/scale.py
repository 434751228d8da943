"""The reader pages and admin screens on a big site: how long each takes, how many queries it
makes and how large it is, at --articles (default 100,000) and --comments (default 1,000,000);
--compare SMALL runs a small site too and prints the ratios.

Each size runs in a child process on its own database, migrated, then filled fast
(bench/scale_fill.py) and measured in-process with the test client, the cache cleared before
every request. On PostgreSQL (the default) the database is newsroom_scale_<pid>_<articles>,
filled with COPY; with --database sqlite, a file in a temporary directory, filled with
executemany in one transaction, its FTS5 index written by the triggers. Takes minutes at full
size; not part of CI::

    .venv/bin/python bench/scale.py --articles 1000 --comments 10000
    .venv/bin/python bench/scale.py --compare 1000
    .venv/bin/python bench/scale.py --database sqlite --compare 1000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("SCALE_PG", "postgres://postgres@127.0.0.1:5432")
COMMON, RARE = "government", "quetzalcoatl"


def environment(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="1",
        ALLOWED_HOSTS="testserver",
        CONN_MAX_AGE="0",
    )
    return env


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def postgresql(name: str, keep: bool) -> Iterator[tuple[str, str]]:
    """A new, empty PostgreSQL database: its URL and what to call it in the report."""
    admin_sql(f'DROP DATABASE IF EXISTS "{name}"')
    admin_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG}/{name}", f"database {name}"
    finally:
        if not keep:
            admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def sqlite(name: str, keep: bool) -> Iterator[tuple[str, str]]:
    """A new SQLite file in a temporary directory: its URL and its path."""
    folder = Path(tempfile.mkdtemp(prefix=f"{name}_"))
    path = folder / "scale.sqlite3"
    try:
        yield f"sqlite:///{path}", str(path)
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


NEW_DATABASE = {"postgresql": postgresql, "sqlite": sqlite}


def timed(client, url: str) -> tuple[float, int, int, int]:
    """Best of two (ms), queries, bytes and status of one page, the cache cleared first."""
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best, queries, size, status = float("inf"), 0, 0, 0
    for _ in range(2):
        for cache in caches.all():
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            body = b"".join(response) if response.streaming else response.content
            elapsed = (time.perf_counter() - started) * 1000
        best = min(best, elapsed)
        queries, size, status = len(captured), len(body), response.status_code
    return best, queries, size, status


def older(client, url: str, times: int) -> str:
    """The listing page reached by following "Older" ``times`` times from ``url``."""
    path = urlsplit(url).path
    for _ in range(times):
        html = client.get(url).content.decode()
        found = re.search(r'rel="next" href="([^"]+)"', html)
        if not found:
            break
        url = path + found.group(1).replace("&amp;", "&")
    return url


def measure(ids: dict[str, int]) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from newsroom.models import Comment

    client = Client()
    hot = ids["hot"]
    thread = Comment.objects.filter(article_id=hot, status="approved", parent=None).count()
    sitemap = client.get("/sitemap.xml").content.decode()
    parts = [
        urlsplit(loc).path + "?" + urlsplit(loc).query
        for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)
    ]
    part = next((p for p in parts if "article" in p), parts[-1] if parts else "/sitemap.xml")
    pages = [
        ("front page", "/"),
        ("listing, 5 pages older", older(client, "/sections/section-1/", 5)),
        ("section page", "/sections/section-2/"),
        ("tag page", f"/tags/{tag_slug()}/"),
        ("author page", "/authors/reporter-8/"),
        ("article, 5 comments", f"/articles/article-{ids['quiet']}/"),
        (f"article, {thread} comments, page 1", f"/articles/article-{hot}/"),
        ("same, middle comment page", f"/articles/article-{hot}/?comments={middle(hot)}"),
        (f"search '{COMMON}'", f"/search/?q={COMMON}"),
        (f"search '{RARE}'", f"/search/?q={RARE}"),
        ("/sitemap.xml", "/sitemap.xml"),
        ("sitemap part", part),
        ("/sitemap-news.xml", "/sitemap-news.xml"),
        ("RSS", "/feeds/rss/"),
    ]
    user = get_user_model().objects.create_superuser("scale", "scale@example.com", "x")
    staff = Client()
    staff.force_login(user)
    admin = [
        ("admin: comment queue", "/admin/newsroom/comment/"),
        ("admin: queue, status=all", "/admin/newsroom/comment/?status=all"),
        ("admin: queue, search by email", "/admin/newsroom/comment/?q=reader123@example.com"),
        ("admin: article list", "/admin/newsroom/article/"),
        ("admin: article change", f"/admin/newsroom/article/{hot}/change/"),
        ("admin: moderation log", "/admin/newsroom/commentstatuschange/"),
    ]
    results = []
    for who, rows in ((client, pages), (staff, admin)):
        for name, url in rows:
            ms, queries, size, status = timed(who, url)
            results.append(
                {
                    "page": name,
                    "url": url,
                    "ms": ms,
                    "queries": queries,
                    "kib": size / 1024,
                    "status": status,
                }
            )
    return results


def tag_slug() -> str:
    from taggit.models import Tag

    return Tag.objects.get(pk=2).slug  # the most used tag (the fill's tags follow Pareto)


def middle(article: int) -> int:
    """A comment page halfway through the article's thread, from its own page count."""
    from django.test import Client

    html = Client().get(f"/articles/article-{article}/").content.decode()
    pages = [int(n) for n in re.findall(r"comments=(\d+)", html)]
    return max(1, max(pages, default=2) // 2)


def explain() -> tuple[str, str]:
    """The plans of the queries a search for the common word runs (its matches, their
    ranks, the page's items), and what they are called: run and timed on PostgreSQL, the
    query planner's plan on SQLite (it cannot analyze)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from newsroom import search

    with CaptureQueriesContext(connection) as captured:
        results = search.search(COMMON)
        results[0:20]
    how = "EXPLAIN ANALYZE" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute(f"{how} {query['sql']}")
            plan = "\n".join(
                str(row[-1] if how == "EXPLAIN QUERY PLAN" else row[0]) for row in cursor.fetchall()
            )
            plans.append(f"{query['sql'][:160]}…\n{plan}")
    return how, "\n\n".join(plans)


def child(args: argparse.Namespace) -> None:
    """In the child process: the environment names the database, already migrated."""
    import django

    django.setup()
    from scale_fill import fill

    started = time.perf_counter()
    ids = fill(args.articles, args.comments)
    filled = time.perf_counter() - started
    results = measure(ids)
    how, plan = explain()
    report = {"fill_s": filled, "results": results, "explain_how": how, "explain": plan}
    Path(args.child).write_text(json.dumps(report))


def run_size(vendor: str, articles: int, comments: int, keep: bool) -> dict:
    name = f"newsroom_scale_{os.getpid()}_{articles}"
    with NEW_DATABASE[vendor](name, keep) as (url, where):
        env = environment(url)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
        out = Path(tempfile.gettempdir()) / f"{name}.json"
        command = [
            sys.executable,
            __file__,
            "--articles",
            str(articles),
            "--comments",
            str(comments),
            "--child",
            str(out),
        ]
        subprocess.run(
            command, env={**env, "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}"}, cwd=ROOT, check=True
        )
        report = json.loads(out.read_text())
        out.unlink()
    print(
        f"\n{articles:,} articles, {comments:,} comments on {vendor} ({where}"
        f"{', kept' if keep else ''}; filled in {report['fill_s']:.0f} s)\n"
    )
    print("| page | ms | queries | KiB | status |\n| --- | ---: | ---: | ---: | ---: |")
    for row in report["results"]:
        print(
            f"| {row['page']} | {row['ms']:.1f} | {row['queries']} | {row['kib']:.1f} "
            f"| {row['status']} |"
        )
    print(f"\n{report['explain_how']}, search for '{COMMON}' (first page):\n\n{report['explain']}")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--compare", type=int, metavar="SMALL")
    parser.add_argument(
        "--database",
        choices=sorted(NEW_DATABASE),
        default="postgresql",
        help="a new PostgreSQL database on SCALE_PG (the default), or a new SQLite file",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    sizes = [(args.articles, args.comments)]
    if args.compare:
        small = args.compare * args.comments // args.articles
        sizes.insert(0, (args.compare, small))
    reports = [run_size(args.database, a, c, args.keep) for a, c in sizes]
    if len(reports) == 2:
        print(
            f"\n| page | ms ratio {sizes[1][0]:,}/{sizes[0][0]:,} | queries small → full "
            "| KiB ratio |\n| --- | ---: | --- | ---: |"
        )
        for small, full in zip(reports[0]["results"], reports[1]["results"], strict=True):
            print(
                f"| {full['page']} | {full['ms'] / small['ms']:.2f} "
                f"| {small['queries']} → {full['queries']} "
                f"| {full['kib'] / max(small['kib'], 0.01):.2f} |"
            )


if __name__ == "__main__":
    main()
