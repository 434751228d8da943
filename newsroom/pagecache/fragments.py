"""Parts of a page kept in the cache on their own (an article's comment list, its form),
for the readers whose whole page cannot be shared.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache

from .. import conf
from .versions import deliver_invalidations, lookup

logger = logging.getLogger(__name__)


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

    def get(self, name: str) -> Any:
        """The cached part, or None (not wanted, missing or out of date)."""
        key = self.keys.get(name)
        return None if key is None else self.found.get(key)

    def keep(self, name: str, value: Any) -> None:
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
