"""Simulated readers for the cluster tests: an HTTP client with its own cookies, the comment
form filled in and posted, and what the site answered (status, reason, latency).
"""

from __future__ import annotations

import html
import http.client
import re
import secrets
import statistics
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from .processes import HOST

# The site's public name, which the proxy in front of every app server passes on; each
# server's own address differs by its port.
SITE_HOST = "news.localhost"
WORDS = ["water", "school", "budget", "council", "road", "festival", "report", "energy"]
RATE_LIMITED = "posting too quickly"
DB_DOWN_PAGE = "cannot reach its database"

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
            "User-Agent": "newsroom-cluster-test",
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


def form_fields(page: Response) -> dict[str, str]:
    """The comment form's hidden fields a post must send back: CSRF and the form token."""
    fields = hidden_inputs(page.body)
    return {"csrfmiddlewaretoken": fields.get("csrfmiddlewaretoken", ""), "token": fields["token"]}


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
    """A comment nobody else posts: ``label``, a random tag and a few ordinary words."""
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
    """Read the article on ``port`` and post a comment as ``reader``; never raises on I/O."""
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
