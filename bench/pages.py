"""How many requests per second the reader pages serve, compared with a trivial Django view.

Run it from the project root (it needs gunicorn: ``pip install -e '.[bench]'``; wrk is used
when installed, ``apt-get install wrk``):

    .venv/bin/python bench/pages.py [--seconds 5] [--concurrency 8] [--workers 2]
                                    [--accept-encoding "gzip, deflate, br, zstd"]

It builds a temporary SQLite site (50 articles, 30 quick quotes, one article with 200
approved comments), serves it with gunicorn (sync workers, DEBUG off) on a free loopback
port and loads it with wrk (or Python threads) for a fixed time per page: the front page
and the article from a server with the page cache on, then from one with it off, each
between two runs of a trivial view on the same server. It prints requests per second, the
server's requests per CPU-second, the ratios to the trivial view and whether the issue's
targets are met; it never fails on a figure. Every request says it accepts what Chromium
accepts (``--accept-encoding``; give ``""`` to measure uncompressed pages). ``--profile``
adds a cProfile of the uncached article page rendered in-process.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gzip
import http.client
import io
import os
import platform
import pstats
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
TRIVIAL = "/bench/trivial/"
FRONT = "/"
COMMENTED_SLUG = "two-hundred-comments"
ARTICLE = f"/articles/{COMMENTED_SLUG}/"
APPROVED_COMMENTS = 200
REPLIES = 40  # of the 200: replies to the first 40 top-level comments
HIDDEN_COMMENTS = 20  # pending and spam: stored, filtered out of the page
CACHE_HEADER = "X-Newsroom-Cache"
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"  # Chromium's Accept-Encoding
SAMPLE = 8  # requests checked one by one after each wrk run
WORDS = [
    *("government", "parliament", "minister", "statement", "community", "church", "school"),
    *("election", "border", "ceasefire", "agreement", "talks", "protest", "festival"),
    *("report", "economy", "energy", "water", "road"),
]
# The issue's targets, as ratios to the trivial view.
CACHED_TARGET = 0.80
UNCACHED_TARGET = 0.15

# Only a summary at the end: a response() callback would make wrk copy every body into Lua,
# costing the client CPU that the server needs (the client shares the machine's cores).
WRK_SCRIPT = """\
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("tally %d %d %d %d %d\\n", summary.duration, summary.requests,
    e.status, e.connect + e.read + e.write + e.timeout, latency.mean))
