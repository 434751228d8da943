"""Whole-page caching for anonymous readers, invalidated by version numbers.

A page is stored under the current *site version* (bumped whenever published content,
sections, authors, tags or redirects change) and, for an article, its *article version*
(bumped when its comments change), so a comment flood only refreshes one page. The
per-request parts of a page (the CSRF token and the comment form's signed timestamp) are
stored as placeholders and filled in on every hit: a cached page never hands one
visitor's token to another.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from . import conf

logger = logging.getLogger(__name__)

SITE_VERSION = "newsroom:v:site"
CSRF_PLACEHOLDER = "__newsroom_csrf__"
FORM_TOKEN = re.compile(r"__newsroom_form_token_(\d+)__")
CACHE_HIT_HEADER = "X-Newsroom-Cache"


def form_token_placeholder(article_id: int) -> str:
    return f"__newsroom_form_token_{article_id}__"


def _article_key(slug: str) -> str:
    return f"newsroom:v:article:{slug}"


# Invalidations that could not reach the cache wait in the database (and in this process,
# should the database be down too); every process delivers them before it trusts the cache
# again. A process that saw no failure looks for them every NEWSROOM_CACHE_RECOVERY_SECONDS.
_undelivered: set[str] = set()
_lock = threading.Lock()
_next_check = time.monotonic()


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
    """Send invalidations that failed earlier; raises while the cache is still unreachable."""
    global _next_check
    now = time.monotonic()
    if not _undelivered and now < _next_check:
        return
    from .models import UndeliveredInvalidation

    _next_check = now + conf.get("CACHE_RECOVERY_SECONDS")
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


def bump_site() -> None:
    """Published content changed: every cached page is stale."""
    _bump(SITE_VERSION)


def bump_articles(slugs: Iterable[str]) -> None:
    """Comments changed on these articles: their pages are stale."""
    for slug in set(slugs):
        _bump(_article_key(slug))


def _versions(article_slug: str | None) -> str:
    keys = [SITE_VERSION] + ([_article_key(article_slug)] if article_slug else [])
    found = cache.get_many(keys)
    return ".".join(str(found.get(key, 0)) for key in keys)


def get_fragments(article_slug: str, wanted: dict[str, tuple]) -> dict[str, tuple]:
    """Look up parts of an article's page that change with the content and its comments.

    ``wanted`` maps each part's name to what else its content depends on. All are looked
    up together (two round trips to the cache however many parts). Each name gets its key
    (None when the cache is unreachable: then render in full, store nothing) and the
    cached value (None when missing).
    """
    try:
        deliver_invalidations()
        versions = _versions(article_slug)
        keys = {
            name: ":".join(["newsroom:fragment", name, versions, article_slug, *map(str, parts)])
            for name, parts in wanted.items()
        }
        found = cache.get_many(list(keys.values())) if keys else {}
        return {name: (key, found.get(key)) for name, key in keys.items()}
    except Exception:
        logger.warning("Page cache unreachable: rendering in full.", exc_info=True)
        return dict.fromkeys(wanted, (None, None))


def set_fragment(key: str, value) -> None:
    try:
        cache.set(key, value, conf.get("FRAGMENT_CACHE_SECONDS"))
    except Exception:
        logger.warning("Page cache unreachable: fragment not stored.", exc_info=True)


def reader_may_be_cached(request: HttpRequest) -> bool:
    """Anonymous readers with nothing personal to see: no session (so no pending comment of
    their own, not logged in) and no message waiting for them."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and conf.get("PAGE_CACHE_SECONDS") > 0
    )


PLACEHOLDER = re.compile(rf"({CSRF_PLACEHOLDER}|__newsroom_form_token_\d+__)")


def split_page(content: str) -> list[bytes | str]:
    """The page as encoded text with its placeholders in between (at the odd positions), so
    a cache hit only joins bytes."""
    parts = PLACEHOLDER.split(content)
    return [part if i % 2 else part.encode() for i, part in enumerate(parts)]


def fill_placeholders(request: HttpRequest, parts: list[bytes | str]) -> bytes:
    from .forms import form_token

    def value(placeholder: str) -> bytes:
        if placeholder == CSRF_PLACEHOLDER:
            return get_token(request).encode()
        return form_token(int(FORM_TOKEN.match(placeholder).group(1))).encode()

    return b"".join(part if isinstance(part, bytes) else value(part) for part in parts)


def seconds_until(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    return max(1, int((moment - timezone.now()).total_seconds()) + 1)


def cache_public_page(
    article_slug: Callable[[dict], str | None] = lambda kwargs: None,
    expires: Callable[[], datetime | None] | None = None,
):
    """Cache a reader page's 200 responses for anonymous readers.

    ``article_slug`` names the article whose comments the page shows (from the URL's
    kwargs); ``expires`` gives a moment the page must be rebuilt by, such as the next
    scheduled publication on a listing page.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not reader_may_be_cached(request):
                return view(request, *args, **kwargs)
            try:
                deliver_invalidations()
                # Hashed: a URL can be longer than a cache key may be.
                path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
                key = f"newsroom:page:{_versions(article_slug(kwargs))}:{path}"
                cached = cache.get(key)
            except Exception:
                logger.warning("Page cache unreachable: serving uncached.", exc_info=True)
                return view(request, *args, **kwargs)
            if cached is not None:
                content_type, parts = cached
                body = fill_placeholders(request, parts)
                response = HttpResponse(body, content_type=content_type)
                response[CACHE_HIT_HEADER] = "hit"
                return response

            request.newsroom_cache_placeholders = True
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if response.status_code == 200 and not response.cookies:
                parts = split_page(response.content.decode(response.charset))
                timeout = conf.get("PAGE_CACHE_SECONDS")
                until = seconds_until(expires()) if expires else None
                if until is not None:
                    timeout = min(timeout, until)
                try:
                    cache.set(key, (response["Content-Type"], parts), timeout)
                except Exception:
                    logger.warning("Page cache unreachable: page not stored.", exc_info=True)
                response.content = fill_placeholders(request, parts)
                response[CACHE_HIT_HEADER] = "miss"
            return response

        return wrapper

    return decorator
