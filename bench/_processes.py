"""What a cluster benchmark runs on loopback: free ports, gunicorn and redis-server started
and stopped with their own logs, a TCP proxy that can cut connections, the PostgreSQL
database they share, and simulated readers (an HTTP client with its own cookies).
Every wait and every request has a timeout; every stop ends in a kill."""

from __future__ import annotations

import contextlib
import html
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# The site's public name, which the proxy in front of every app server passes on; each
# server's own address differs by its port.
SITE_HOST = "news.localhost"
# What a child process inherits from this one; everything else it is given explicitly.
INHERITED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "VIRTUAL_ENV", "TMPDIR")


class ServiceError(RuntimeError):
    """A process did not start, or did not answer, in time."""


def free_port() -> int:
    """A TCP port nothing listens on at this moment (the kernel's pick)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds passed; return the last."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return True
        except OSError:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def require_loopback(url: str) -> str:
    """A benchmark's servers live on this machine: refuse a URL pointing anywhere else."""
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK and not host.startswith("127."):
        raise ValueError(f"{url!r} is not on loopback: the cluster benchmark stays on 127.0.0.1.")
    return url


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = {name: os.environ[name] for name in INHERITED_ENV if name in os.environ}
    return {**env, **extra}


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def child_pids(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Linux /proc), e.g. gunicorn's workers."""
    children = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            children.add(int(entry.name))
    return children


class Service:
    """A child process in its own session, its output in a log file."""

    name = "service"

    def __init__(self, name: str, log: Path) -> None:
        self.name = name
        self.log = log
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return child_env({})

    def ready(self) -> bool:
        raise NotImplementedError

    def start(self, timeout: float = 30) -> Service:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as one
            )

        def up() -> bool:
            if not self.alive:
                raise ServiceError(
                    f"{self.name} exited ({self.process.returncode}):\n{tail(self.log)}"
                )
            return self.ready()

        if not wait_until(up, timeout, interval=0.1):
            self.stop()
            raise ServiceError(
                f"{self.name} did not answer within {timeout:g} s:\n{tail(self.log)}"
            )
        return self

    @property
    def pid(self) -> int:
        return self.process.pid if self.process else 0

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 10, sig: int = signal.SIGTERM) -> None:
        """Ask the process to stop; past ``timeout``, kill its whole process group."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            try:
                process.send_signal(sig)
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        # Whatever is left of the group (workers of a killed master) goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class Gunicorn(Service):
    """The site served by gunicorn (threaded workers) on a loopback port."""

    def __init__(
        self,
        name: str,
        log: Path,
        env: dict[str, str],
        *,
        workers: int = 2,
        threads: int = 4,
        port: int | None = None,
    ) -> None:
        super().__init__(name, log)
        self.port = port or free_port()
        self.workers = workers
        self.threads = threads
        self._env = env

    def command(self) -> list[str]:
        return [
            *(sys.executable, "-m", "gunicorn", "config.wsgi"),
            *("--bind", f"{HOST}:{self.port}"),
            *("--workers", str(self.workers), "--threads", str(self.threads)),
            *("--worker-class", "gthread", "--timeout", "30", "--graceful-timeout", "5"),
            *("--error-logfile", "-", "--log-level", "warning"),
        ]

    def env(self) -> dict[str, str]:
        return child_env(self._env)

    def ready(self) -> bool:
        with socket.create_connection((HOST, self.port), timeout=2) as conn:
            conn.sendall(b"GET /robots.txt HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            status_line = conn.recv(64).split(b"\r\n", 1)[0]
            return status_line.split(b" ")[1:2] == [b"200"]

    def worker_pids(self) -> set[int]:
        return child_pids(self.pid) if self.alive else set()


class RedisServer(Service):
    """A private redis-server: no persistence, loopback only, in the foreground."""

    def __init__(self, name: str, log: Path, workdir: Path, port: int | None = None) -> None:
        super().__init__(name, log)
        self.port = port or free_port()
        self.workdir = workdir

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def command(self) -> list[str]:
        self.workdir.mkdir(parents=True, exist_ok=True)
        return [
            *("redis-server", "--port", str(self.port), "--bind", HOST),
            *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            *("--dir", str(self.workdir)),
        ]

    def env(self) -> dict[str, str]:
        return child_env({})

    def ready(self) -> bool:
        with socket.create_connection((HOST, self.port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")

    def url(self, db: int = 0) -> str:
        return f"redis://{HOST}:{self.port}/{db}"


def manage(
    *args: str, env: dict[str, str], timeout: float = 300, check: bool = True
) -> subprocess.CompletedProcess:
    """Run ``manage.py`` with exactly this environment (plus PATH and the like)."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=child_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise ServiceError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


# --- a TCP proxy that can cut the line -----------------------------------------------------


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset: the peer sees the connection refused or torn down at once."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class TcpProxy:
    """Forwards a loopback port to ``target_port``; ``pause()`` drops every live connection
    and resets new ones until ``resume()``. One thread per direction per connection."""

    def __init__(self, target_port: int, target_host: str = HOST) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.accepted = self.refused = self.dropped = 0
        self._paused = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> TcpProxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, 0))
        listener.listen(128)
        listener.settimeout(0.2)
        self._listener, self.port = listener, listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, name="proxy-accept", daemon=True)
        self._thread.start()
        return self

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._paused.is_set():
                self.refused += 1
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            pair = (client, upstream)
            with self._lock:
                self._pairs.add(pair)
                self.accepted += 1
            for source, sink in (pair, pair[::-1]):
                threading.Thread(
                    target=self._pump, args=(source, sink, pair), name="proxy-pump", daemon=True
                ).start()

    def _pump(self, source: socket.socket, sink: socket.socket, pair) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._close(pair)

    def _close(self, pair, *, dropped: bool = False) -> None:
        with self._lock:
            if pair not in self._pairs:
                return
            self._pairs.discard(pair)
            if dropped:
                self.dropped += 1
        for sock in pair:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def pause(self) -> int:
        """Cut every open connection and refuse new ones; return how many were cut."""
        self._paused.set()
        with self._lock:
            pairs = list(self._pairs)
        for pair in pairs:
            self._close(pair, dropped=True)
        return len(pairs)

    def resume(self) -> None:
        self._paused.clear()

    def stop(self) -> None:
        self._stopping.set()
        self.pause()
        if self._listener is not None:
            self._listener.close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --- the PostgreSQL server the app servers share ------------------------------------------