end
"""


# --- the site ---------------------------------------------------------------------------


def configure_django(workdir: Path, redis_url: str) -> dict[str, str]:
    """Point this process at the benchmark's database; return the servers' environment."""
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "BENCH_STATIC_ROOT": str(workdir / "static"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "ALLOWED_HOSTS": f"{HOST},localhost,testserver",
        # Production settings, except that loopback speaks plain HTTP.
        "SECURE_SSL_REDIRECT": "0",
        "REDIS_URL": redis_url,
        # A fresh key space: pages another run left in a shared Redis are never served.
        "CACHE_KEY_PREFIX": f"bench-{secrets.token_hex(4)}",
        # Empty: the site's own page cache lifetime (bench/settings.py).
        "BENCH_PAGE_CACHE_SECONDS": "",
    }
    # This process only seeds and profiles: it renders uncached pages.
    os.environ.update(env, BENCH_PAGE_CACHE_SECONDS="0")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return env


def seed() -> None:
    """Migrate and collect the static files (as a deployment does), then write the front
    page's items and the article with its comments."""
    from django.core.management import call_command
    from django.db import connections, transaction
    from django.utils import timezone

    from newsroom.models import Article, Author, Comment, Section
    from quickquotes.models import QuickQuote

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    now = timezone.now()
    with transaction.atomic():
        sections = [
            Section.objects.create(name=name, slug=name.lower())
            for name in ("Politics", "Community", "World", "Economy", "Culture")
        ]
        authors = [
            Author.objects.create(name=f"Reporter {i}", slug=f"reporter-{i}", bio="Writes.")
            for i in range(8)
        ]
        tags = [f"{word}-{i}" for i, word in enumerate(WORDS[:15])]
        for i in range(50):
            text = " ".join(WORDS[(i + j) % len(WORDS)] for j in range(14))
            article = Article.objects.create(
                title=f"Article {i}: {text[:60]}",
                slug=COMMENTED_SLUG if i == 0 else f"article-{i}",
                section=sections[i % len(sections)],
                description=f"{text.capitalize()}.",
                body="\n\n".join(f"{text.capitalize()} *{i}.{p}*." for p in range(8)),
                dateline="YEREVAN" if i % 2 else "",
                featured_image_url="https://example.com/image.jpg" if i % 5 == 0 else "",
                featured_image_alt="A photo",
                is_breaking=i in (3, 7),
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(hours=2 * i + 1),
            )
            article.authors.set(authors[i % 8 : i % 8 + 1 + i % 2])
            article.tags.set(tags[i % 15 : i % 15 + 3])
        for i in range(30):
            quote = QuickQuote.objects.create(
                title=f"Quote {i}",
                slug=f"quote-{i}",
                quote=" ".join(WORDS[(i + j) % len(WORDS)] for j in range(20)).capitalize(),
                summary="Said at a press conference.",
                speaker=f"Speaker {i}",
                citation="https://example.com/source",
                section=sections[i % len(sections)],
                status=QuickQuote.Status.PUBLISHED,
                published_at=now - timedelta(hours=3 * i + 2),
            )
            quote.authors.set(authors[i % 8 : i % 8 + 1])
            quote.tags.set(tags[i % 15 : i % 15 + 2])

        article = Article.objects.get(slug=COMMENTED_SLUG)
        started = article.published_at

        def comment(n: int, status: str, parent: Comment | None = None) -> Comment:
            body = " ".join(WORDS[(n + j) % len(WORDS)] for j in range(30))
            return Comment(
                article=article,
                parent=parent,
                author_name=f"Reader {n}",
                author_email=f"reader{n}@example.com",
                author_url="https://example.org/" if n % 4 == 0 else "",
                body=f"{body.capitalize()}.\n\n{body[:80].capitalize()}.\nThanks.",
                status=status,
                submitted_at=started + timedelta(minutes=n),
            )

        top_level = APPROVED_COMMENTS - REPLIES
        Comment.objects.bulk_create([comment(n, Comment.Status.APPROVED) for n in range(top_level)])
        parents = list(article.comments.order_by("submitted_at", "pk")[:REPLIES])
        Comment.objects.bulk_create(
            [
                comment(top_level + n, Comment.Status.APPROVED, parent)
                for n, parent in enumerate(parents)
            ]
            + [
                comment(1000 + n, Comment.Status.PENDING if n % 2 else Comment.Status.SPAM)
                for n in range(HIDDEN_COMMENTS)
            ]
        )
    connections.close_all()


