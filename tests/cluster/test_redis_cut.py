"""Redis cut off by a proxy (not restarted) while a moderator approves a comment: the page
shows it meanwhile, uncached, and once Redis answers again no stale page is served.
"""

from __future__ import annotations

import time

import pytest

from .checks import assert_clean_logs
from .client import Reader, comment_body, post_comment
from .environment import CLUSTER, NEEDS_REDIS_SERVER
from .processes import HOST, Gunicorn
from .proxy import TcpProxy
from .site import ARTICLES, CHANGELIST, MODERATOR, Site

pytestmark = [*CLUSTER, NEEDS_REDIS_SERVER]
OUTAGE = 1.0  # seconds Redis is cut off
# Each app server looks for invalidations it missed at most every
# NEWSROOM_CACHE_RECOVERY_SECONDS (1 s); the one that approved retries at once.
RECOVERY_SECONDS = 1.2


@pytest.fixture(scope="module")
def server(site: Site, redis_proxy: TcpProxy, start_server) -> Gunicorn:
    return start_server(
        "redis-cut app",
        REDIS_URL=f"redis://{HOST}:{redis_proxy.port}/0",
        CACHE_KEY_PREFIX=f"{site.prefix}-cut",
    )


def test_a_comment_approved_while_redis_is_unreachable_shows_once_it_is_back(
    site: Site, redis_proxy: TcpProxy, server: Gunicorn
):
    slug, path = ARTICLES["cut"], f"/articles/{ARTICLES['cut']}/"
    visitor = Reader(site.new_address())
    loads = [visitor.get(server.port, path, anonymous=True) for _ in range(2)]
    assert [(r.status, r.cache) for r in loads] == [(200, "miss"), (200, "hit")], (
        "with Redis the page is cached (miss, then hit)"
    )
    body = comment_body("Approved during the cut")
    post = post_comment(Reader(site.new_address()), server.port, slug, body, "c@ex.org", "C")
    assert post.status == 302, f"a comment posted, held for a moderator: {post.status}"
    moderator = Reader(site.new_address())
    moderator.login(server.port, MODERATOR, site.moderator_password)

    redis_proxy.pause()  # Redis itself keeps running
    down_at = time.monotonic()
    try:
        action = moderator.admin_action(server.port, CHANGELIST, "approve", [post.pk])
        stored = site.comment(post.pk)
        assert action.status == 302 and stored is not None and stored.status == "approved", (
            f"the moderator approves it: {action.status}, {stored and stored.status}"
        )
        during = visitor.get(server.port, path, anonymous=True)
        assert during.status == 200 and body in during.body, (
            f"meanwhile the page, uncached, shows it: {during.status}"
        )
        time.sleep(max(0.0, OUTAGE - (time.monotonic() - down_at)))
    finally:
        redis_proxy.resume()
    time.sleep(RECOVERY_SECONDS)
    after = [visitor.get(server.port, path, anonymous=True) for _ in range(3)]
    lost = {
        line.split(": ", 1)[-1]
        for line in server.log_text().splitlines()
        if "could not invalidate" in line
    }
    assert all(body in r.body for r in after), (
        "once Redis answers again the page shows the approved comment, not the page cached "
        "before the approval (stale until NEWSROOM_PAGE_CACHE_SECONDS): "
        f"{[(r.status, r.cache, body in r.body) for r in after]}; the log: {sorted(lost)}"
    )
    assert_clean_logs([server])