SAFE_NAME = re.compile(r"^newsroom_cluster[a-z0-9_]*$")


class Postgres:
    """Creates, queries and drops this benchmark's own databases on a PostgreSQL server.

    ``server_url`` is any database URL on that server (the suite's DATABASE_URL); only
    databases whose names start with ``newsroom_cluster`` are ever created or dropped.
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

    def connect(self, database: str | None = None):
        import psycopg

        name = database or self.parts.path.lstrip("/") or "postgres"
        return psycopg.connect(self.url(name), autocommit=True)

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


# --- simulated readers ---------------------------------------------------------------------

INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
COMMENT_ANCHOR = re.compile(r"#comment-(\d+)$")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str
    seconds: float
    port: int

    @property
    def cache(self) -> str:
        """The page cache's answer: "hit", "miss", or "" (not a cacheable reader page)."""
        return self.headers.get("x-newsroom-cache", "")

    @property
    def comment_pk(self) -> int | None:
        """The stored comment's pk, from the redirect after a post."""
        match = COMMENT_ANCHOR.search(self.headers.get("location", ""))
        return int(match.group(1)) if match else None


def hidden_inputs(page: str) -> dict[str, str]:
    """The hidden form fields of a page, by name (the last one wins)."""
    fields = {}
    for tag in INPUT.findall(page):
        attrs = {name.lower(): html.unescape(value) for name, value in ATTRIBUTE.findall(tag)}
        if attrs.get("type", "").lower() == "hidden" and "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


class Reader:
    """One browser: a cookie jar shared by every app server (cookies ignore the port, as a
    browser's do), and the client address and the site's host name that the trusted proxy
    in front of the servers would pass on."""

    def __init__(self, address: str, timeout: float = 15) -> None:
        self.address = address
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(
        self,
        port: int,
        method: str,
        path: str,
        form: dict[str, str] | list[tuple[str, str]] | None = None,
        cookies: bool = True,
    ) -> Response:
        headers = {
            "Host": SITE_HOST,
            "X-Forwarded-For": self.address,
            "User-Agent": "newsroom-cluster-bench",
        }
        if cookies and self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(HOST, port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            body = response.read().decode("utf-8", "replace")
            seconds = time.perf_counter() - started
            if cookies:
                self._store(response.msg.get_all("Set-Cookie") or [])
            found = {name.lower(): value for name, value in response.getheaders()}
            return Response(response.status, found, body, seconds, port)
        finally:
            conn.close()

    def _store(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            jar = SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, port: int, path: str, *, anonymous: bool = False) -> Response:
        """GET a page; ``anonymous``: without cookies, as a first-time visitor."""
        return self.request(port, "GET", path, cookies=not anonymous)

    def post_comment(
        self, port: int, slug: str, *, name: str, email: str, body: str
    ) -> tuple[Response, Response | None]:
        """Read the article page on ``port``, then post the comment form; (page, post).

        The post is None when the page had no comment form to fill in.
        """
        page = self.get(port, f"/articles/{slug}/")
        fields = hidden_inputs(page.body)
        if page.status != 200 or "token" not in fields:
            return page, None
        form = {
            "csrfmiddlewaretoken": fields.get("csrfmiddlewaretoken", ""),
            "token": fields["token"],
            "parent": "",
            "honeypot": "",
            "author_name": name,
            "author_email": email,
            "author_url": "",
            "body": body,
        }
        return page, self.request(port, "POST", f"/articles/{slug}/comments/", form)

    def login(self, port: int, username: str, password: str) -> Response:
        page = self.get(port, "/admin/login/?next=/admin/")
        form = {
            "csrfmiddlewaretoken": hidden_inputs(page.body).get("csrfmiddlewaretoken", ""),
            "username": username,
            "password": password,
            "next": "/admin/",
        }
        return self.request(port, "POST", "/admin/login/?next=/admin/", form)

    def admin_action(self, port: int, changelist: str, action: str, pks: list[int]) -> Response:
        """Run an admin action from a changelist page, as its action form would."""
        page = self.get(port, changelist)
        form = [
            ("csrfmiddlewaretoken", hidden_inputs(page.body).get("csrfmiddlewaretoken", "")),
            ("action", action),
            ("select_across", "0"),
            ("index", "0"),
            *(("_selected_action", str(pk)) for pk in pks),
        ]
        return self.request(port, "POST", changelist, form)


@dataclass
class Latencies:
    """Seconds per request of one kind; percentiles in milliseconds."""

    seconds: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.seconds.append(value)

    def percentile(self, p: float) -> float:
        if not self.seconds:
            return 0.0
        if len(self.seconds) == 1:
            return self.seconds[0] * 1000
        cuts = statistics.quantiles(self.seconds, n=100, method="inclusive")
        return cuts[int(p) - 1] * 1000

    def line(self) -> str:
        if not self.seconds:
            return "none"
        return (
            f"p50 {self.percentile(50):.0f} ms, p95 {self.percentile(95):.0f} ms, "
            f"max {max(self.seconds) * 1000:.0f} ms ({len(self.seconds)} requests)"
        )
