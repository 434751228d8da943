"""Two app servers on one database and one Redis: what must be shared is shared (the page
cache, sessions, the rate limit, bans, the surge switch, duplicate detection).
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter

from .checks import clear_of_minute_boundary, minutes_spanned
from .client import RATE_LIMITED, Reader, Response, comment_body, form_fields, post_comment
from .environment import CLUSTER
from .processes import Gunicorn
from .site import ARTICLES, CHANGELIST, MODERATOR, SURGE_THRESHOLD, Site, known_author

pytestmark = CLUSTER
# Readers who each send one comment to both servers at the same moment.
DOUBLE_POSTS = 5


def which(response: Response, b: Gunicorn) -> str:
    return f"{'AB'[response.port == b.port]} {response.status} ({response.cache})"


def test_a_comment_approved_through_one_server_appears_on_both(site: Site, servers):
    a, b = servers
    slug = ARTICLES["cache"]
    path = f"/articles/{slug}/"
    visitor = Reader(site.new_address())
    first = [visitor.get(s.port, path, anonymous=True) for s in (a, a, b)]
    assert [r.cache for r in first] == ["miss", "hit", "hit"], (
        "A renders and caches the page, then A and B both serve it from the shared cache; "
        f"got {[which(r, b) for r in first]}"
    )
    body = comment_body("Cache check")
    post = post_comment(Reader(site.new_address()), a.port, slug, body, "new@example.org", "New")
    stored = site.comment(post.pk)
    assert post.status == 302 and stored is not None and stored.status == "pending", (
        f"a first comment posted on A waits for a moderator: {post.status} {post.reason}, "
        f"stored as {stored and stored.status}"
    )
    hidden = [visitor.get(s.port, path, anonymous=True) for s in (a, b)]
    assert all(r.status == 200 and body not in r.body for r in hidden), (
        f"while it waits, neither server shows it: {[which(r, b) for r in hidden]}"
    )
    moderator = Reader(site.new_address())
    login = moderator.login(a.port, MODERATOR, site.moderator_password)
    assert login.status == 302 and "sessionid" in moderator.cookies, (
        f"the moderator logs in on A: {login.status}"
    )
    action = moderator.admin_action(b.port, CHANGELIST, "approve", [post.pk])
    stored = site.comment(post.pk)
    assert action.status == 302 and stored is not None and stored.status == "approved", (
        "the moderator approves it through B's admin with the session from A (sessions are "
        f"shared): {action.status}, now {stored and stored.status}"
    )
    after = [visitor.get(s.port, path, anonymous=True) for s in (a, b, a, b)]
    assert all(r.status == 200 and body in r.body for r in after), (
        "both servers show the approved comment at once, from the first load on: "
        f"{[which(r, b) + (' shown' if body in r.body else ' NOT shown') for r in after]}"
    )


def test_the_rate_limit_counts_across_both_servers(site: Site, servers):
    a, b = servers
    limit, extra = site.rate_limit, 3
    slug = ARTICLES["rate"]
    for _attempt in range(2):
        reader = Reader(site.new_address())
        clear_of_minute_boundary(15)
        posts = [
            post_comment(
                reader, (a, b)[i % 2].port, slug, comment_body(f"Rate check {i}"), "r@ex.org", "R"
            )
            for i in range(limit + extra)
        ]
        # A burst that crossed into the next clock minute, where the count starts again,
        # proves nothing: send it again.
        if minutes_spanned(posts) == 1:
            break
    seen = " ".join(f"{'AB'[p.port == b.port]}:{p.status}" for p in posts)
    accepted = [p for p in posts if p.status == 302]
    refused = [p for p in posts if p.status == 429]
    assert len(accepted) == limit and len(refused) == extra, (
        f"one client posting {limit + extra} times, alternating A and B ({seen}): the limit "
        f"of {limit} a minute is counted once for both servers (per process it would allow "
        f"{limit * site.workers * 2}), the rest refused with 429"
    )
    assert all(p.reason == "rate limit" for p in refused), (
        f"each refusal says why (“…{RATE_LIMITED}…”): {[p.reason for p in refused]}"
    )
    stored = site.stored(slug, "Rate check")
    assert all(p.body in stored for p in accepted), "the accepted comments are stored"
    assert not any(p.body in stored for p in refused), "the refused comments are not stored"


def test_a_ban_made_on_one_server_holds_on_the_other(site: Site, servers):
    a, b = servers
    slug, author = ARTICLES["ban"], known_author("ban")
    reader = Reader(site.new_address())
    site.confirmed(reader, author)
    before = post_comment(
        reader, b.port, slug, comment_body("Ban before"), author, "Regular Reader"
    )
    stored = site.comment(before.pk)
    assert before.status == 302 and stored is not None and stored.status == "approved", (
        f"a known author's comment on B is approved at once: {before.status}, "
        f"{stored and stored.status}"
    )
    moderator = Reader(site.new_address())
    moderator.login(a.port, MODERATOR, site.moderator_password)
    action = moderator.admin_action(a.port, CHANGELIST, "ban_authors", [before.pk])
    bans = site.sql("SELECT kind FROM newsroom_ban WHERE lifted_at IS NULL ORDER BY kind")
    assert action.status == 302 and [kind for (kind,) in bans] == ["email", "ip_hash"], (
        f"the moderator on A bans the author's email and client: {action.status}, bans {bans}"
    )
    after = post_comment(reader, b.port, slug, comment_body("Ban after"), author, "Regular Reader")
    stored = site.comment(after.pk)
    assert after.status == 302 and stored is not None and stored.status == "pending", (
        f"the author's next comment on B is held, not published: {after.status}, "
        f"{stored and stored.status}"
    )
    assert "banned" in stored.rules.split(), f"held for the ban: rules {stored.rules!r}"
    other = post_comment(
        reader, b.port, slug, comment_body("Ban client"), "other@example.org", "Other"
    )
    stored = site.comment(other.pk)
    assert stored is not None and "banned" in stored.rules.split(), (
        f"from the same client under another email: {other.status}, "
        f"{stored and stored.status} (rules {stored and stored.rules!r})"
    )


def test_the_surge_switch_counts_posts_on_both_servers(site: Site, servers):
    a, b = servers
    slug, author = ARTICLES["surge"], known_author("surge")
    known = Reader(site.new_address())
    site.confirmed(known, author)
    first = post_comment(known, a.port, slug, comment_body("Surge 0"), author, "Regular Reader")
    stored = site.comment(first.pk)
    assert stored is not None and stored.status == "approved", (
        f"a known author's comment on A is approved: {first.status}, {stored and stored.status}"
    )
    others = [
        post_comment(
            Reader(site.new_address()),
            (b, a)[i % 2].port,
            slug,
            comment_body(f"Surge {i}"),
            f"surge{i}@example.org",
            f"Reader {i}",
        )
        for i in range(1, SURGE_THRESHOLD)
    ]
    assert all(p.status == 302 for p in others), (
        f"{len(others)} more readers' comments, on A and B, all accepted: "
        f"{Counter(p.status for p in others)}"
    )
    last = post_comment(known, b.port, slug, comment_body("Surge last"), author, "Regular Reader")
    stored = site.comment(last.pk)
    assert stored is not None and stored.status == "pending", (
        f"with {SURGE_THRESHOLD} comments across both servers the switch has tripped: the "
        f"known author's next one on B is held ({last.status}, {stored and stored.status})"
    )
    assert "surge" in stored.rules.split(), f"held for the surge: rules {stored.rules!r}"


def test_the_same_comment_sent_to_both_servers_at_once_is_stored_once(site: Site, servers):
    a, b = servers
    pairs = DOUBLE_POSTS
    slug = ARTICLES["load"]
    marker = f"Double {secrets.token_hex(3)}"
    results: list[tuple[str, list[Response]]] = []
    lock = threading.Lock()

    def double_click(k: int) -> None:
        # One reader, two tabs: the form read from each server, both sent at the same moment.
        address, body = site.new_address(), comment_body(f"{marker} {k}")
        tabs = [(Reader(address), server) for server in (a, b)]
        author = {"author_name": "Double", "author_email": f"double{k}@example.org"}
        forms = [
            {**form_fields(reader.get(server.port, f"/articles/{slug}/")), **author, "body": body}
            for reader, server in tabs
        ]
        start = threading.Barrier(2, timeout=30)
        answers: list[Response] = []

        def send(reader: Reader, server: Gunicorn, form: dict[str, str]) -> None:
            start.wait()
            response = reader.request(server.port, "POST", f"/articles/{slug}/comments/", form)
            with lock:
                answers.append(response)

        threads = [
            threading.Thread(target=send, args=(reader, server, form), daemon=True)
            for (reader, server), form in zip(tabs, forms, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        with lock:
            results.append((body, answers))

    threads = [threading.Thread(target=double_click, args=(k,), daemon=True) for k in range(pairs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    statuses = Counter(tuple(sorted(r.status for r in answers)) for _body, answers in results)
    assert len(results) == pairs and statuses == Counter({(302, 302): pairs}), (
        f"both posts of each of {pairs} pairs answered 302 (one of them: “already posted”): "
        f"{dict(statuses)}"
    )
    stored = site.stored(slug, marker)
    once = [
        body
        for body, answers in results
        if len(stored.get(body, [])) == 1
        and {r.comment_pk for r in answers} == {stored[body][0].pk}
    ]
    assert len(once) == pairs, (
        f"each comment stored once, both redirects naming that one: {len(once)} of {pairs}"
    )
