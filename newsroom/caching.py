"""Whole-page caching for anonymous readers, invalidated by version numbers.

A page is stored under the current *site version* (bumped whenever published content,
sections, authors, tags or redirects change) and, for an article, its *article version*
(bumped when its comments change), so a comment flood only refreshes one page. Each entry
is stored with the versions it was rendered under, and looked up together with the
current ones, so a hit takes one round trip to the cache; an entry whose versions are
out of date is a miss, and is overwritten.

The per-request parts of a page (the CSRF token and the comment form's signed timestamp)
are stored as placeholders and filled in on every hit: a cached page never hands one
visitor's token to another. The placeholders are found once, when the page is stored, by
marks that carry a random nonce drawn for that rendering (``Marks``); reader text, stored
before the nonce existed, cannot contain one, so it can never be taken for a placeholder.
A page is kept twice, as text and compressed with gzip (``compression``), for readers
whose browser accepts that.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers

from . import compression, conf
from .csrf import get_token

logger = logging.getLogger(__name__)

SITE_VERSION = "newsroom:v:site"
CACHE_HIT_HEADER = "X-Newsroom-Cache"
ENCODINGS = ("identity", "gzip")
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _article_key(slug: str) -> str:
    return f"newsroom:v:article:{slug}"


# Invalidations that could not reach the cache wait in the database (and in this process,
# should the database be down too). The process that failed sends them again on its next
# look-up; every process also runs a watcher thread that looks for them in the database
# every NEWSROOM_CACHE_RECOVERY_SECONDS and sends them, so that a cache hit never queries
# the database and a process that saw no failure still stops serving the stale pages.
_undelivered: set[str] = set()
_lock = threading.Lock()
_watcher: object | None = None  # this process's watcher thread's token


def _incr(key: str) -> None:
    try:
        if not cache.add(key, 1, timeout=None):
            cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=None)


def _bump(key: str) -> None:
    try:
        _incr(key)
    except Exception:
        logger.warning(
            "Page cache unreachable: could not invalidate %s; will retry.", key, exc_info=True
        )
        with _lock:
            _undelivered.add(key)
        try:
            from .models import UndeliveredInvalidation

            UndeliveredInvalidation.objects.get_or_create(key=key)
        except DatabaseError:
            logger.warning("Could not record the undelivered invalidation %s either.", key)


def deliver_invalidations() -> None:
    """Send the invalidations this process could not; raises while the cache is still
    unreachable. On a cache hit this looks at a set in memory, and nothing else."""
    if _watcher is None:
        start_watcher()
    if _undelivered:
        deliver_recorded()


def deliver_recorded() -> None:
    """Send this process's undelivered invalidations and those recorded in the database by
    any process; raises while the cache is still unreachable."""
    from .models import UndeliveredInvalidation

    with _lock:
        keys = set(_undelivered)
    try:
        recorded = dict(UndeliveredInvalidation.objects.values_list("key", "pk"))
    except DatabaseError:
        recorded = {}  # cached pages are served without the database: keep serving them
    keys |= set(recorded)
    for key in sorted(keys):
        _incr(key)
        with _lock:
            _undelivered.discard(key)
    if recorded:
        UndeliveredInvalidation.objects.filter(pk__in=recorded.values()).delete()
    if keys:
        logger.warning("Page cache reachable again: %d invalidations delivered.", len(keys))


def start_watcher() -> None:
    """Start this process's watcher thread (a forked worker starts its own), unless
    ``NEWSROOM_CACHE_WATCHER`` is off."""
    global _watcher
    with _lock:
        if _watcher is not None:
            return
        _watcher = watcher = object()
    if conf.get("CACHE_WATCHER"):
        threading.Thread(
            target=_watch, args=(watcher,), name="newsroom-cache-watcher", daemon=True
        ).start()


def stop_watcher() -> None:
    """Stop this process's watcher thread after its current look; the next look-up in the
    page cache starts another."""
    global _watcher
    _watcher = None


os.register_at_fork(after_in_child=stop_watcher)  # threads do not survive a fork


def _watch(watcher: object) -> None:
    while True:
        time.sleep(conf.get("CACHE_RECOVERY_SECONDS"))
        if _watcher is not watcher:
            return
        try:
            deliver_recorded()
        except Exception:  # the cache or the database still down: try again next time
            logger.debug("Undelivered invalidations not sent yet.", exc_info=True)
        finally:
            # The thread's own connection, never left open between looks.
            with contextlib.suppress(Exception):
                connection.close()


def bump_site() -> None:
    """Published content changed: every cached page is stale."""
    _bump(SITE_VERSION)


def bump_articles(slugs: Iterable[str]) -> None:
    """Comments changed on these articles: their pages are stale."""
    for slug in set(slugs):
        _bump(_article_key(slug))


def lookup(article_slug: str | None, keys: Iterable[str]) -> tuple[str, dict]:
    """The current versions and those of ``keys``' entries that are current, in one round
    trip to the cache."""
    version_keys = [SITE_VERSION] + ([_article_key(article_slug)] if article_slug else [])
    keys = list(keys)
    found = cache.get_many(version_keys + keys)
    versions = ".".join(str(found.get(key, 0)) for key in version_keys)
    current = {}
    for key in keys:
        entry = found.get(key)
        if entry is not None and entry[0] == versions:
            current[key] = entry[1]
    return versions, current


class Fragments:
    """Parts of an article's page that change with the content and its comments: what the
    cache holds of them, and what to keep of this request's rendering.

    ``wanted`` maps each part's name to what else its content depends on. All are looked
    up together and kept together: one round trip to the cache each. When the cache is
    unreachable, every part is rendered and nothing is kept.
    """

    def __init__(self, article_slug: str, wanted: dict[str, tuple]) -> None:
        self.keys = {
            name: ":".join(["newsroom:fragment", name, article_slug, *map(str, parts)])
            for name, parts in wanted.items()
        }
        self.versions: str | None = None
        self.found: dict = {}
        self.kept: dict = {}
        try:
            deliver_invalidations()
            self.versions, self.found = lookup(article_slug, self.keys.values())
        except Exception:
            logger.warning("Page cache unreachable: rendering in full.", exc_info=True)

    def get(self, name: str):
        """The cached part, or None (not wanted, missing or out of date)."""
        key = self.keys.get(name)
        return None if key is None else self.found.get(key)

    def keep(self, name: str, value) -> None:
        if name in self.keys and self.versions is not None:
            self.kept[self.keys[name]] = (self.versions, value)

    def save(self) -> None:
        if not self.kept:
            return
        try:
            cache.set_many(self.kept, conf.get("FRAGMENT_CACHE_SECONDS"))
        except Exception:
            logger.warning("Page cache unreachable: page parts not stored.", exc_info=True)
        self.kept = {}


def personal(request: HttpRequest) -> bool:
    """A reader with a session or a message waiting: what they see may be theirs alone."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES


