"""Two app servers, one PostgreSQL database, one Redis: what must be shared is shared, the
site holds up under load, and it survives Redis going away, the database dropping away and
an import killed halfway.

Run it from the project root with PostgreSQL and Redis on loopback (DATABASE_URL names the
PostgreSQL server, REDIS_URL the Redis; it needs gunicorn, ``pip install -e '.[bench]'``,
and the ``redis-server`` binary for the Redis faults):

    .venv/bin/python bench/cluster.py [--comments 500] [--clients 50] [--readers 10]
        [--short] [--only checks,load,redis,redis-cut,database,import] [--workdir DIR]

It creates its own database (``newsroom_cluster``), migrates, collects the static files and
seeds it, then starts two gunicorn servers on free loopback ports and runs
(a) the cluster checks: a comment approved through one server appears on both, the rate
limit counts across both, a ban made on one holds on the other, the surge switch counts
posts on both, the same comment sent to both at once is stored once; (b) the load test:
comments posted by concurrent clients across both servers while readers load pages,
with throughput and p50/p95 latencies; (c) the faults, each with processes of its own: its
own redis-server stopped mid-run, Redis cut off by a TCP proxy while a comment is approved,
a TCP proxy in front of PostgreSQL paused, an import killed halfway. It prints every step
and exits 1 if a check failed. All traffic goes to 127.0.0.1 (client addresses are
documentation-range header values); every loop is bounded in count and time; everything it
starts is stopped, its database dropped and its Redis keys deleted.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the project root is not on the path
    sys.path.insert(0, str(ROOT))

from bench._processes import (  # noqa: E402
    HOST,
    SITE_HOST,
    Gunicorn,
    Latencies,
    Postgres,
    Reader,
    RedisServer,
    Response,
    TcpProxy,
    child_env,
    hidden_inputs,
    manage,
    require_loopback,
    tail,
    wait_until,
)

ARTICLES = {
    "cache": "cluster-cache-check",
    "rate": "cluster-rate-check",
    "ban": "cluster-ban-check",
    "surge": "cluster-surge-check",
    "load": "cluster-load-test",
    "redis": "cluster-redis-fault",
    "database": "cluster-database-fault",
    "cut": "cluster-redis-cut",
}
MODERATOR = "cluster-moderator"
SURGE_THRESHOLD = 20
CHANGELIST = "/admin/newsroom/comment/"
IMPORT_FOLDER = "cluster-import"
WORDS = ["water", "school", "budget", "council", "road", "festival", "report", "energy"]
RATE_LIMITED = "posting too quickly"
DB_DOWN_PAGE = "cannot reach its database"
FALLBACK_LOG = "rate limiting falls back to counting in this process"
PAGE_CACHE_LOG = "Page cache unreachable"
DB_DOWN_LOG = "Database unreachable: answering 503."
# What a server's log shows when a request failed with a 500 or a worker died.
TROUBLE_LOG = ("Internal Server Error", "WORKER TIMEOUT", "Worker (pid:")
# In the load test, one post in this many is an empty comment, which must be refused.
EMPTY_EVERY = 25


# --- what a scenario reports ---------------------------------------------------------------


@dataclass
class Step:
    text: str
    ok: bool | None = None  # None: a note, not a check

    def line(self) -> str:
        mark = {True: "ok  ", False: "FAIL", None: "    "}[self.ok]
        return f"  {mark} {self.text}"


@dataclass
class Outcome:
    """The steps of one scenario, printed as they happen when ``echo`` is given."""

    title: str
    echo: Callable[[str], None] | None = None
    steps: list[Step] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self._say(f"-- {self.title} --")

    def _say(self, text: str) -> None:
        if self.echo:
            self.echo(text)

    def _add(self, step: Step) -> None:
        self.steps.append(step)
        self._say(step.line())

    def note(self, text: str) -> None:
        self._add(Step(f"+{time.monotonic() - self.started:5.1f}s  {text}"))

    def check(self, ok: bool, text: str) -> bool:
        self._add(Step(text, bool(ok)))
        return bool(ok)

    @property
    def passed(self) -> bool:
        return all(step.ok is not False for step in self.steps)

    def report(self) -> str:
        return "\n".join([f"-- {self.title} --", *(step.line() for step in self.steps)])


def refusal_reason(response: Response) -> str:
    """What a 4xx/5xx page tells the reader, in a few words ("" when it says nothing clear)."""
    body = response.body
    if response.status == 429 and RATE_LIMITED in body:
        return "rate limit"
    if response.status == 400:
        match = re.search(r'class="field-error"[^>]*>([^<]+)<', body)
        return f"form: {match.group(1).strip()}" if match else ""
    if response.status == 403:
        return "CSRF" if "CSRF" in body else ("closed" if "closed" in body.lower() else "")
    if response.status == 503 and DB_DOWN_PAGE in body:
        return "database unreachable"
    return ""


def comment_body(label: str) -> str:
    words = " ".join(secrets.choice(WORDS) for _ in range(8))
    return f"{label} [{secrets.token_hex(6)}]: {words}."


@dataclass
class Post:
    """One comment a simulated client tried to post, and what the site answered."""

    client: str
    port: int
    body: str
    status: int = 0  # 0: no answer (connection error or timeout)
    seconds: float = 0.0
    pk: int | None = None
    reason: str = ""
    page_status: int = 0
    page_seconds: float = 0.0
    started_at: float = 0.0
    ended_at: float = 0.0


def post_comment(reader: Reader, port: int, slug: str, body: str, email: str, name: str) -> Post:
    post = Post(client=reader.address, port=port, body=body, started_at=time.time())
    try:
        page, response = reader.post_comment(port, slug, name=name, email=email, body=body)
    except OSError as error:
        post.reason = f"no answer: {error}"
        post.ended_at = time.time()
        return post
    post.page_status, post.page_seconds = page.status, page.seconds
    if response is None:
        post.reason = f"no form on the page ({page.status}: {refusal_reason(page)})"
    else:
        post.status, post.seconds, post.pk = response.status, response.seconds, response.comment_pk
        post.reason = refusal_reason(response) if response.status >= 400 else ""
    post.ended_at = time.time()
    return post


# --- the site: one database, one Redis key space, the servers' shared environment ----------


def known_author(key: str) -> str:
    """The email of the author with an approved comment on article ``key`` (one per
    article, so that a ban in one check does not hold another's author)."""
    return f"regular.{key}@example.org"


def seed() -> None:
    """Write what the scenarios start from; run inside ``manage.py shell`` by ``Site``."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from newsroom.discussion import decisions
    from newsroom.models import Article, Comment
    from newsroom.roles import MODERATORS

    now = timezone.now()
    for key, slug in ARTICLES.items():
        article = Article.objects.create(
            title=slug.replace("-", " ").capitalize(),
            slug=slug,
            body="An article for the cluster benchmark.",
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(hours=1),
        )
        # An author with an approved comment: the policy approves their next ones at once.
        earlier = Comment(
            article=article,
            author_name="Regular Reader",
            author_email=known_author(key),
            body=f"An earlier comment on {slug}.",
            status=Comment.Status.APPROVED,
        )
        decisions.record_new(earlier, reason="Seeded by bench/cluster.py.")
    user = get_user_model().objects.create_user(
        MODERATOR, password=os.environ["CLUSTER_MODERATOR_PASSWORD"], is_staff=True
    )
    user.groups.add(Group.objects.get(name=MODERATORS))


def with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))


@dataclass
class Stored:
    pk: int
    status: str
    rules: str
    first_logs: int  # status-change records "from nothing": exactly 1 for a whole comment


class Site:
    """The database, the Redis key space and the settings every app server of a run shares;
    ``start_server`` adds servers, ``close`` stops them all and drops the database."""

    def __init__(
        self,
        *,
        postgres: Postgres,
        database: str,
        redis_url: str,
        workdir: Path,
        rate_limit: int = 8,
        workers: int = 2,
        threads: int = 4,
        keep_database: bool = False,
    ) -> None:
        self.postgres = postgres
        self.database = database
        self.redis_url = require_loopback(redis_url)
        self.workdir = workdir
        self.rate_limit = rate_limit
        self.workers = workers
        self.threads = threads
        self.keep_database = keep_database
        self.prefix = f"cluster-{secrets.token_hex(4)}"
        self.secret_key = secrets.token_urlsafe(50)
        self.moderator_password = secrets.token_urlsafe(16)
        self.servers: list[Gunicorn] = []
        self._addresses = itertools.count(1)
        self._conn = None

    # -- the environment ------------------------------------------------------------------

    def env(self, **overrides: str) -> dict[str, str]:
        env = {
            "DJANGO_SETTINGS_MODULE": "bench.cluster_settings",
            "DATABASE_URL": self.postgres.url(self.database),
            "REDIS_URL": self.redis_url,
            "CACHE_KEY_PREFIX": self.prefix,
            "SECRET_KEY": self.secret_key,
            "DEBUG": "0",
            "ALLOWED_HOSTS": f"{HOST},localhost,{SITE_HOST}",
            # Production settings, except that loopback speaks plain HTTP.
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "CLUSTER_STATIC_ROOT": str(self.workdir / "static"),
            "CLUSTER_RATE_LIMIT": str(self.rate_limit),
            "CLUSTER_MODERATION": json.dumps({"surge_threshold": SURGE_THRESHOLD}),
            "CONN_MAX_AGE": "0",
        }
        return {**env, **overrides}

    def new_address(self) -> str:
        """A client address no other simulated client of this run has: documentation
        ranges only (RFC 5737, then RFC 3849), and only ever sent as a header value."""
        n = next(self._addresses)
        nets = ("203.0.113", "198.51.100", "192.0.2")
        if n <= 3 * 254:
            return f"{nets[(n - 1) // 254]}.{(n - 1) % 254 + 1}"
        return f"2001:db8::{n:x}"

    # -- set up and tear down ---------------------------------------------------------------

    def set_up(self) -> str:
        started = time.monotonic()
        self.postgres.create(self.database)
        env = self.env()
        manage("migrate", "--noinput", env=env)
        manage("collectstatic", "--noinput", env=env)
        seed_env = {**env, "CLUSTER_MODERATOR_PASSWORD": self.moderator_password}
        manage("shell", "-c", "from bench.cluster import seed; seed()", env=seed_env)
        return (
            f"database {self.database} created, migrated and seeded ({len(ARTICLES)} articles, "
            f"1 moderator), static files collected in {time.monotonic() - started:.1f} s"
        )

    def start_server(self, name: str, **env: str) -> Gunicorn:
        log = self.workdir / "logs" / f"{name.replace(' ', '-')}.log"
        server = Gunicorn(name, log, self.env(**env), workers=self.workers, threads=self.threads)
        self.servers.append(server)
        server.start(timeout=60)
        return server

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if not self.keep_database:
            self.postgres.drop(self.database)
        self.forget_cache()

    def forget_cache(self) -> None:
        """Delete this run's keys from the shared Redis (nothing else is touched)."""
        import redis

        client = redis.Redis.from_url(self.redis_url, socket_timeout=5)
        try:
            keys = list(client.scan_iter(match=f"{self.prefix}:*", count=500))
            for start in range(0, len(keys), 500):
                client.delete(*keys[start : start + 500])
        except redis.RedisError:
            pass
        finally:
            client.close()

    def log_tails(self, lines: int = 15) -> str:
        """The end of every log of this run: the evidence when a check fails."""
        return "".join(
            f"\n--- the end of {log.name} ---\n{tail(log, lines)}\n"
            for log in sorted((self.workdir / "logs").glob("*.log"))
        )

    def __enter__(self) -> Site:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- what the database holds --------------------------------------------------------------

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        if self._conn is None:
            self._conn = self.postgres.connect(self.database)
        with self._conn.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()

    def stored(self, slug: str, marker: str = "") -> dict[str, list[Stored]]:
        """The comments on an article (whose body contains ``marker``), by body."""
        rows = self.sql(
            """
            SELECT c.id, c.body, c.status, c.rules,
                   (SELECT count(*) FROM newsroom_commentstatuschange s
                     WHERE s.comment_id = c.id AND s.from_status = '')
              FROM newsroom_comment c JOIN newsroom_article a ON a.id = c.article_id
             WHERE a.slug = %s AND strpos(c.body, %s) > 0
            """,
            (slug, marker),
        )
        found: dict[str, list[Stored]] = defaultdict(list)
        for pk, body, status, rules, logs in rows:
            found[body].append(Stored(pk, status, rules, logs))
        return found

    def comment(self, pk: int | None) -> Stored | None:
        rows = self.sql(
            """
            SELECT c.id, c.status, c.rules,
                   (SELECT count(*) FROM newsroom_commentstatuschange s
                     WHERE s.comment_id = c.id AND s.from_status = '')
              FROM newsroom_comment c WHERE c.id = %s
            """,
            (pk,),
        )
        return Stored(*rows[0]) if rows else None


def check_stored_once(out: Outcome, site: Site, slug: str, marker: str, posts: list[Post]):
    """Every accepted post stored once under the pk its redirect named; no refused post
    stored; nothing stored that nobody posted; every stored comment whole."""
    rows = site.stored(slug, marker)
    accepted = [p for p in posts if p.status == 302]
    wrong = [p.body for p in accepted if [s.pk for s in rows.get(p.body, [])] != [p.pk]]
    out.check(
        not wrong,
        f"every accepted comment ({len(accepted)}) stored exactly once, under the pk its "
        f"redirect named" + (f"; not so for {len(wrong)}: {wrong[:3]}" if wrong else ""),
    )
    refused = [p for p in posts if 400 <= p.status < 500]
    stored_refused = [p.body for p in refused if p.body in rows]
    out.check(
        not stored_refused,
        f"no refused post ({len(refused)}) stored"
        + (f"; stored: {stored_refused[:3]}" if stored_refused else ""),
    )
    unanswered = [p for p in posts if p.status == 0 or p.status >= 500]
    twice = [p.body for p in unanswered if len(rows.get(p.body, [])) > 1]
    if unanswered:
        kept = sum(1 for p in unanswered if p.body in rows)
        out.check(
            not twice,
            f"of {len(unanswered)} posts answered 5xx or not at all, {kept} stored "
            f"(committed before the failure), none twice",
        )
    unknown = set(rows) - {p.body for p in posts}
    out.check(not unknown, f"nothing stored that was not posted ({len(unknown)} unknown)")
    half = [s.pk for found in rows.values() for s in found if s.first_logs != 1]
    out.check(
        not half,
        "every stored comment whole: its row and its first status-change record"
        + (f"; not so for {half[:5]}" if half else ""),
    )


def check_logs(out: Outcome, servers: list[Gunicorn]) -> None:
    trouble = [
        f"{server.name}: {line.strip()}"
        for server in servers
        for line in server.log_text().splitlines()
        if any(marker in line for marker in TROUBLE_LOG)
    ]
    out.check(
        not trouble,
        "the servers' logs show no 500 and no worker lost" + "".join(f"\n{t}" for t in trouble[:5]),
    )


# --- (a) the cluster checks ------------------------------------------------------------------


def check_shared_cache(site: Site, a: Gunicorn, b: Gunicorn, echo=None) -> Outcome:
    out = Outcome("a comment approved through one server appears on both (no stale cache)", echo)
    slug = ARTICLES["cache"]
    path = f"/articles/{slug}/"
    visitor = Reader(site.new_address())
    first = [visitor.get(s.port, path, anonymous=True) for s in (a, a, b)]
    out.note(
        "anonymous page loads before: "
        + ", ".join(f"{'AB'[r.port == b.port]} {r.status} ({r.cache})" for r in first)
    )
    out.check(
        [r.cache for r in first] == ["miss", "hit", "hit"],
        "A renders and caches the page; A and B then both serve it from the shared cache",
    )
    body = comment_body("Cache check")
    post = post_comment(Reader(site.new_address()), a.port, slug, body, "new@example.org", "New")
    stored = site.comment(post.pk)
    out.check(
        post.status == 302 and stored is not None and stored.status == "pending",
        f"comment posted on A: {post.status}, stored as {stored and stored.status} (a first "
        "comment waits for a moderator)",
    )
    hidden = [visitor.get(s.port, path, anonymous=True) for s in (a, b)]
    out.check(
        all(r.status == 200 and body not in r.body for r in hidden),
        "while it waits, neither server shows it",
    )
    moderator = Reader(site.new_address())
    login = moderator.login(a.port, MODERATOR, site.moderator_password)
    out.check(
        login.status == 302 and "sessionid" in moderator.cookies,
        f"moderator logs in on A: {login.status}",
    )
    action = moderator.admin_action(b.port, CHANGELIST, "approve", [post.pk])
    stored = site.comment(post.pk)
    out.check(
        action.status == 302 and stored is not None and stored.status == "approved",
        f"moderator approves it through B's admin with the session from A: {action.status}, "
        f"now {stored and stored.status} (sessions are shared)",
    )
    after = [visitor.get(s.port, path, anonymous=True) for s in (a, b, a, b)]
    out.note(
        "anonymous page loads after: "
        + ", ".join(f"{'AB'[r.port == b.port]} {r.status} ({r.cache})" for r in after)
    )
    out.check(
        all(r.status == 200 and body in r.body for r in after),
        "both servers show the approved comment at once, from the first load on",
    )
    return out


def _clear_of_minute_boundary(seconds_needed: float) -> None:
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


def check_rate_limit(site: Site, a: Gunicorn, b: Gunicorn, echo=None) -> Outcome:
    out = Outcome("the rate limit counts across both servers", echo)
    limit, extra = site.rate_limit, 3
    slug = ARTICLES["rate"]
    for _attempt in range(2):
        reader = Reader(site.new_address())
        _clear_of_minute_boundary(15)
        posts = []
        for i in range(limit + extra):
            body = comment_body(f"Rate check {i}")
            port = (a, b)[i % 2].port
            posts.append(post_comment(reader, port, slug, body, "rate@example.org", "Rate"))
        out.note(
            f"one client posts {limit + extra} times, alternating A and B: "
            + " ".join(f"{'AB'[p.port == b.port]}:{p.status}" for p in posts)
        )
        if minutes_spanned(posts) == 1:
            break
        out.note("the burst crossed into the next minute, where the count starts again: again")
    accepted = [p for p in posts if p.status == 302]
    refused = [p for p in posts if p.status == 429]
    out.check(
        len(accepted) == limit and len(refused) == extra,
        f"{len(accepted)} accepted (the limit is {limit} a minute per client, counted once "
        f"for both servers; counted per process it would allow {limit * site.workers * 2}), "
        f"{len(refused)} refused with 429",
    )
    out.check(
        all(p.reason == "rate limit" for p in refused),
        f"each refusal says why (“…{RATE_LIMITED}…”)",
    )
    stored = site.stored(slug, "Rate check")
    out.check(
        all(p.body in stored for p in accepted) and not any(p.body in stored for p in refused),
        "the accepted comments are stored, the refused ones are not",
    )
    return out


def check_ban(site: Site, a: Gunicorn, b: Gunicorn, echo=None) -> Outcome:
    out = Outcome("a moderator's ban made on one server holds on the other", echo)
    slug = ARTICLES["ban"]
    reader = Reader(site.new_address())
    author = known_author("ban")
    before = post_comment(
        reader, b.port, slug, comment_body("Ban check before"), author, "Regular Reader"
    )
    stored = site.comment(before.pk)
    out.check(
        before.status == 302 and stored is not None and stored.status == "approved",
        f"a known author posts on B: {before.status}, {stored and stored.status} at once",
    )
    moderator = Reader(site.new_address())
    moderator.login(a.port, MODERATOR, site.moderator_password)
    action = moderator.admin_action(a.port, CHANGELIST, "ban_authors", [before.pk])
    bans = site.sql("SELECT kind FROM newsroom_ban WHERE lifted_at IS NULL ORDER BY kind")
    out.check(
        action.status == 302 and [kind for (kind,) in bans] == ["email", "ip_hash"],
        f"moderator on A bans the author (email and client): {action.status}, "
        f"{len(bans)} bans in force",
    )
    after = post_comment(
        reader, b.port, slug, comment_body("Ban check after"), author, "Regular Reader"
    )
    stored = site.comment(after.pk)
    out.check(
        after.status == 302
        and stored is not None
        and stored.status == "pending"
        and "banned" in stored.rules.split(),
        f"the author posts on B again: {after.status}, {stored and stored.status} "
        f"(rules:{stored and stored.rules.rstrip()}) — held, not published",
    )
    other = post_comment(
        reader, b.port, slug, comment_body("Ban check client"), "other@example.org", "Other"
    )
    stored = site.comment(other.pk)
    out.check(
        stored is not None and "banned" in stored.rules.split(),
        f"from the same client under another email: {other.status}, "
        f"{stored and stored.status} (rules:{stored and stored.rules.rstrip()})",
    )
    return out


def check_surge(site: Site, a: Gunicorn, b: Gunicorn, echo=None) -> Outcome:
    out = Outcome("the surge switch counts the comments posted on both servers", echo)
    slug = ARTICLES["surge"]
    known, author = Reader(site.new_address()), known_author("surge")
    first = post_comment(known, a.port, slug, comment_body("Surge 0"), author, "Regular Reader")
    stored = site.comment(first.pk)
    out.check(
        stored is not None and stored.status == "approved",
        f"a known author posts on A: {first.status}, {stored and stored.status}",
    )
    others = []
    for i in range(1, SURGE_THRESHOLD):
        reader, port = Reader(site.new_address()), (b, a)[i % 2].port
        body, email = comment_body(f"Surge {i}"), f"surge{i}@example.org"
        others.append(post_comment(reader, port, slug, body, email, f"Reader {i}"))
    on_a = 1 + sum(1 for p in others if p.port == a.port)
    out.note(
        f"{len(others)} more readers post: {on_a} comments in all on A, "
        f"{SURGE_THRESHOLD - on_a} on B (the switch trips at {SURGE_THRESHOLD})"
    )
    out.check(all(p.status == 302 for p in others), "all accepted")
    last = post_comment(known, b.port, slug, comment_body("Surge last"), author, "Regular Reader")
    stored = site.comment(last.pk)
    out.check(
        stored is not None and stored.status == "pending" and "surge" in stored.rules.split(),
        f"the known author posts on B: {last.status}, {stored and stored.status} "
        f"(rules:{stored and stored.rules.rstrip()}): the surge hold is shared",
    )
    return out


def check_double_post(site: Site, a: Gunicorn, b: Gunicorn, echo=None, pairs: int = 10):
    out = Outcome("the same comment sent to both servers at once is stored once", echo)
    slug = ARTICLES["load"]
    marker = f"Double {secrets.token_hex(3)}"
    results: list[tuple[str, list[Response]]] = []
    lock = threading.Lock()

    def double_click(k: int) -> None:
        # One reader, two tabs: the form read from each server, both sent at the same moment.
        address, body = site.new_address(), comment_body(f"{marker} {k}")
        tabs = [(Reader(address), server) for server in (a, b)]
        forms = []
        for reader, server in tabs:
            page = reader.get(server.port, f"/articles/{slug}/")
            form = {"author_name": "Double", "author_email": f"double{k}@example.org"}
            forms.append({**_form(page), **form, "body": body})
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
    out.note(f"{pairs} readers each send one comment to A and B at once: {dict(statuses)}")
    stored = site.stored(slug, marker)
    once = [
        body
        for body, answers in results
        if len(stored.get(body, [])) == 1
        and {r.comment_pk for r in answers} == {stored[body][0].pk}
    ]
    out.check(
        len(results) == pairs and statuses == Counter({(302, 302): pairs}),
        "both posts of each pair answered 302 (one of them: “already posted”)",
    )
    out.check(
        len(once) == pairs,
        f"each comment stored once ({len(once)} of {pairs}), both redirects naming that one",
    )
    return out


CHECKS = (check_shared_cache, check_rate_limit, check_ban, check_surge, check_double_post)


# --- (b) the load test -----------------------------------------------------------------------


@dataclass
class LoadFigures:
    posts: list[Post] = field(default_factory=list)
    pages: list[Response] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timed_out: bool = False


def load_test(
    site: Site,
    servers: list[Gunicorn],
    *,
    comments: int = 500,
    clients: int = 50,
    readers: int = 10,
    max_seconds: float = 180,
    echo=None,
) -> Outcome:
    out = Outcome(
        f"load: {comments} comments from {clients} concurrent clients across "
        f"{len(servers)} servers, {readers} readers loading pages meanwhile",
        echo,
    )
    slug = ARTICLES["load"]
    run = secrets.token_hex(3)
    marker = f"Load {run}"
    figures = LoadFigures()
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds
    posting_done = threading.Event()
    paths = [f"/articles/{slug}/", "/"]

    def poster(i: int, count: int) -> None:
        reader = Reader(site.new_address())
        for j in range(count):
            if time.monotonic() > deadline:
                figures.timed_out = True
                return
            port = servers[(i + j) % len(servers)].port
            # One post in EMPTY_EVERY is an empty comment: refusals are tested on every run.
            empty = (i + j * clients) % EMPTY_EVERY == EMPTY_EVERY - 1
            body = " \n " if empty else comment_body(f"{marker} {i}.{j}")
            post = post_comment(reader, port, slug, body, f"load{i}@example.org", f"Load {i}")
            with lock:
                figures.posts.append(post)

    def page_reader(k: int) -> None:
        visitor = Reader(site.new_address())
        for n in itertools.count():
            if posting_done.is_set() or time.monotonic() > deadline or n >= 20 * comments:
                return
            try:
                response = visitor.get(
                    servers[(k + n) % len(servers)].port, paths[n % 2], anonymous=True
                )
            except OSError as error:
                with lock:
                    figures.errors.append(f"page load: {error}")
                continue
            with lock:
                figures.pages.append(response)

    shares = [comments // clients + (1 if i < comments % clients else 0) for i in range(clients)]
    posters = [
        threading.Thread(target=poster, args=(i, n), daemon=True) for i, n in enumerate(shares)
    ]
    lookers = [threading.Thread(target=page_reader, args=(k,), daemon=True) for k in range(readers)]
    _clear_of_minute_boundary(5)
    started = time.monotonic()
    for thread in lookers + posters:
        thread.start()
    for thread in posters:
        thread.join(timeout=max(0.1, deadline - time.monotonic() + 30))
    figures.seconds = time.monotonic() - started
    posting_done.set()
    for thread in lookers:
        thread.join(timeout=30)

    posts, pages = figures.posts, figures.pages
    statuses = Counter(p.status for p in posts)
    out.note(
        f"{len(posts)} posts in {figures.seconds:.1f} s: "
        + ", ".join(f"{n} × {status or 'no answer'}" for status, n in sorted(statuses.items()))
    )
    out.check(
        len(posts) == comments and not figures.timed_out,
        f"all {comments} posts sent within the {max_seconds:g} s bound",
    )
    out.check(
        not any(p.status == 0 or p.status >= 500 for p in posts),
        "no 5xx and no unanswered post"
        + "".join(f"; {p.status} {p.reason}" for p in posts if p.status == 0 or p.status >= 500)[
            :300
        ],
    )
    refused = [p for p in posts if 400 <= p.status < 500]
    reasons = Counter(f"{p.status} {p.reason or '(no clear reason)'}" for p in refused)
    out.check(
        all(p.reason for p in refused),
        f"every refusal a clear 4xx: {dict(reasons) or 'none refused'}",
    )
    empty = [p for p in posts if not p.body.strip()]
    out.check(
        all(p.status == 400 or p.reason == "rate limit" for p in empty),
        f"the {len(empty)} empty comments (one post in {EMPTY_EVERY}) were refused: "
        f"{dict(Counter(p.status for p in empty))} (429 when the client was already over "
        "its limit: that is checked first)",
    )
    check_stored_once(out, site, slug, marker, posts)
    # Per client: no more accepted than the limit in each clock minute its posts spanned.
    by_client: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        by_client[post.client].append(post)
    over = [
        client
        for client, own in by_client.items()
        if sum(p.status == 302 for p in own) > site.rate_limit * minutes_spanned(own)
    ]
    crossed = sum(1 for own in by_client.values() if minutes_spanned(own) > 1)
    out.check(
        not over,
        f"no client got more than {site.rate_limit} comments a minute through, across both "
        f"servers ({crossed} of {len(by_client)} clients' posts crossed into a new clock "
        "minute, where the count starts again)" + (f"; over: {over[:5]}" if over else ""),
    )
    check_logs(out, servers)
    page_statuses = Counter(r.status for r in pages)
    out.check(
        bool(pages) and set(page_statuses) == {200} and not figures.errors,
        f"readers' page loads: {dict(page_statuses)}"
        + (f"; errors: {figures.errors[:3]}" if figures.errors else ""),
    )
    post_latency, form_latency, page_latency = Latencies(), Latencies(), Latencies()
    for post in posts:
        if post.status:
            post_latency.add(post.seconds)
        if post.page_status:
            form_latency.add(post.page_seconds)
    for response in pages:
        page_latency.add(response.seconds)
    accepted = statuses.get(302, 0)
    hits = sum(r.cache == "hit" for r in pages)
    out.note(
        f"throughput: {len(posts) / figures.seconds:.1f} posts/s ({accepted / figures.seconds:.1f} "
        f"accepted/s), {len(pages) / figures.seconds:.1f} reader page loads/s, "
        f"{(2 * len(posts) + len(pages)) / figures.seconds:.1f} requests/s in all"
    )
    out.note(f"comment post latency:             {post_latency.line()}")
    out.note(f"article page before each post:    {form_latency.line()}")
    out.note(
        f"readers' page loads (anonymous):  {page_latency.line()}; "
        f"{hits / max(1, len(pages)):.0%} from the page cache"
    )
    out.figures = {
        "posts_per_second": len(posts) / figures.seconds,
        "post_p50_ms": post_latency.percentile(50),
        "post_p95_ms": post_latency.percentile(95),
        "page_p50_ms": page_latency.percentile(50),
        "page_p95_ms": page_latency.percentile(95),
    }
    return out


# --- (c) the faults --------------------------------------------------------------------------


class Traffic:
    """Posters and readers working on ``ports`` until stopped (or ``max_seconds``): the load
    a fault lands on. Every post comes from a new client address, so the rate limit never
    refuses one; each loop sleeps ``pause`` between requests and stops after 2000."""

    def __init__(
        self,
        site: Site,
        ports: list[int],
        slug: str,
        *,
        posters: int = 3,
        readers: int = 2,
        pause: float = 0.05,
        max_seconds: float = 120,
    ) -> None:
        self.site, self.ports, self.slug, self.pause = site, ports, slug, pause
        self.marker = f"Traffic {secrets.token_hex(3)}"
        self.posts: list[Post] = []
        self.pages: list[tuple[float, int, str]] = []  # (when, status, cache)
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._deadline = time.monotonic() + max_seconds
        self._threads = [
            threading.Thread(target=self._post, args=(i,), daemon=True) for i in range(posters)
        ] + [threading.Thread(target=self._read, args=(i,), daemon=True) for i in range(readers)]

    def _running(self, n: int) -> bool:
        return not self._stop.is_set() and time.monotonic() < self._deadline and n < 2000

    def _post(self, i: int) -> None:
        n = 0
        while self._running(n):
            reader = Reader(self.site.new_address(), timeout=20)
            port = self.ports[n % len(self.ports)]
            body = comment_body(f"{self.marker} {i}.{n}")
            post = post_comment(reader, port, self.slug, body, f"t{i}.{n}@example.org", "T")
            with self._lock:
                self.posts.append(post)
            n += 1
            self._stop.wait(self.pause)

    def _read(self, i: int) -> None:
        visitor = Reader(self.site.new_address(), timeout=20)
        n = 0
        while self._running(n):
            port = self.ports[(i + n) % len(self.ports)]
            try:
                r = visitor.get(port, f"/articles/{self.slug}/", anonymous=True)
                with self._lock:
                    self.pages.append((time.monotonic(), r.status, r.cache))
            except OSError as error:
                with self._lock:
                    self.errors.append(str(error))
            n += 1
            self._stop.wait(self.pause)

    def start(self) -> Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> Traffic:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        return self

    def summary(self) -> str:
        posts = Counter(
            p.status or (f"page {p.page_status}, no form" if p.page_status else "no answer")
            for p in self.posts
        )
        pages = Counter(status for _when, status, _cache in self.pages)
        return f"posts {dict(posts)}, page loads {dict(pages)}, errors {len(self.errors)}"


def fault_redis(site: Site, *, outage: float = 3.0, limit: int = 3, echo=None) -> Outcome:
    out = Outcome("Redis stops mid-run (its own redis-server, its own app server)", echo)
    if not RedisServer.available():
        out.check(False, "the redis-server binary is not installed")
        return out
    redis = RedisServer("redis", site.workdir / "logs" / "redis.log", site.workdir / "redis")
    server = traffic = None
    try:
        redis.start(timeout=15)
        server = site.start_server(
            "redis-fault app",
            REDIS_URL=redis.url(0),
            CACHE_KEY_PREFIX=f"{site.prefix}-redis",
            CLUSTER_RATE_LIMIT=str(limit),
        )
        out.note(f"redis-server on port {redis.port}, gunicorn on port {server.port}")
        slug, path = ARTICLES["redis"], f"/articles/{ARTICLES['redis']}/"
        visitor = Reader(site.new_address())
        loads = [visitor.get(server.port, path, anonymous=True) for _ in range(2)]
        out.check(
            [(r.status, r.cache) for r in loads] == [(200, "miss"), (200, "hit")],
            "with Redis: the page is cached (miss, then hit)",
        )
        traffic = Traffic(site, [server.port], slug).start()
        time.sleep(min(1.0, outage))
        redis.stop()
        out.note(f"redis-server stopped (SIGTERM; it exited {redis.process.returncode})")
        down_at = time.monotonic()

        loads = [visitor.get(server.port, path, anonymous=True) for _ in range(2)]
        out.check(
            all(r.status == 200 and r.cache == "" for r in loads),
            f"pages still served, uncached: {[(r.status, r.cache or 'no cache') for r in loads]}"
            f" in {max(r.seconds for r in loads) * 1000:.0f} ms at most",
        )
        body = comment_body("Redis down")
        post = post_comment(
            Reader(site.new_address()), server.port, slug, body, "down@example.org", "Down"
        )
        out.check(
            post.status == 302 and site.comment(post.pk) is not None,
            f"a comment is accepted and stored: {post.status} in {post.seconds * 1000:.0f} ms",
        )
        flood = Reader(site.new_address())
        ceiling = limit * site.workers  # each worker process counts for itself
        flood_posts = [
            post_comment(flood, server.port, slug, comment_body(f"Flood {i}"), "f@example.org", "F")
            for i in range(2 * ceiling + 1)
        ]
        accepted = sum(p.status == 302 for p in flood_posts)
        refused = sum(p.status == 429 and p.reason == "rate limit" for p in flood_posts)
        out.check(
            accepted <= ceiling * minutes_spanned(flood_posts)
            and accepted + refused == len(flood_posts),
            f"one client floods {len(flood_posts)} posts: {accepted} accepted, {refused} refused "
            f"(429), in {minutes_spanned(flood_posts)} clock minute(s): the limit still holds, "
            f"per worker ({limit} × {site.workers} workers a minute at most)",
        )
        time.sleep(max(0.0, outage - (time.monotonic() - down_at)))
        log = server.log_text()
        out.check(
            FALLBACK_LOG in log and PAGE_CACHE_LOG in log,
            f"the log says so: “{FALLBACK_LOG}” ({log.count(FALLBACK_LOG)} lines), "
            f"“{PAGE_CACHE_LOG}…” ({log.count(PAGE_CACHE_LOG)} lines)",
        )

        redis = RedisServer(
            "redis", site.workdir / "logs" / "redis.log", site.workdir / "redis", port=redis.port
        )
        redis.start(timeout=15)
        back_at = time.monotonic()
        out.note(f"redis-server started again on port {redis.port} after {back_at - down_at:.1f} s")
        recovered = wait_until(
            lambda: visitor.get(server.port, path, anonymous=True).cache == "hit", 15, 0.2
        )
        out.check(
            recovered,
            f"the page cache works again without a restart ({time.monotonic() - back_at:.1f} s)",
        )
        traffic.stop()
        out.note(f"traffic during the run: {traffic.summary()}")
        bad = [p for p in traffic.posts if p.status not in (302,)]
        bad_pages = [s for _w, s, _c in traffic.pages if s != 200]
        out.check(
            not bad and not bad_pages and not traffic.errors and traffic.posts,
            "throughout: every post accepted, every page 200, no 5xx"
            + (f"; {[(p.status, p.reason) for p in bad[:3]]}" if bad else "")
            + (f"; pages {Counter(bad_pages)}" if bad_pages else ""),
        )
        check_stored_once(out, site, slug, traffic.marker, traffic.posts)
        check_logs(out, [server])
    finally:
        if traffic is not None:
            traffic.stop()
        if server is not None:
            server.stop()
        redis.stop()
    return out


STALE_AFTER_CUT = (
    "once Redis answers again (and each server's 1 s look for missed invalidations has "
    "passed), the page shows the approved comment"
)


def fault_redis_cut(site: Site, *, outage: float = 3.0, echo=None) -> Outcome:
    out = Outcome(
        "Redis unreachable but not restarted (a proxy in front of it is cut) while a "
        "moderator approves a comment",
        echo,
    )
    if not RedisServer.available():
        out.check(False, "the redis-server binary is not installed")
        return out
    logs = site.workdir / "logs"
    redis = RedisServer("redis (cut)", logs / "redis-cut.log", site.workdir / "redis-cut")
    proxy = TcpProxy(0)
    server = None
    try:
        redis.start(timeout=15)
        proxy = TcpProxy(redis.port).start()
        server = site.start_server(
            "redis-cut app",
            REDIS_URL=f"redis://{HOST}:{proxy.port}/0",
            CACHE_KEY_PREFIX=f"{site.prefix}-cut",
        )
        out.note(
            f"redis-server on port {redis.port}, proxy on port {proxy.port}, gunicorn on "
            f"port {server.port}"
        )
        slug, path = ARTICLES["cut"], f"/articles/{ARTICLES['cut']}/"
        visitor = Reader(site.new_address())
        loads = [visitor.get(server.port, path, anonymous=True) for _ in range(2)]
        out.check(
            [(r.status, r.cache) for r in loads] == [(200, "miss"), (200, "hit")],
            "with Redis: the page is cached (miss, then hit)",
        )
        body = comment_body("Approved during the cut")
        post = post_comment(Reader(site.new_address()), server.port, slug, body, "c@ex.org", "C")
        out.check(post.status == 302, f"a comment posted: {post.status}, held for a moderator")
        moderator = Reader(site.new_address())
        moderator.login(server.port, MODERATOR, site.moderator_password)
        cut = proxy.pause()
        down_at = time.monotonic()
        out.note(f"proxy to Redis cut ({cut} open connections); Redis itself keeps running")
        action = moderator.admin_action(server.port, CHANGELIST, "approve", [post.pk])
        stored = site.comment(post.pk)
        out.check(
            action.status == 302 and stored is not None and stored.status == "approved",
            f"the moderator approves it: {action.status}, {stored and stored.status}",
        )
        during = visitor.get(server.port, path, anonymous=True)
        out.check(
            during.status == 200 and body in during.body,
            f"meanwhile the page, uncached, shows it: {during.status}",
        )
        time.sleep(max(0.0, outage - (time.monotonic() - down_at)))
        proxy.resume()
        out.note(f"proxy restored after {time.monotonic() - down_at:.1f} s")
        lost = {
            line.split(": ", 1)[-1]
            for line in server.log_text().splitlines()
            if "could not invalidate" in line
        }
        out.note(f"the log: {'; '.join(sorted(lost)) or 'nothing about the invalidation'}")
        # Each app server looks for invalidations it missed at most every
        # NEWSROOM_CACHE_RECOVERY_SECONDS (1 s); the one that approved retries at once.
        time.sleep(1.2)
        after = [visitor.get(server.port, path, anonymous=True) for _ in range(3)]
        seen = [
            f"{r.status} ({r.cache}) {'shown' if body in r.body else 'NOT shown'}" for r in after
        ]
        stale = (
            ""
            if all(body in r.body for r in after)
            else (
                " — the page cached before the approval is served again: stale until it "
                "expires (NEWSROOM_PAGE_CACHE_SECONDS)"
            )
        )
        out.check(not stale, f"{STALE_AFTER_CUT}: {', '.join(seen)}{stale}")
        check_logs(out, [server])
    finally:
        if server is not None:
            server.stop()
        proxy.stop()
        redis.stop()
    return out


def fault_database(site: Site, *, outage: float = 3.0, echo=None) -> Outcome:
    out = Outcome("the database is briefly unreachable (a TCP proxy in front of PostgreSQL)", echo)
    proxy = TcpProxy(site.postgres.port, site.postgres.host).start()
    server = traffic = None
    try:
        server = site.start_server(
            "database-fault app",
            DATABASE_URL=site.postgres.url(site.database, port=proxy.port),
            # Persistent connections: the harder case, connections die under the workers.
            CONN_MAX_AGE="60",
        )
        workers = server.worker_pids()
        out.note(
            f"proxy on port {proxy.port} → PostgreSQL {site.postgres.port}; gunicorn on port "
            f"{server.port} (master {server.pid}, workers {sorted(workers)}), CONN_MAX_AGE=60"
        )
        slug, path = ARTICLES["database"], f"/articles/{ARTICLES['database']}/"
        regular = Reader(site.new_address())
        first = post_comment(
            regular, server.port, slug, comment_body("DB before"), "db@ex.org", "D"
        )
        out.check(first.status == 302, f"before: a comment posted: {first.status}")
        # A form read before the outage and sent during it.
        late = Reader(site.new_address())
        late_page = late.get(server.port, path)
        traffic = Traffic(site, [server.port], slug).start()
        time.sleep(0.5)

        cut = proxy.pause()
        down_at = time.monotonic()
        out.note(f"proxy paused: {cut} open connections cut, new ones refused")
        with_session = regular.get(server.port, path)
        out.check(
            with_session.status == 503
            and DB_DOWN_PAGE in with_session.body
            and with_session.headers.get("retry-after") == "30",
            f"a reader with a session (uncached page): {with_session.status}, the “back in a "
            f"moment” page, Retry-After {with_session.headers.get('retry-after')}",
        )
        anonymous = Reader(site.new_address()).get(server.port, path, anonymous=True)
        out.note(
            f"an anonymous reader: {anonymous.status} ({anonymous.cache or 'not cached'}): "
            "cached pages need no database"
        )
        body = comment_body("DB down")
        sent = late_page.status == 200 and late.request(
            server.port,
            "POST",
            f"/articles/{slug}/comments/",
            {
                **{k: v for k, v in _form(late_page).items()},
                "author_name": "Late",
                "author_email": "late@example.org",
                "body": body,
            },
        )
        out.check(
            bool(sent) and sent.status == 503 and DB_DOWN_PAGE in sent.body,
            f"a comment sent during the outage: {sent and sent.status} (the 503 page)",
        )
        time.sleep(max(0.0, outage - (time.monotonic() - down_at)))
        proxy.resume()
        up_at = time.monotonic()
        out.note(f"proxy resumed after {up_at - down_at:.1f} s")

        def works() -> bool:
            reader, body = Reader(site.new_address()), comment_body("DB after")
            post = post_comment(reader, server.port, slug, body, "after@example.org", "After")
            return post.status == 302

        recovered = wait_until(works, 20, 0.2)
        out.check(
            recovered,
            f"comments accepted again {time.monotonic() - up_at:.1f} s after the database "
            "came back",
        )
        again = regular.get(server.port, path)
        out.check(again.status == 200, f"the reader with a session: {again.status}")
        out.check(
            server.alive and server.worker_pids() == workers,
            "no restart: the same master and workers serve on",
        )
        time.sleep(0.5)
        traffic.stop()
        out.note(f"traffic during the run: {traffic.summary()}")
        # A post whose article page already answered 503 had no form to send: that 503 counts.
        statuses = {p.status or p.page_status for p in traffic.posts}
        statuses |= {s for _w, s, _c in traffic.pages}
        out.check(
            statuses <= {200, 302, 503} and not traffic.errors,
            f"only 200, 302 and 503 answers (no 500, nothing unanswered): {sorted(statuses)}",
        )
        out.check(
            DB_DOWN_LOG in server.log_text(),
            f"the log says so: “{DB_DOWN_LOG}” ({server.log_text().count(DB_DOWN_LOG)} lines)",
        )
        out.check(
            body not in site.stored(slug, "DB down"),
            "the comment refused with 503 was not stored",
        )
        check_stored_once(out, site, slug, traffic.marker, traffic.posts)
        check_logs(out, [server])
    finally:
        if traffic is not None:
            traffic.stop()
        if server is not None:
            server.stop()
        proxy.stop()
    return out


def _form(page: Response) -> dict[str, str]:
    fields = hidden_inputs(page.body)
    return {"csrfmiddlewaretoken": fields.get("csrfmiddlewaretoken", ""), "token": fields["token"]}


def write_archive(folder: Path, files: int) -> None:
    """``files`` page dumps (the fixture's, retitled), so each is its own article."""
    source = next((ROOT / "fixtures").glob("000_*.txt")).read_text(encoding="utf-8")
    title, rest = source.split("\n", 1)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(files):
        text = f"Cluster import {n:04d}: {title}\n{rest}"
        (folder / f"{n:04d}.txt").write_text(text, encoding="utf-8")


def fault_import(site: Site, *, files: int = 200, echo=None) -> Outcome:
    out = Outcome(f"an import of {files} files is killed halfway, then run again", echo)
    root = site.workdir / "import"
    write_archive(root / IMPORT_FOLDER, files)
    like = f"{IMPORT_FOLDER}/%"

    def imported() -> int:
        return site.sql("SELECT count(*) FROM newsroom_article WHERE source_path LIKE %s", (like,))[
            0
        ][0]

    def comments_per_article() -> dict[str, int]:
        rows = site.sql(
            """
            SELECT a.source_path, count(c.id) FROM newsroom_article a
              LEFT JOIN newsroom_comment c ON c.article_id = a.id
             WHERE a.source_path LIKE %s GROUP BY a.source_path
            """,
            (like,),
        )
        return dict(rows)

    log = site.workdir / "logs" / "import-killed.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            # Small batches, so that the kill lands between commits of a run under way.
            [sys.executable, "manage.py", "import_sources", str(root), "--batch-size", "5"],
            cwd=ROOT,
            env=child_env(site.env()),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(lambda: process.poll() is not None or imported() >= files // 3, 120, 0.01)
    finally:
        if process.poll() is None:
            process.kill()  # SIGKILL: no handler, no cleanup, mid-transaction
        process.wait(timeout=10)
    at_kill = comments_per_article()
    out.note(
        f"import_sources killed (exit {process.returncode}) with {len(at_kill)} of {files} "
        "articles in"
    )
    out.check(
        process.returncode == -signal.SIGKILL and 0 < len(at_kill) < files,
        "it was killed halfway, not before it started or after it finished",
    )
    rerun = manage("import_sources", str(root), env=site.env(), check=False)
    summary = (rerun.stdout.strip().splitlines() or [""])[-1]
    out.note(f"run again: exit {rerun.returncode}, “{summary}”")
    out.check(
        rerun.returncode == 0,
        "the second run finishes" + (f": {rerun.stderr[-500:]}" if rerun.returncode else ""),
    )
    final = comments_per_article()
    per_file = Counter(final.values())
    distinct = site.sql(
        "SELECT count(DISTINCT source_path), count(*) FROM newsroom_article "
        "WHERE source_path LIKE %s",
        (like,),
    )[0]
    out.check(
        len(final) == files and distinct == (files, files),
        f"{distinct[1]} articles for {files} files, {distinct[0]} distinct: no duplicates",
    )
    expected = max(per_file) if per_file else 0
    out.check(
        len(per_file) == 1 and expected > 0,
        f"every article has its {expected} comments, none twice ({dict(per_file)})",
    )
    partial = [path for path, count in at_kill.items() if count != expected]
    out.check(
        not partial,
        f"the {len(at_kill)} articles in before the kill already had all their comments "
        "(each file whole or not at all)" + (f"; not so: {partial[:3]}" if partial else ""),
    )
    third = manage("import_sources", str(root), env=site.env(), check=False)
    summary = (third.stdout.strip().splitlines() or [""])[-1]
    out.check(
        third.returncode == 0 and f"{files} unchanged" in summary,
        f"a third run changes nothing: “{summary}”",
    )
    return out


# --- the command line ------------------------------------------------------------------------

SCENARIOS = ("checks", "load", "redis", "redis-cut", "database", "import")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=500, help="load test: comments to post")
    parser.add_argument("--clients", type=int, default=50, help="load test: concurrent posters")
    parser.add_argument("--readers", type=int, default=10, help="load test: concurrent readers")
    parser.add_argument("--rate-limit", type=int, default=8, help="posts per client per minute")
    parser.add_argument("--max-seconds", type=float, default=180, help="load test time bound")
    parser.add_argument("--outage", type=float, default=3.0, help="fault windows, in seconds")
    parser.add_argument("--import-files", type=int, default=200, help="files in the import")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--short",
        action="store_true",
        help="the CI form: 100 comments, 10 clients, 4 readers, 1.5 s outages, 60 files",
    )
    parser.add_argument(
        "--only", default=",".join(SCENARIOS), help=f"comma-separated subset of {SCENARIOS}"
    )
    parser.add_argument("--database", default="newsroom_cluster", help="the database to use")
    parser.add_argument("--redis-db", type=int, default=11, help="the shared Redis's db number")
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")
    parser.add_argument(
        "--workdir",
        help="keep the run's files here (server logs, static files, the import archive); "
        "default: a temporary folder, removed at the end",
    )
    args = parser.parse_args(argv)
    if args.short:
        args.comments, args.clients, args.readers = 100, 10, 4
        args.outage, args.import_files = 1.5, 60
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.only) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios {sorted(unknown)}; choose from {SCENARIOS}")
    return args


