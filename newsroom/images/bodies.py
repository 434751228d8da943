"""Pictures a Markdown body shows from another server (``![alt](https://…/a.jpg)``): recorded
in the library to be fetched, and once fetched, the body places the library image instead
(``![alt](image:42)``). A picture that could not be fetched stays as it was written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import kinds, revisions
from ..models import Image, Publishable, Revision
from . import library

# ![alt](URL) or ![alt](<URL> "title"): what Python-Markdown reads as an image with a URL.
_URL_IMAGE = re.compile(
    r"!\[(?P<alt>[^\]\n]*)\]\(\s*<?(?P<url>https?://[^\s()<>]+)>?"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
)
CHUNK = 500


def image_urls(body: str) -> list[str]:
    """The URLs of the pictures ``body`` shows, each once, in order.

    >>> image_urls('![a](https://x.org/a.jpg) ![b](<https://x.org/b.png> "B") [c](https://x.org/c)')
    ['https://x.org/a.jpg', 'https://x.org/b.png']
    """
    if "](" not in body:
        return []
    return list(dict.fromkeys(m.group("url") for m in _URL_IMAGE.finditer(body)))


def record(body: str) -> None:
    """Record the pictures ``body`` shows from elsewhere as images to be fetched."""
    for url in image_urls(body):
        if len(url) <= 1000:
            library.to_fetch(url)


def with_library_images(body: str, stored: dict[str, int]) -> str:
    """``body`` with each picture whose URL is in ``stored`` placed from the library."""

    def replace(match: re.Match[str]) -> str:
        pk = stored.get(match.group("url"))
        return match.group(0) if pk is None else f"![{match.group('alt')}](image:{pk})"

    return _URL_IMAGE.sub(replace, body)


def _items_showing_urls() -> Iterator[Publishable]:
    for kind in kinds.registered():
        items = kind.model.objects.filter(body__contains="](http").order_by("pk")
        yield from items.iterator(chunk_size=CHUNK)


def place_fetched() -> int:
    """Make bodies place the library's copy of every picture fetched so far; the number of
    items changed. One pass over the items whose bodies show pictures by URL."""
    changed = 0
    for item in _items_showing_urls():
        urls = image_urls(item.body)
        if not urls:
            continue
        stored = dict(
            Image.objects.filter(source_url__in=urls)
            .exclude(file="")
            .order_by("-pk")
            .values_list("source_url", "pk")
        )
        body = with_library_images(item.body, stored)
        if body == item.body:
            continue
        item.body = body
        # Not an editor's change: the time stays, so a later import does not take it for one.
        item.save(touch=False)
        revisions.record(item, via=Revision.Via.IMPORT, source_path=item.source_path)
        changed += 1
    return changed