# --- the servers ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def get(port: int, path: str, accept_encoding: str = "") -> tuple[int, dict[str, str], bytes, int]:
    """Status, headers, body (decompressed) and the body's size as sent."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        headers = {"Accept-Encoding": accept_encoding} if accept_encoding else {}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        headers, body = dict(response.getheaders()), response.read()
    finally:
        connection.close()
    sent = len(body)
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return response.status, headers, body, sent


@dataclass
class Server:
    port: int
    pid: int

    def cpu_seconds(self) -> float | None:
        """CPU time used so far by the master and its workers (from Linux's /proc), so that
        the cost of a page can be told apart from other work on the machine."""
        try:
            stats = {}
            for stat in Path("/proc").glob("[0-9]*/stat"):
                with contextlib.suppress(OSError):
                    # After the name in brackets: state, ppid, ... utime and stime at 11, 12.
                    fields = stat.read_text().rsplit(")", 1)[1].split()
                    stats[int(stat.parent.name)] = fields
            ticks = sum(
                int(fields[11]) + int(fields[12])
                for pid, fields in stats.items()
                if pid == self.pid or int(fields[1]) == self.pid
            )
            return ticks / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None

    def settle(self, limit: float = 15.0) -> None:
        """Wait until the workers are idle: wrk leaves requests queued when it stops, and
        the workers still serve them."""
        deadline = time.monotonic() + limit
        last = self.cpu_seconds()
        if last is None:
            time.sleep(1)
            return
        while time.monotonic() < deadline:
            time.sleep(0.25)
            now = self.cpu_seconds()
            if now == last:
                return
            last = now


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int, log: Path) -> Iterator[Server]:
    """Serve the site on a free loopback port; always stop the server."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
        "--graceful-timeout",
        "5",
    ]
    with log.open("ab") as output:
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C reaches this script, which stops it
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({server.returncode}):\n{tail(log)}")
            try:
                status = get(port, TRIVIAL)[0]
            except OSError:
                status = None
            if status == 200:
                break
            if status is not None:
                raise RuntimeError(f"the trivial view answered {status}, not 200:\n{tail(log)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within 30 s:\n{tail(log)}")
            time.sleep(0.2)
        yield Server(port, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


# --- the load ---------------------------------------------------------------------------


@dataclass
class Tally:
    seconds: float = 0.0
    requests: int = 0
    failed: int = 0  # answered with a status other than 200 (wrk: 400 or above)
    errors: int = 0  # connect, read, write errors and timeouts
    latency_ms: float = 0.0
    # (status, X-Newsroom-Cache) of every response (Python client) or of a sample of
    # requests sent right after the run (wrk).
    served: Counter = field(default_factory=Counter)
    sampled: bool = False
    server_cpu: float | None = None  # CPU seconds the server used during the run

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def per_cpu_second(self) -> float | None:
        return self.requests / self.server_cpu if self.server_cpu else None

    def checks(self) -> str:
        """What was served, for the table: failures, socket errors and cache headers."""
        notes = [f"failed: {self.failed}"]
        if self.errors:
            notes.append(f"socket errors: {self.errors}")
        answers = ", ".join(f"{n} x {status} {cache}" for (status, cache), n in self.served.items())
        notes.append(f"{'sample after' if self.sampled else 'all'}: {answers}")
        return "; ".join(notes)


class WrkClient:
    name = "wrk (1 thread)"

    def __init__(self, workdir: Path, accept_encoding: str) -> None:
        self.script = workdir / "tally.lua"
        self.script.write_text(WRK_SCRIPT)
        self.headers = ["-H", f"Accept-Encoding: {accept_encoding}"] if accept_encoding else []

    def run(self, port: int, path: str, seconds: int, concurrency: int) -> Tally:
        # A generous timeout: a request wrk gave up on is still rendered, and wasted.
        command = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "30s"]
        command += [*self.headers, "-s", str(self.script), f"http://{HOST}:{port}{path}"]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        line = next(x for x in result.stdout.splitlines() if x.startswith("tally "))
        duration, requests, failed, errors, latency = map(int, line.split()[1:])
        return Tally(duration / 1e6, requests, failed, errors, latency / 1000)


class ThreadClient:
    """One keep-alive connection per thread (gunicorn's sync workers close it anyway)."""

    name = "Python threads (http.client)"

    def __init__(self, accept_encoding: str) -> None:
        self.headers = {"Accept-Encoding": accept_encoding} if accept_encoding else {}

    def run(self, port: int, path: str, seconds: int, concurrency: int) -> Tally:
        tally, lock = Tally(seconds=seconds), threading.Lock()
        start = time.monotonic()
        deadline = start + seconds

        def worker() -> None:
            mine, errors, spent = Tally(), 0, 0.0
            connection = http.client.HTTPConnection(HOST, port, timeout=30)
            while True:
                began = time.monotonic()
                try:
                    connection.request("GET", path, headers=self.headers)
                    response = connection.getresponse()
                    response.read()
                except OSError:
                    errors += 1
                    connection.close()
                    response = None
                finished = time.monotonic()
                if finished > deadline:
                    break
                if response is None:
                    continue
                spent += finished - began
                mine.requests += 1
                mine.failed += response.status != 200
                mine.served[response.status, served_as(dict(response.getheaders()))] += 1
            connection.close()
            with lock:
                tally.requests += mine.requests
                tally.failed += mine.failed
                tally.served.update(mine.served)
                tally.errors += errors
                tally.latency_ms += spent * 1000

        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        tally.latency_ms /= max(1, tally.requests)
        return tally


