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
import gzip
import http.client
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harness import HOST, ROOT, free_port, gunicorn_command, serve, site_env, tail
from load_clients import Tally, ThreadClient, WrkClient, served_as
from page_profile import profile_article
from page_site import COMMENTED_SLUG, seed

TRIVIAL = "/bench/trivial/"
FRONT = "/"
ARTICLE = f"/articles/{COMMENTED_SLUG}/"
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"  # Chromium's Accept-Encoding
SAMPLE = 8  # requests checked one by one after each wrk run
# The issue's targets, as ratios to the trivial view.
CACHED_TARGET = 0.80
UNCACHED_TARGET = 0.15

# --- the site ---------------------------------------------------------------------------


def configure_django(workdir: Path, redis_url: str) -> dict[str, str]:
    """Point this process at the benchmark's database; return the servers' environment."""
    env = site_env(
        workdir / "bench.sqlite3",
        "bench.settings",
        BENCH_STATIC_ROOT=str(workdir / "static"),
        ALLOWED_HOSTS=f"{HOST},localhost,testserver",
        # Production settings, except that loopback speaks plain HTTP.
        SECURE_SSL_REDIRECT="0",
        REDIS_URL=redis_url,
        # A fresh key space: pages another run left in a shared Redis are never served.
        CACHE_KEY_PREFIX=f"bench-{secrets.token_hex(4)}",
        # Empty: the site's own page cache lifetime (bench/settings.py).
        BENCH_PAGE_CACHE_SECONDS="",
    )
    # This process only seeds and profiles: it renders uncached pages.
    os.environ.update(env, BENCH_PAGE_CACHE_SECONDS="0")
    # Run as a script, this process has bench/ on its path, not the project it seeds.
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return env


# --- the servers ------------------------------------------------------------------------


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
    """Serve the site with sync workers on a free loopback port; always stop the server."""
    port = free_port()

    def ready() -> bool:
        status = get(port, TRIVIAL)[0]
        if status != 200:
            raise RuntimeError(f"the trivial view answered {status}, not 200:\n{tail(log)}")
        return True

    command = gunicorn_command(port, workers, "--worker-class", "sync")
    with serve(command, env, log, ready) as server:
        yield Server(port, server.pid)


# --- the load ---------------------------------------------------------------------------


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
            profile_article(ARTICLE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
