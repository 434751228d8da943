"""Redis stops mid-run (a redis-server of the module's own, and an app server of its own):
the site keeps serving uncached, the rate limit holds per worker, the cache comes back.
"""

from __future__ import annotations

import time

import pytest

from .checks import assert_clean_logs, assert_stored_once, minutes_spanned
from .client import Reader, comment_body, post_comment
from .environment import CLUSTER, NEEDS_REDIS_SERVER
from .processes import Gunicorn, RedisServer, wait_until
from .site import ARTICLES, Site
from .traffic import Traffic

pytestmark = [*CLUSTER, NEEDS_REDIS_SERVER]
OUTAGE = 1.5  # seconds Redis is down
LIMIT = 3  # posts per client per minute on this module's server
FALLBACK_LOG = "rate limiting falls back to counting in this process"
PAGE_CACHE_LOG = "Page cache unreachable"


@pytest.fixture(scope="module")
def server(site: Site, redis_server: RedisServer, start_server) -> Gunicorn:
    return start_server(
        "redis-fault app",
        REDIS_URL=redis_server.url(0),
        CACHE_KEY_PREFIX=f"{site.prefix}-redis",
        CLUSTER_RATE_LIMIT=str(LIMIT),
    )


def test_the_site_keeps_serving_when_redis_stops(site: Site, redis_server, server):
    slug, path = ARTICLES["redis"], f"/articles/{ARTICLES['redis']}/"
    visitor = Reader(site.new_address())
    loads = [visitor.get(server.port, path, anonymous=True) for _ in range(2)]
    assert [(r.status, r.cache) for r in loads] == [(200, "miss"), (200, "hit")], (
        "with Redis the page is cached (miss, then hit)"
    )
    with Traffic(site, [server.port], slug) as traffic:
        time.sleep(min(1.0, OUTAGE))
        redis_server.stop()
        down_at = time.monotonic()

        loads = [visitor.get(server.port, path, anonymous=True) for _ in range(2)]
        assert all(r.status == 200 and r.cache == "" for r in loads), (
            f"pages still served, uncached: {[(r.status, r.cache) for r in loads]}"
        )
        body = comment_body("Redis down")
        post = post_comment(
            Reader(site.new_address()), server.port, slug, body, "down@example.org", "Down"
        )
        assert post.status == 302 and site.comment(post.pk) is not None, (
            f"a comment is accepted and stored: {post.status} {post.reason}"
        )
        flood = Reader(site.new_address())
        ceiling = LIMIT * site.workers  # each worker process counts for itself
        flood_posts = [
            post_comment(flood, server.port, slug, comment_body(f"Flood {i}"), "f@ex.org", "F")
            for i in range(2 * ceiling + 1)
        ]
        accepted = sum(p.status == 302 for p in flood_posts)
        refused = sum(p.status == 429 and p.reason == "rate limit" for p in flood_posts)
        minutes = minutes_spanned(flood_posts)
        assert accepted <= ceiling * minutes and accepted + refused == len(flood_posts), (
            f"one client floods {len(flood_posts)} posts: {accepted} accepted, {refused} "
            f"refused (429) in {minutes} clock minute(s); the limit must still hold per "
            f"worker ({LIMIT} × {site.workers} workers a minute at most)"
        )
        time.sleep(max(0.0, OUTAGE - (time.monotonic() - down_at)))
        log = server.log_text()
        assert FALLBACK_LOG in log, f"the log says “{FALLBACK_LOG}”"
        assert PAGE_CACHE_LOG in log, f"the log says “{PAGE_CACHE_LOG}…”"

        redis_server.start(timeout=15)  # on the same port
        back_at = time.monotonic()
        recovered = wait_until(
            lambda: visitor.get(server.port, path, anonymous=True).cache == "hit", 15, 0.2
        )
        assert recovered, (
            f"the page cache works again without a restart (waited "
            f"{time.monotonic() - back_at:.1f} s)"
        )
    bad = [(p.status, p.reason) for p in traffic.posts if p.status != 302]
    bad_pages = [status for _when, status, _cache in traffic.pages if status != 200]
    assert traffic.posts and not bad and not bad_pages and not traffic.errors, (
        f"throughout, every post accepted and every page 200: {traffic.summary()}; "
        f"posts {bad[:3]}, pages {bad_pages[:3]}, errors {traffic.errors[:3]}"
    )
    assert_stored_once(site, slug, traffic.marker, traffic.posts)
    assert_clean_logs([server])
