"""The page cache's version numbers: what invalidates cached pages, and how a lost
invalidation is delivered once the cache is back.

A page is stored under the current *site version* (bumped whenever published content,
sections, authors, tags or redirects change) and, for an article, its *article version*
(bumped when its comments change), so a comment flood only refreshes one page. Each entry
is stored with the versions it was rendered under, and looked up together with the
current ones, so a hit takes one round trip to the cache; an entry whose versions are
out of date is a miss, and is overwritten.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterable

from django.core.cache import cache
from django.db import DatabaseError, connection

from .. import conf

logger = logging.getLogger(__name__)

SITE_VERSION = "newsroom:v:site"


def article_key(slug: str) -> str:
    """The cache key of an article's version."""
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
            from ..models import UndeliveredInvalidation

            UndeliveredInvalidation.objects.get_or_create(key=recorded_key(key))
        except DatabaseError:
            logger.warning("Could not record the undelivered invalidation %s either.", key)


def recorded_key(key: str) -> str:
    """How the database records an invalidation: the key as this site's cache stores it
    (with its KEY_PREFIX), so that only processes sharing that cache deliver it and clear
    the record, never a site on the same database with a cache of its own."""
    return cache.make_key(key)


def deliver_invalidations() -> None:
    """Send the invalidations this process could not; raises while the cache is still
    unreachable. On a cache hit this looks at a set in memory, and nothing else, but for a
    process's first look-up: its watcher has not looked yet, so it looks in the database
    itself before trusting the cache."""
    first_look = _watcher is None and start_watcher()
    if first_look or _undelivered:
        deliver_recorded()


def deliver_recorded() -> None:
    """Send this process's undelivered invalidations and those recorded in the database by
    any process; raises while the cache is still unreachable."""
    from ..models import UndeliveredInvalidation

    with _lock:
        keys = set(_undelivered)
    try:
        prefix = recorded_key("")
        found = UndeliveredInvalidation.objects.filter(key__startswith=prefix)
        recorded = {key[len(prefix) :]: pk for key, pk in found.values_list("key", "pk")}
    except DatabaseError:
        recorded = {}  # cached pages are served without the database: keep serving them
    keys |= set(recorded)
    with _lock:
        # Should sending fail, this process's look-ups send them before trusting the cache.
        _undelivered.update(keys)
    for key in sorted(keys):
        _incr(key)
        with _lock:
            _undelivered.discard(key)
    if recorded:
        UndeliveredInvalidation.objects.filter(pk__in=recorded.values()).delete()
    if keys:
        logger.warning("Page cache reachable again: %d invalidations delivered.", len(keys))


def start_watcher() -> bool:
    """Start this process's watcher thread (a forked worker starts its own), unless
    ``NEWSROOM_CACHE_WATCHER`` is off; True if it started one."""
    global _watcher
    with _lock:
        if _watcher is not None:
            return False
        _watcher = watcher = object()
    if not conf.get("CACHE_WATCHER"):
        return False
    threading.Thread(
        target=_watch, args=(watcher,), name="newsroom-cache-watcher", daemon=True
    ).start()
    return True


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
        _bump(article_key(slug))


def lookup(article_slug: str | None, keys: Iterable[str]) -> tuple[str, dict]:
    """The current versions and those of ``keys``' entries that are current, in one round
    trip to the cache."""
    version_keys = [SITE_VERSION] + ([article_key(article_slug)] if article_slug else [])
    keys = list(keys)
    found = cache.get_many(version_keys + keys)
    versions = ".".join(str(found.get(key, 0)) for key in version_keys)
    current = {}
    for key in keys:
        entry = found.get(key)
        if entry is not None and entry[0] == versions:
            current[key] = entry[1]
    return versions, current