def plan(site: Site, args: argparse.Namespace):
    """(heading, [(title, scenario)]) for the parts asked for; servers A and B are started
    when the checks or the load test need them."""
    only = set(args.only)
    if only & {"checks", "load"}:
        a, b = site.start_server("server A"), site.start_server("server B")
        print(f"server A: http://{HOST}:{a.port}/   server B: http://{HOST}:{b.port}/")
    if "checks" in only:
        yield (
            "(a) two servers, one database, one Redis",
            [
                (check.__name__, lambda check=check: check(site, a, b, echo=print))
                for check in CHECKS
            ],
        )
    if "load" in only:
        load = {
            "comments": args.comments,
            "clients": args.clients,
            "readers": args.readers,
            "max_seconds": args.max_seconds,
        }
        yield "(b) load", [("load", lambda: load_test(site, [a, b], **load, echo=print))]
    faults = {
        "redis": lambda: fault_redis(site, outage=args.outage, echo=print),
        "redis-cut": lambda: fault_redis_cut(site, outage=args.outage, echo=print),
        "database": lambda: fault_database(site, outage=args.outage, echo=print),
        "import": lambda: fault_import(site, files=args.import_files, echo=print),
    }
    chosen = [(name, scenario) for name, scenario in faults.items() if name in only]
    if chosen:
        yield "(c) faults", chosen


