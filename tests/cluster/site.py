"""The site every app server of a cluster test run shares: its own PostgreSQL database (created,
migrated, seeded, dropped), its own Redis key prefix, and the servers' common environment.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .client import SITE_HOST
from .processes import HOST, Gunicorn, manage, require_loopback, tail

# The articles the scenarios post on, one each, so that no scenario sees another's comments.
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
SAFE_NAME = re.compile(r"^newsroom_cluster[a-z0-9_]*$")


def known_author(key: str) -> str:
    """The email of the author with an approved comment on article ``key`` (one per
    article, so that a ban in one check does not hold another's author)."""
    return f"regular.{key}@example.org"


class Postgres:
    """Creates, queries and drops the tests' own databases on a PostgreSQL server.

    ``server_url`` is any database URL on that server (the suite's DATABASE_URL, whose
    database need not exist); only databases named ``newsroom_cluster…`` are created or dropped.
    """

    def __init__(self, server_url: str) -> None:
        parts = urlsplit(server_url)
        if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
            raise ValueError(f"Not a PostgreSQL URL: {server_url!r}")
        require_loopback(server_url)
        self.parts = parts._replace(scheme="postgres")

    def url(self, database: str, port: int | None = None) -> str:
        """The URL of ``database``; with ``port``, through that loopback port instead."""
        netloc = self.parts.netloc
        if port is not None:
            user = netloc.rsplit("@", 1)[0] + "@" if "@" in netloc else ""
            netloc = f"{user}{HOST}:{port}"
        return urlunsplit((self.parts.scheme, netloc, f"/{database}", self.parts.query, ""))

    @property
    def port(self) -> int:
        return self.parts.port or 5432

    @property
    def host(self) -> str:
        return self.parts.hostname or HOST

    def connect(self, database: str = "postgres"):
        """A connection to ``database``; by default the server's maintenance database, which
        every server has (the suite's own database may not exist yet)."""
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True)

    def _admin(self, statement: str, database: str) -> None:
        from psycopg import sql

        if not SAFE_NAME.match(database):
            raise ValueError(f"Refusing to touch database {database!r}.")
        with self.connect() as conn:
            conn.execute(sql.SQL(statement).format(sql.Identifier(database)))

    def create(self, database: str) -> None:
        self.drop(database)
        self._admin("CREATE DATABASE {}", database)

    def drop(self, database: str) -> None:
        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", database)


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
        rate_limit: int = 5,
        workers: int = 2,
        threads: int = 4,
    ) -> None:
        self.postgres = postgres
        self.database = database
        self.redis_url = require_loopback(redis_url)
        self.workdir = workdir
        self.rate_limit = rate_limit
        self.workers = workers
        self.threads = threads
        # A key prefix of this run's own: another run sharing the Redis never sees its keys.
        self.prefix = f"cluster-{secrets.token_hex(4)}"
        self.secret_key = secrets.token_urlsafe(50)
        self.moderator_password = secrets.token_urlsafe(16)
        self.servers: list[Gunicorn] = []
        self._addresses = itertools.count(1)
        self._conn = None

    def env(self, **overrides: str) -> dict[str, str]:
        env = {
            "DJANGO_SETTINGS_MODULE": "tests.cluster.server_settings",
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

    def confirmed(self, reader, email: str) -> None:
        """Give the reader's browser the cookie that following the confirmation link of
        ``email`` leaves (signed with the servers' key)."""
        from django.core import signing
        from django.utils.crypto import salted_hmac

        from newsroom.discussion import confirmation

        digest = salted_hmac(
            "newsroom.address", email.lower(), secret=self.secret_key, algorithm="sha256"
        ).hexdigest()
        reader.cookies[confirmation.COOKIE_NAME] = signing.dumps(
            digest, key=self.secret_key, salt=confirmation.COOKIE_SALT
        )

    def new_address(self) -> str:
        """A client address no other simulated client of this run has: documentation
        ranges only (RFC 5737, then RFC 3849), and only ever sent as a header value."""
        n = next(self._addresses)
        nets = ("203.0.113", "198.51.100", "192.0.2")
        if n <= 3 * 254:
            return f"{nets[(n - 1) // 254]}.{(n - 1) % 254 + 1}"
        return f"2001:db8::{n:x}"

    def set_up(self) -> None:
        self.postgres.create(self.database)
        env = self.env()
        manage("migrate", "--noinput", env=env)
        manage("collectstatic", "--noinput", env=env)
        seed_env = {**env, "CLUSTER_MODERATOR_PASSWORD": self.moderator_password}
        manage("shell", "-c", "from tests.cluster.seed import seed; seed()", env=seed_env)

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
        self.postgres.drop(self.database)
        self.forget_cache()

    def forget_cache(self) -> None:
        """Delete this run's keys from the shared Redis (nothing else is touched)."""
        import redis

        client = redis.Redis.from_url(self.redis_url, socket_timeout=5)
        try:
            keys = list(client.scan_iter(match=f"{self.prefix}*", count=500))
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
