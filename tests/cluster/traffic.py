"""Background traffic for the fault scenarios: posters and readers working on app servers
until stopped, recording every answer, so that a fault lands on a site under load.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter

from .client import Post, Reader, comment_body, post_comment
from .site import Site


class Traffic:
    """Posters and readers working on ``ports`` until stopped (or ``max_seconds``). Every
    post comes from a new client address, so the rate limit never refuses one; each loop
    sleeps ``pause`` between requests and stops after 2000."""

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

    def __enter__(self) -> Traffic:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def summary(self) -> str:
        posts = Counter(
            p.status or (f"page {p.page_status}, no form" if p.page_status else "no answer")
            for p in self.posts
        )
        pages = Counter(status for _when, status, _cache in self.pages)
        return f"posts {dict(posts)}, page loads {dict(pages)}, errors {len(self.errors)}"
