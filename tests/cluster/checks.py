"""Assertions several cluster scenarios share: what the database holds after a run of posts,
what the servers' logs must not show, and the rate limit's clock minutes.
"""

from __future__ import annotations

import time

from .client import Post
from .processes import Gunicorn
from .site import Site

# What a server's log shows when a request failed with a 500 or a worker died.
TROUBLE_LOG = ("Internal Server Error", "WORKER TIMEOUT", "Worker (pid:")


def assert_stored_once(site: Site, slug: str, marker: str, posts: list[Post]) -> None:
    """Every accepted post stored once under the pk its redirect named; no refused post
    stored; nothing stored that nobody posted; every stored comment whole."""
    rows = site.stored(slug, marker)
    accepted = [p for p in posts if p.status == 302]
    wrong = [p.body for p in accepted if [s.pk for s in rows.get(p.body, [])] != [p.pk]]
    assert not wrong, (
        f"of {len(accepted)} accepted comments, {len(wrong)} were not stored exactly once "
        f"under the pk their redirect named: {wrong[:3]}"
    )
    refused = [p.body for p in posts if 400 <= p.status < 500]
    stored_refused = [body for body in refused if body in rows]
    assert not stored_refused, f"of {len(refused)} refused posts, stored: {stored_refused[:3]}"
    # A post answered 5xx or not at all may have been committed before the failure: at most once.
    unanswered = [p.body for p in posts if p.status == 0 or p.status >= 500]
    twice = [body for body in unanswered if len(rows.get(body, [])) > 1]
    assert not twice, f"posts answered 5xx or not at all, stored twice: {twice[:3]}"
    unknown = set(rows) - {p.body for p in posts}
    assert not unknown, f"stored but never posted: {sorted(unknown)[:3]}"
    half = [s.pk for found in rows.values() for s in found if s.first_logs != 1]
    assert not half, (
        f"comments without exactly one first status-change record (not whole): {half[:5]}"
    )


def assert_clean_logs(servers: list[Gunicorn]) -> None:
    trouble = [
        f"{server.name}: {line.strip()}"
        for server in servers
        for line in server.log_text().splitlines()
        if any(marker in line for marker in TROUBLE_LOG)
    ]
    assert not trouble, "the servers' logs show a 500 or a lost worker:\n" + "\n".join(trouble[:5])


def clear_of_minute_boundary(seconds_needed: float) -> None:
    """The rate limit counts per clock minute: start a short burst inside one minute."""
    into = time.time() % 60
    if into > 60 - seconds_needed:
        time.sleep(60 - into + 0.2)


def minutes_spanned(posts: list[Post]) -> int:
    """How many clock minutes (the rate limit's windows) a run of posts touched."""
    if not posts:
        return 0
    first = min(p.started_at for p in posts)
    last = max(p.ended_at for p in posts)
    return int(last) // 60 - int(first) // 60 + 1
