"""Whole pages in the cache for anonymous readers: their keys, their entries, the view
decorator that stores them and the routes the middleware serves them by.

A page is kept twice, as text with placeholders between its pieces (``placeholders``) and
compressed with gzip (``gzip``), for readers whose browser accepts that; either is stored
with the versions it was rendered under (``versions``). What one request needs of the page
cache is one ``PageState``, kept in ``request.META`` under ``STATE_KEY``.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers

from .. import conf
from . import gzip
from .placeholders import Marks, fill_placeholders, placeholder_values
from .versions import deliver_invalidations, lookup

logger = logging.getLogger(__name__)

CACHE_HIT_HEADER = "X-Newsroom-Cache"
ENCODINGS = ("identity", "gzip")
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# A WSGI environ extension key (PEP 3333: lowercase, prefixed with the package's name).
STATE_KEY = "newsroom.pagecache"


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


def accepts_gzip(request: HttpRequest) -> bool:
    # Read as Django's GZipMiddleware reads it.
    return bool(ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def _fill(request: HttpRequest, response: HttpResponse, stored, gzipped: bool) -> None:
    """Give ``response`` the kept page (``stored``: its parts, or its compressed form) with
    this request's values in place of the placeholders. Raises ``FillError`` for a
    placeholder it does not know."""
    if gzipped:
        names = gzip.placeholders(stored)
        response.content = gzip.assemble(stored, placeholder_values(request, names))
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

    def keep(
        self,
        request: HttpRequest,
        marks: Marks,
        response: HttpResponse,
        expires: datetime | None,
    ) -> HttpResponse:
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
            self.keys["gzip"]: (self.versions, (content_type, gzip.compress(parts))),
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


@dataclass(slots=True)
class PageState:
    """What one request needs of the page cache between the middleware, the view
    decorator and the templates: the page's entry as looked up (a miss, which the view
    renders and stores) and the marks of the rendering being stored."""

    page: CachedPage | None = None
    marks: Marks | None = None
    expires: datetime | None = None  # set by the view: its content's own end (an expiry)


def page_state(request: HttpRequest) -> PageState:
    """This request's state in the page cache, made on first use."""
    state = request.META.get(STATE_KEY)
    if state is None:
        state = request.META[STATE_KEY] = PageState()
    return state


def expires_by(request: HttpRequest, moment: datetime | None) -> None:
    """The page this request renders must not be served after ``moment`` (the expiry time
    of the item it shows, say): its cache entry ends then. None changes nothing."""
    if moment is None:
        return
    state = page_state(request)
    state.expires = moment if state.expires is None else min(state.expires, moment)


def earliest(*moments: datetime | None) -> datetime | None:
    return min((moment for moment in moments if moment is not None), default=None)


def marks_for(request: HttpRequest | None) -> Marks | None:
    """The marks of the page being rendered for the cache in this request, if any."""
    state = None if request is None else request.META.get(STATE_KEY)
    return None if state is None else state.marks


@dataclass(frozen=True)
class PageRoute:
    """How a cached page view keys its pages: the article whose comments it shows (from
    the URL's kwargs) and the query parameters it reads."""

    article_slug: Callable[[dict], str | None]
    query: tuple[str, ...]


# The cached page views, each with its route, filled by ``cache_public_page``: the
# middleware finds a path's view by resolving it, and its route here.
_routes: dict[Callable, PageRoute] = {}


def cache_public_page(
    article_slug: Callable[[dict], str | None] = lambda kwargs: None,
    expires: Callable[[], datetime | None] | None = None,
    query: Iterable[str] = (),
) -> Callable[[Callable], Callable]:
    """Cache a reader page's 200 responses for anonymous readers.

    ``article_slug`` names the article whose comments the page shows (from the URL's
    kwargs); ``expires`` gives a moment the page must be rebuilt by, such as the next
    scheduled publication or expiry on a listing page (a view can name one of its own with
    ``expires_by``, such as its item's expiry); ``query`` names the query parameters the
    page reads (``page``): any others are left out of the cache key. ``PageCacheMiddleware``
    serves the same entries earlier in the request.
    """
    route = PageRoute(article_slug, tuple(query))

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not reader_may_be_cached(request):
                response = view(request, *args, **kwargs)
                if personal(request):
                    # Their messages, their pending comments, a staff preview.
                    patch_cache_control(response, private=True)
                return response
            state = page_state(request)
            # The middleware may have looked the page up already (and found it missing).
            page = state.page
            if page is None:
                page = CachedPage.look_up(request, article_slug(kwargs), route.query)
            if page is None:
                return view(request, *args, **kwargs)
            if page.stored is not None:
                response = page.response(request)
                if response is not None:
                    return response
            marks = state.marks = Marks()
            response = view(request, *args, **kwargs)
            until = earliest(expires() if expires else None, state.expires)
            return page.keep(request, marks, response, until)

        _routes[wrapper] = route
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
    route = _routes.get(match.func)
    return None if route is None else (route.article_slug(match.kwargs), route.query)