def reader_may_be_cached(request: HttpRequest) -> bool:
    """Anonymous readers with nothing personal to see: no session (so no pending comment of
    their own, not logged in) and no message waiting for them."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and conf.get("PAGE_CACHE_SECONDS") > 0
    )


# What a stored page's placeholders stand for: the CSRF token, or the comment form's token
# for an article ("form-42").
CSRF = "csrf"
FORM_TOKEN = re.compile(r"form-([0-9]{1,19})")


def form_placeholder(article_id: int) -> str:
    return f"form-{article_id}"


_MARKED = re.compile(r"csrf|form-[0-9]{1,19}")


class Marks:
    """The marks one rendering puts where per-visitor values go.

    Each rendering draws its own nonce, and the page is split at its marks once, when it is
    stored; the stored page keeps the placeholders' names (``CSRF``, ``form-42``) between
    its pieces of text. Text a reader wrote was stored before the nonce was drawn, so no
    comment, title or tag can hold a mark: what looks like one in reader text stays text.
    The marks are made of letters, digits and hyphens, which every escaping leaves as they
    are.
    """

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(16)
        self._prefix = f"newsroom-{self.nonce}-"

    def mark(self, placeholder: str) -> str:
        return self._prefix + placeholder

    def split(self, content: str) -> list[bytes | str]:
        """The page as encoded text with its placeholders' names in between (at the odd
        positions), so that a cache hit only joins bytes."""
        pieces = content.split(self._prefix)
        parts: list[bytes | str] = [pieces[0].encode()]
        for piece in pieces[1:]:
            name = _MARKED.match(piece)
            if name is None:  # only this rendering writes the prefix, always with a name
                raise ValueError(f"A page mark without a placeholder: {piece[:40]!r}")
            parts += [name.group(), piece[name.end() :].encode()]
        return parts

    def join(self, parts: Iterable[bytes | str]) -> str:
        """Parts split from another rendering, as text marked for this one."""
        return "".join(
            self.mark(part) if isinstance(part, str) else part.decode() for part in parts
        )


def marks_for(request: HttpRequest) -> Marks | None:
    """The marks of the page being rendered for the cache in this request, if any."""
    return getattr(request, "newsroom_marks", None)


class FillError(ValueError):
    """A stored page holds a placeholder this version does not know how to fill."""


def placeholder_values(request: HttpRequest, parts: Iterable[bytes | str]) -> dict[str, bytes]:
    """What each placeholder among ``parts`` stands for in this request."""
    from .discussion.forms import form_token

    values = {}
    for part in parts:
        if isinstance(part, str) and part not in values:
            if part == CSRF:
                values[part] = get_token(request).encode()
            elif match := FORM_TOKEN.fullmatch(part):
                values[part] = form_token(int(match.group(1))).encode()
            else:
                raise FillError(f"Unknown placeholder {part[:40]!r} in a stored page.")
    return values


def fill_placeholders(request: HttpRequest, parts: list[bytes | str]) -> bytes:
    values = placeholder_values(request, parts)
    return b"".join(part if isinstance(part, bytes) else values[part] for part in parts)


def accepts_gzip(request: HttpRequest) -> bool:
    # Read as Django's GZipMiddleware reads it.
    return bool(ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def _fill(request: HttpRequest, response: HttpResponse, stored, gzipped: bool) -> None:
    """Give ``response`` the kept page (``stored``: its parts, or its compressed form) with
    this request's values in place of the placeholders. Raises ``FillError`` for a
    placeholder it does not know."""
    if gzipped:
        names = compression.placeholders(stored)
        response.content = compression.assemble(stored, placeholder_values(request, names))
        response["Content-Encoding"] = "gzip"
    else:
        names = stored
        response.content = fill_placeholders(request, stored)
    if any(isinstance(name, str) for name in names):
        # This visitor's own tokens: no shared cache (a proxy, a CDN) may keep the page.
        response["Cache-Control"] = "private"
    patch_vary_headers(response, ["Accept-Encoding"])


def seconds_until(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    return max(1, int((moment - timezone.now()).total_seconds()) + 1)


def page_address(request: HttpRequest, query: Iterable[str]) -> str:
    """What a cached page is kept under: scheme, host, path, and of the query string only
    the parameters the page reads (``query``), in a fixed order. Tracking parameters
    (``utm_*``, ``gclid``) and anything else a link adds give the same page, so they
    neither miss the cache nor fill it with copies."""
    params = [(name, request.GET[name]) for name in query if name in request.GET]
    address = f"{request.scheme}://{request.get_host()}{request.path}"
    return f"{address}?{urlencode(params)}" if params else address


class CachedPage:
    """A page's entry in the page cache, as looked up for one request: served on a hit,
    stored after a miss."""

    def __init__(
        self, request: HttpRequest, article_slug: str | None, query: Iterable[str] = ()
    ) -> None:
        self.gzipped = accepts_gzip(request)
        # The page's absolute links (canonical, Open Graph) are made from the scheme and
        # host. Hashed: a URL can be longer than a cache key may be (and a short key is
        # quicker to check).
        address = page_address(request, query)
        digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
        self.keys = {encoding: f"newsroom:page:{digest}:{encoding}" for encoding in ENCODINGS}
        self.wanted = self.keys["gzip" if self.gzipped else "identity"]
        deliver_invalidations()
        self.versions, found = lookup(article_slug, [self.wanted])
        self.stored = found.get(self.wanted)

    @classmethod
    def look_up(
        cls, request: HttpRequest, article_slug: str | None, query: Iterable[str] = ()
    ) -> CachedPage | None:
        """The page's entry; None when the cache is unreachable (then serve uncached)."""
        try:
            return cls(request, article_slug, query)
        except Exception:
            logger.warning("Page cache unreachable: serving uncached.", exc_info=True)
            return None

    def response(self, request: HttpRequest) -> HttpResponse | None:
        """The kept page, for this request (a hit); None if it cannot be filled in, and
        then the page is served uncached (and stored anew)."""
        content_type, stored = self.stored
        response = HttpResponse(content_type=content_type)
        try:
            _fill(request, response, stored, self.gzipped)
        except Exception:
            logger.exception("A cached page could not be filled in: serving it uncached.")
            self.stored = None
            return None
        response[CACHE_HIT_HEADER] = "hit"
        return response

    def keep(self, request: HttpRequest, marks: Marks, response, expires: datetime | None):
        """Store the view's response (rendered with ``marks``) if it can be shared, and
        return it filled in for this request (a miss)."""
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code != 200:
            return response
        parts = marks.split(response.content.decode(response.charset))
        if response.cookies:  # something personal: not kept
            _fill(request, response, parts, gzipped=False)
            return response
        content_type = response["Content-Type"]
        entries = {
            self.keys["identity"]: (self.versions, (content_type, parts)),
            self.keys["gzip"]: (self.versions, (content_type, compression.compress(parts))),
        }
        timeout = conf.get("PAGE_CACHE_SECONDS")
        until = seconds_until(expires)
        if until is not None:
            timeout = min(timeout, until)
        try:
            cache.set_many(entries, timeout)
        except Exception:
            logger.warning("Page cache unreachable: page not stored.", exc_info=True)
        _fill(request, response, entries[self.wanted][1][1], self.gzipped)
        response[CACHE_HIT_HEADER] = "miss"
        return response


