"""``import_sources --verify``: read an imported file again and count how many of its prose
words the item's reader page shows, as a reader's browser would show them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import tzinfo
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import resolve

from .. import kinds
from ..models import Publishable
from .files import Refused, Source, read_source
from .prepare import read_item
from .prose import prose_words, words
from .records import ParseError


@dataclass
class Fidelity:
    """How much of a file's prose its page shows."""

    identity: str
    url: str
    total: int
    found: int
    missing: list[str] = field(default_factory=list)  # distinct words, in the file's order

    @property
    def share(self) -> float:
        return self.found / self.total if self.total else 1.0

    def line(self) -> str:
        # Rounded down: 99.96 % is not 100 %.
        percent = "100" if self.found == self.total else f"{math.floor(self.share * 1000) / 10}"
        return f"{percent:>5} %  {self.identity} → {self.url} ({self.found} of {self.total} words)"


class _PageText(HTMLParser):
    """The text of the page's item, its first <article> (not the site's header, footer
    or comments, whose words could hide the item's missing ones): what a reader reads,
    images' alt text included, scripts and styles not."""

    _SILENT = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._silent = 0
        self._depth = 0  # of <article> elements, from the item's own
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article" and not self._done:
            self._depth += 1
        elif not self._depth:
            return
        elif tag in self._SILENT:
            self._silent += 1
        elif tag == "img":
            self.parts.append(dict(attrs).get("alt") or "")

    def handle_endtag(self, tag: str) -> None:
        if not self._depth:
            return
        if tag == "article":
            self._depth -= 1
            self._done = not self._depth
        elif tag in self._SILENT and self._silent:
            self._silent -= 1

    def handle_data(self, data: str) -> None:
        if self._depth and not self._silent:
            self.parts.append(data)


def page_text(obj: Publishable) -> str:
    """The item's reader page as text, rendered by its own view (drafts as an editor's
    preview shows them, since a draft has no public page yet)."""
    url = obj.get_absolute_url()
    request = RequestFactory().get(url, HTTP_HOST=_host(), secure=True)
    request.user = get_user_model()(is_active=True, is_staff=True, is_superuser=True)
    request.session = {}
    request._dont_enforce_csrf_checks = True
    match = resolve(url)
    response = match.func(request, *match.args, **match.kwargs)
    if hasattr(response, "render"):
        response.render()
    parser = _PageText()
    parser.feed(response.content.decode(response.charset or "utf-8"))
    return " ".join(parser.parts)


def _host() -> str:
    """A name the site answers to (the view checks the request's host)."""
    names = [name for name in settings.ALLOWED_HOSTS if name and "*" not in name]
    return (names[0].lstrip(".") if names else "") or "localhost"


def imported_item(identity: str) -> Publishable | None:
    for kind in kinds.registered():
        found = kind.model.objects.filter(source_path=identity).first()
        if found is not None:
            return found
    return None


def check(source: Source, *, tz: tzinfo, media_root: Path | None) -> Fidelity | None:
    """The file's fidelity, or None when it made no item (it failed, or was skipped)."""
    obj = imported_item(source.identity)
    if obj is None:
        return None
    try:
        item = read_item(source.identity, read_source(source), tz, media_root)
    except (ParseError, Refused, OSError):
        return None
    shown = set(words(page_text(obj)))
    wanted = prose_words(item)
    missing = [word for word in wanted if word not in shown]
    return Fidelity(
        identity=source.identity,
        url=obj.get_absolute_url(),
        total=len(wanted),
        found=len(wanted) - len(missing),
        missing=list(dict.fromkeys(missing)),
    )