def measure(client, server: Server, path: str, args: argparse.Namespace) -> Tally:
    client.run(server.port, path, args.warmup, args.concurrency)  # fills each worker's cache
    server.settle()
    before = server.cpu_seconds()
    tally = client.run(server.port, path, args.seconds, args.concurrency)
    after = server.cpu_seconds()
    if before is not None and after is not None:
        tally.server_cpu = after - before
    server.settle()
    if not tally.served:  # wrk does not look at responses: check a sample
        tally.sampled = True
        for _ in range(SAMPLE):
            status, headers, _body, _sent = get(server.port, path, args.accept_encoding)
            tally.served[status, served_as(headers)] += 1
    return tally


def served_as(headers: dict[str, str]) -> str:
    """The page cache's verdict, and the encoding when compressed: 'hit gzip'."""
    return " ".join(filter(None, [headers.get(CACHE_HEADER, "-"), headers.get("Content-Encoding")]))


# --- the report -------------------------------------------------------------------------


def count_comments(html: str, sent: int, encoding: str | None) -> str:
    shown = re.findall(r'<li class="comment" id="comment-\d+">', html)
    reply_lists = html.count("comment-list--replies")
    heading = re.search(r'<h2 id="comments-heading">(.*?)</h2>', html)
    heading_text = heading.group(1) if heading else "(no heading)"
    return (
        f'{len(shown)} approved comments shown (<li class="comment">), '
        f"{reply_lists} with replies; heading says {heading_text!r}; "
        f"page size {len(html.encode()) / 1024:.0f} KiB"
        + (f", {sent / 1024:.0f} KiB as sent ({encoding})" if encoding else "")
    )


def figure(value: float | None, width: int, decimals: int) -> str:
    return f"{value:{width}.{decimals}f}" if value is not None else f"{'-':>{width}}"


def verdict(name: str, row: Row, target: float) -> str:
    met = "met" if row.ratio >= target else "NOT met"
    line = f"  {name:<20} target >= {target:.2f}: {row.ratio:5.2f} by req/s, {met}"
    if row.cpu_ratio is not None:
        met = "met" if row.cpu_ratio >= target else "NOT met"
        line += f"; {row.cpu_ratio:5.2f} by CPU cost, {met}"
    return line


def load() -> str:
    return " ".join(f"{average:.2f}" for average in os.getloadavg())


# Where the uncached article's time goes: (label, end of the file name, function).
PROFILE_PARTS = [
    ("the whole request (test client)", "django/test/client.py", "request"),
    ("render the template", "django/template/loader.py", "render_to_string"),
    ("  |date filters", "django/template/defaultfilters.py", "date"),
    ("  |linebreaks filters", "django/template/defaultfilters.py", "linebreaks_filter"),
    ("  {% translate %} tags", "django/templatetags/i18n.py", "render"),
    ("  the comment form's fields", "django/forms/boundfield.py", "as_widget"),
    ("  |json_ld (JSON-LD script)", "newsroom/templatetags/newsroom.py", "json_ld"),
    ("comment_section() (query, tree)", "newsroom/views.py", "comment_section"),
    ("seo.article_json_ld()", "newsroom/seo.py", "article_json_ld"),
    ("SQL (execute and fetch)", "django/db/models/sql/compiler.py", "execute_sql"),
]