def run_scenario(name: str, scenario: Callable[[], Outcome]) -> Outcome:
    """Run one scenario; one that crashes is reported as failed and the run goes on."""
    try:
        return scenario()
    except Exception as error:  # a crash is a result too: report it, go on with the next
        out = Outcome(f"{name} (crashed)", print)
        out.check(False, f"{type(error).__name__}: {error}")
        return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    redis_url = with_db(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0", args.redis_db)
    outcomes: list[Outcome] = []
    with contextlib.ExitStack() as stack:
        if args.workdir:
            workdir = Path(args.workdir).resolve()
            workdir.mkdir(parents=True, exist_ok=True)
        else:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cluster-")))
        site = Site(
            postgres=Postgres(database_url),
            database=args.database,
            redis_url=redis_url,
            workdir=workdir,
            rate_limit=args.rate_limit,
            workers=args.workers,
            threads=args.threads,
            keep_database=args.keep_database,
        )
        print(
            f"Newsroom cluster: PostgreSQL {site.postgres.host}:{site.postgres.port} "
            f"(database {args.database}), Redis {redis_url} (key prefix {site.prefix}); "
            f"app servers: gunicorn, {args.workers} workers × {args.threads} threads each"
        )
        with site:
            print(f"setup: {site.set_up()}")
            for heading, scenarios in plan(site, args):
                print(f"\n== {heading} ==")
                for name, scenario in scenarios:
                    outcomes.append(run_scenario(name, scenario))
        failed = [o for o in outcomes if not o.passed]
        if failed:
            print(site.log_tails())
        print()
        for outcome in outcomes:
            print(f"{'PASS' if outcome.passed else 'FAIL'}  {outcome.title}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
