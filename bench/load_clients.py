"""The load generators bench/pages.py measures a page with: wrk when installed, or Python
threads; each returns a tally of requests, failures, latency and what was served.
"""

from __future__ import annotations

import http.client
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from harness import HOST

CACHE_HEADER = "X-Newsroom-Cache"

# Only a summary at the end: a response() callback would make wrk copy every body into Lua,
# costing the client CPU that the server needs (the client shares the machine's cores).
WRK_SCRIPT = """\
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("tally %d %d %d %d %d\\n", summary.duration, summary.requests,
    e.status, e.connect + e.read + e.write + e.timeout, latency.mean))
end
"""


def served_as(headers: dict[str, str]) -> str:
    """The page cache's verdict, and the encoding when compressed: 'hit gzip'."""
    return " ".join(filter(None, [headers.get(CACHE_HEADER, "-"), headers.get("Content-Encoding")]))


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