def profile_article(rounds: int = 20) -> None:
    """Render the uncached article in this process under cProfile; print the top costs."""
    from django.db import connection
    from django.test import Client

    client = Client()
    assert client.get(ARTICLE).status_code == 200  # warm the template and URL caches
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(ARTICLE)
    started = time.process_time()
    for _ in range(rounds):
        client.get(ARTICLE)
    plain = (time.process_time() - started) / rounds
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        client.get(ARTICLE)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    print(
        f"\nProfile of {ARTICLE} rendered in-process with the page cache off: "
        f"{plain * 1000:.1f} ms of CPU a page without the profiler, {len(queries)} queries."
    )
    total = max(
        cumulative
        for (filename, _line, name), (*_calls, cumulative, _callers) in stats.stats.items()
        if filename.endswith(PROFILE_PARTS[0][1]) and name == PROFILE_PARTS[0][2]
    )
    print(f"\nWhere the time goes under cProfile ({rounds} renders; shares of the request):")
    for label, file_end, function in PROFILE_PARTS:
        cumulative = sum(
            entry[3]
            for (filename, _line, name), entry in stats.stats.items()
            if filename.endswith(file_end) and name == function
        )
        print(f"  {label:<36} {cumulative / rounds * 1000:7.1f} ms  {cumulative / total:6.1%}")
    out = io.StringIO()
    stats.stream = out
    stats.strip_dirs().sort_stats("tottime").print_stats(20)
    print(f"\nTop 20 functions by own time ({rounds} renders):")
    print("\n".join(out.getvalue().splitlines()[5:]).rstrip())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="measured time per page (5)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured time before (1)")
    parser.add_argument(
        "--concurrency", type=int, default=8, help="connections kept busy at once (8)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="gunicorn sync workers (2: one per core on the 2-core machine; every page is "
        "CPU-bound, so more workers only share the same cores)",
    )
    parser.add_argument(
        "--client",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator: wrk when installed (auto), or Python threads",
    )
    parser.add_argument(
        "--redis-url",
        default="",
        help="use this Redis as the cache (default: each worker's local-memory cache)",
    )
    parser.add_argument(
        "--accept-encoding",
        default=BROWSER_ENCODINGS,
        help=f"the Accept-Encoding every request sends (default: Chromium's, "
        f"{BROWSER_ENCODINGS!r}); '' for none",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile the uncached article page"
    )
    return parser.parse_args(argv)


@dataclass
class Row:
    page: str
    server: str
    tally: Tally
    ratio: float | None = None  # requests per second, as a share of the trivial view's
    cpu_ratio: float | None = None  # requests per server CPU-second, likewise


def compare(page: str, server: str, tally: Tally, trivials: list[Tally]) -> Row:
    """The page against the trivial view measured just before and just after it."""
    per_second = sum(t.per_second for t in trivials) / len(trivials)
    per_cpu = [t.per_cpu_second for t in trivials]
    row = Row(page, server, tally, ratio=tally.per_second / per_second)
    if tally.per_cpu_second and all(per_cpu):
        row.cpu_ratio = tally.per_cpu_second / (sum(per_cpu) / len(per_cpu))
    return row


def run(args: argparse.Namespace, client, env: dict[str, str], log: Path) -> tuple[list[Row], str]:
    """Measure every page on both servers; return the rows and what the article shows.

    The trivial view is measured on the same server before and after each page, and the
    page compared with the mean of the two, so that a change in what else the machine is
    doing shows in the trivial rows instead of skewing a ratio.
    """
    servers = {
        "page cache on": env,
        "page cache off": {**env, "BENCH_PAGE_CACHE_SECONDS": "0"},
    }
    rows: list[Row] = []
    shown = ""
    for server, server_env in servers.items():
        with gunicorn(server_env, args.workers, log) as process:
            if not shown:
                get(process.port, ARTICLE, args.accept_encoding)  # a miss: keeps the page
                status, headers, body, sent = get(process.port, ARTICLE, args.accept_encoding)
                encoding = headers.get("Content-Encoding")
                shown = f"status {status}, {count_comments(body.decode(), sent, encoding)}"
            before = measure(client, process, TRIVIAL, args)
            rows.append(Row("trivial view", server, before))
            for page, path in (("front page", FRONT), ("article", ARTICLE)):
                tally = measure(client, process, path, args)
                after = measure(client, process, TRIVIAL, args)
                rows += [compare(page, server, tally, [before, after])]
                rows += [Row("trivial view", server, after)]
                before = after
    return rows, shown


def report(rows: list[Row], shown: str) -> None:
    print(f"\nArticle page ({ARTICLE}): {shown}")
    print(
        "\nreq/s: completed requests per second of wall time; per CPU-s: per second of the"
        "\nserver's own CPU time (master and workers), which other work on the machine changes"
        "\nless; each 'vs' column is the share of the trivial view on the same server, taken"
        "\nas the mean of its runs just before and just after the page."
    )
    print(
        f"\n{'page':<14}{'server':<16}{'req/s':>8}{'vs':>6}{'per CPU-s':>11}{'vs':>6}"
        f"{'mean ms':>9}  served"
    )
    for row in rows:
        tally = row.tally
        print(
            f"{row.page:<14}{row.server:<16}{tally.per_second:8.1f}{figure(row.ratio, 6, 2)}"
            f"{figure(tally.per_cpu_second, 11, 1)}{figure(row.cpu_ratio, 6, 2)}"
            f"{tally.latency_ms:9.1f}  {tally.checks()}"
        )
    found = {(row.page, row.server): row for row in rows}
    print("\nTargets (share of the trivial view: by req/s, and by CPU cost):")
    for page in ("article", "front page"):
        if page == "front page":
            print("The same bars for the front page, for reference:")
        print(verdict(f"{page}, cached", found[page, "page cache on"], CACHED_TARGET))
        print(verdict(f"{page}, uncached", found[page, "page cache off"], UNCACHED_TARGET))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # A SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so the servers are stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        import gunicorn as gunicorn_package
    except ImportError:
        print("gunicorn is not installed: .venv/bin/pip install -e '.[bench]'", file=sys.stderr)
        return 2
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    if use_wrk and not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk), or use --client python", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as tmp:
        workdir = Path(tmp)
        env = configure_django(workdir, args.redis_url)
        import django

        if use_wrk:
            client = WrkClient(workdir, args.accept_encoding)
        else:
            client = ThreadClient(args.accept_encoding)
        started = time.monotonic()
        seed()
        print(
            f"Newsroom page benchmark: Python {platform.python_version()}, Django "
            f"{django.get_version()}, gunicorn {gunicorn_package.__version__}, "
            f"{os.cpu_count()} CPUs"
        )
        print(
            f"Site: SQLite in {workdir}, seeded in {time.monotonic() - started:.1f} s; cache: "
            + ("Redis" if args.redis_url else "local memory, one per worker")
        )
        print(
            f"Server: gunicorn, {args.workers} sync workers, DEBUG off. Load: {client.name}, "
            f"{args.concurrency} connections, {args.warmup} s warm-up + {args.seconds} s "
            f"measured per page, loopback, Accept-Encoding: {args.accept_encoding or '(none)'}."
        )
        print(
            "Uncached: a second server with NEWSROOM_PAGE_CACHE_SECONDS = 0 "
            "(bench/settings.py), so no request touches the page cache."
        )
        print(f"Load average before: {load()} (other work on the machine skews the figures)")
        try:
            rows, shown = run(args, client, env, workdir / "gunicorn.log")
        except RuntimeError as error:
            print(f"\nThe benchmark stopped: {error}", file=sys.stderr)
            return 1
        except subprocess.CalledProcessError as error:
            print(f"\nThe load generator failed: {error}\n{error.stderr}", file=sys.stderr)
            return 1
        print(f"Load average after: {load()}")
        report(rows, shown)
        if args.profile:
            profile_article()
    return 0


if __name__ == "__main__":
    sys.exit(main())
