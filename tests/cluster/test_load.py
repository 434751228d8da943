"""The load test: comments posted by concurrent clients across both servers while readers
load pages; every accepted comment stored once, no 5xx, and the figures in the report.
"""

from __future__ import annotations

import itertools
import os
import secrets
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest

from .checks import assert_clean_logs, assert_stored_once, clear_of_minute_boundary, minutes_spanned
from .client import Latencies, Post, Reader, Response, comment_body, post_comment
from .environment import CLUSTER
from .site import ARTICLES, Site

pytestmark = CLUSTER

# CI's size; the README's figures come from CLUSTER_LOAD=500,50,10 (comments, posting
# clients, readers loading pages meanwhile).
COMMENTS, CLIENTS, READERS = (int(n) for n in os.environ.get("CLUSTER_LOAD", "100,10,4").split(","))
MAX_SECONDS = 90 if COMMENTS <= 100 else 300
# One post in this many is an empty comment, which must be refused: refusals run every time.
EMPTY_EVERY = 25


@dataclass
class LoadRun:
    posts: list[Post] = field(default_factory=list)
    pages: list[Response] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timed_out: bool = False
    marker: str = field(default_factory=lambda: f"Load {secrets.token_hex(3)}")


@pytest.fixture(scope="module")
def load(site: Site, servers, figures: list[str]) -> LoadRun:
    run, lock = LoadRun(), threading.Lock()
    slug, paths = ARTICLES["load"], [f"/articles/{ARTICLES['load']}/", "/"]
    deadline = time.monotonic() + MAX_SECONDS
    posting_done = threading.Event()

    def poster(i: int, count: int) -> None:
        reader = Reader(site.new_address())
        for j in range(count):
            if time.monotonic() > deadline:
                run.timed_out = True
                return
            empty = (i + j * CLIENTS) % EMPTY_EVERY == EMPTY_EVERY - 1
            body = " \n " if empty else comment_body(f"{run.marker} {i}.{j}")
            port = servers[(i + j) % len(servers)].port
            post = post_comment(reader, port, slug, body, f"load{i}@example.org", f"Load {i}")
            with lock:
                run.posts.append(post)

    def page_reader(k: int) -> None:
        visitor = Reader(site.new_address())
        for n in itertools.count():
            if posting_done.is_set() or time.monotonic() > deadline or n >= 20 * COMMENTS:
                return
            port = servers[(k + n) % len(servers)].port
            try:
                response = visitor.get(port, paths[n % 2], anonymous=True)
            except OSError as error:
                with lock:
                    run.errors.append(f"page load: {error}")
                continue
            with lock:
                run.pages.append(response)

    shares = [COMMENTS // CLIENTS + (i < COMMENTS % CLIENTS) for i in range(CLIENTS)]
    posters = [
        threading.Thread(target=poster, args=(i, n), daemon=True) for i, n in enumerate(shares)
    ]
    lookers = [threading.Thread(target=page_reader, args=(k,), daemon=True) for k in range(READERS)]
    clear_of_minute_boundary(5)
    started = time.monotonic()
    for thread in lookers + posters:
        thread.start()
    for thread in posters:
        thread.join(timeout=max(0.1, deadline - time.monotonic() + 30))
    run.seconds = time.monotonic() - started
    posting_done.set()
    for thread in lookers:
        thread.join(timeout=30)
    figures.extend(describe(run))
    print("\n".join(["", *figures]))  # shown under -s as well as at the end of the report
    return run


def describe(run: LoadRun) -> list[str]:
    """The load test's figures: what was sent and answered, throughput, latencies."""
    posts, pages, seconds = run.posts, run.pages, run.seconds
    statuses = Counter(p.status for p in posts)
    refusals = Counter(
        f"{p.status} {p.reason or '(no clear reason)'}" for p in posts if p.status >= 400
    )
    post_latency, form_latency, page_latency = Latencies(), Latencies(), Latencies()
    for post in posts:
        if post.status:
            post_latency.add(post.seconds)
        if post.page_status:
            form_latency.add(post.page_seconds)
    for response in pages:
        page_latency.add(response.seconds)
    hits = sum(r.cache == "hit" for r in pages)
    return [
        f"{COMMENTS} comments from {CLIENTS} concurrent clients across 2 servers, {READERS} "
        f"readers loading pages meanwhile: {len(posts)} posts in {seconds:.1f} s",
        "answers: "
        + ", ".join(f"{n} × {s or 'no answer'}" for s, n in sorted(statuses.items()))
        + f"; refusals: {dict(refusals) or 'none'}",
        f"throughput: {len(posts) / seconds:.1f} posts/s ({statuses[302] / seconds:.1f} "
        f"accepted/s), {len(pages) / seconds:.1f} reader page loads/s, "
        f"{(2 * len(posts) + len(pages)) / seconds:.1f} requests/s in all",
        f"comment post latency:             {post_latency.line()}",
        f"article page before each post:    {form_latency.line()}",
        f"readers' page loads (anonymous):  {page_latency.line()}; "
        f"{hits / max(1, len(pages)):.0%} from the page cache",
    ]


def test_every_post_is_sent_within_the_time_bound(load: LoadRun):
    assert len(load.posts) == COMMENTS and not load.timed_out, (
        f"{len(load.posts)} of {COMMENTS} posts sent within {MAX_SECONDS} s"
    )


def test_no_post_answered_5xx_or_not_at_all(load: LoadRun):
    failed = [f"{p.status} {p.reason}" for p in load.posts if p.status == 0 or p.status >= 500]
    assert not failed, f"{len(failed)} posts answered 5xx or not at all: {failed[:5]}"


def test_every_refusal_is_a_clear_4xx_and_empty_comments_are_refused(load: LoadRun):
    unclear = [p.status for p in load.posts if 400 <= p.status < 500 and not p.reason]
    assert not unclear, f"refusals that do not say why: {Counter(unclear)}"
    empty = [p for p in load.posts if not p.body.strip()]
    # 429 when the client was already over its limit: that is checked first.
    wrong = [p.status for p in empty if not (p.status == 400 or p.reason == "rate limit")]
    assert empty and not wrong, f"of {len(empty)} empty comments, not refused: {wrong}"


def test_every_accepted_comment_is_stored_once(site: Site, load: LoadRun):
    assert_stored_once(site, ARTICLES["load"], load.marker, load.posts)


def test_no_client_gets_more_than_the_rate_limit_through_both_servers(site: Site, load: LoadRun):
    by_client: dict[str, list[Post]] = defaultdict(list)
    for post in load.posts:
        by_client[post.client].append(post)
    # Per clock minute its posts spanned: in a new minute the count starts again.
    over = [
        client
        for client, own in by_client.items()
        if sum(p.status == 302 for p in own) > site.rate_limit * minutes_spanned(own)
    ]
    assert not over, f"clients over {site.rate_limit} comments a minute across both: {over[:5]}"


def test_readers_pages_load_and_the_servers_log_no_trouble(servers, load: LoadRun):
    statuses = Counter(r.status for r in load.pages)
    assert load.pages and set(statuses) == {200}, f"readers' page loads: {dict(statuses)}"
    assert not load.errors, f"page loads without an answer: {load.errors[:3]}"
    assert_clean_logs(list(servers))
