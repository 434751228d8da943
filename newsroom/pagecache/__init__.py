"""The page cache: whole reader pages and their shared parts for anonymous readers, with
per-visitor tokens filled in on every hit, invalidated by version numbers.

This module is its public API. ``cache_public_page`` caches a view's pages and
``PageCacheMiddleware`` serves them early, ``expires_by`` ends a page's entry at a time
(its item's expiry); ``Fragments`` keeps parts of a page;
``bump_site`` and ``bump_articles`` invalidate; ``register_placeholder`` lets another
package add a kind of per-visitor value, which templates mark with ``marks_for``.
"""

from __future__ import annotations

from .fragments import Fragments
from .middleware import PageCacheMiddleware
from .pages import (
    CACHE_HIT_HEADER,
    STATE_KEY,
    PageState,
    cache_public_page,
    expires_by,
    marks_for,
    page_state,
)
from .placeholders import CSRF, Marks, fill_placeholders, placeholder
from .placeholders import register as register_placeholder
from .versions import bump_articles, bump_site

__all__ = [
    "CACHE_HIT_HEADER",
    "CSRF",
    "STATE_KEY",
    "Fragments",
    "Marks",
    "PageCacheMiddleware",
    "PageState",
    "bump_articles",
    "bump_site",
    "cache_public_page",
    "expires_by",
    "fill_placeholders",
    "marks_for",
    "page_state",
    "placeholder",
    "register_placeholder",
]