@dataclass(frozen=True)
class PageRoute:
    """How a cached page view keys its pages: the article whose comments it shows (from
    the URL's kwargs) and the query parameters it reads."""

    article_slug: Callable[[dict], str | None]
    query: tuple[str, ...]


def cache_public_page(
    article_slug: Callable[[dict], str | None] = lambda kwargs: None,
    expires: Callable[[], datetime | None] | None = None,
    query: Iterable[str] = (),
):
    """Cache a reader page's 200 responses for anonymous readers.

    ``article_slug`` names the article whose comments the page shows (from the URL's
    kwargs); ``expires`` gives a moment the page must be rebuilt by, such as the next
    scheduled publication on a listing page; ``query`` names the query parameters the
    page reads (``page``): any others are left out of the cache key. ``PageCacheMiddleware``
    serves the same entries earlier in the request.
    """
    route = PageRoute(article_slug, tuple(query))

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not reader_may_be_cached(request):
                response = view(request, *args, **kwargs)
                if personal(request):
                    # Their messages, their pending comments, a staff preview.
                    patch_cache_control(response, private=True)
                return response
            # The middleware may have looked the page up already (and found it missing).
            page = getattr(request, "newsroom_page", None)
            if page is None:
                page = CachedPage.look_up(request, article_slug(kwargs), route.query)
            if page is None:
                return view(request, *args, **kwargs)
            if page.stored is not None:
                response = page.response(request)
                if response is not None:
                    return response
            marks = request.newsroom_marks = Marks()
            response = view(request, *args, **kwargs)
            return page.keep(request, marks, response, expires() if expires else None)

        wrapper.newsroom_page_route = route
        return wrapper

    return decorator


def cached_page_route(path: str, urlconf: str | None) -> tuple[str | None, tuple] | None:
    """For a path that a cached page view answers, the article whose comments it shows (or
    None) and the query parameters the page reads; None for any other path."""
    resolver = get_resolver(urlconf)
    if len(path) > REMEMBERED_PATH_LENGTH:
        return _cached_page_route.__wrapped__(resolver, path)
    return _cached_page_route(resolver, path)


# URL resolution costs more than the rest of a cache hit: remember it per path (up to a
# length, so that the memory it takes stays small). Keyed on the resolver, which Django
# replaces whenever the URLconf changes (clear_url_caches).
REMEMBERED_PATH_LENGTH = 300


@functools.lru_cache(maxsize=4096)
def _cached_page_route(resolver, path: str) -> tuple[str | None, tuple] | None:
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return None
    route = getattr(match.func, "newsroom_page_route", None)
    return None if route is None else (route.article_slug(match.kwargs), route.query)
