"""The plain records parsers return: items, their comments, and the problems found.

Nothing here knows about the ORM; the loader maps these onto models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Problem:
    """A warning or an error, phrased so that someone can act on it."""

    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        """Return e.g. "line 12, field 'date': cannot read 'soon' as a date; ..."."""
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ParseError(Exception):
    """A file that cannot be imported at all; str() names the file, the place and the fix."""

    def __init__(self, path: str, problem: Problem) -> None:
        super().__init__(path, problem)
        self.path = path
        self.problem = problem

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


@dataclass
class ParsedComment:
    position: int | None
    kind: str  # "comment" | "pingback" | "trackback"
    author_name: str
    body: str
    author_url: str = ""
    line: int | None = None


@dataclass
class ParsedItem:
    path: str
    format: str  # "frontmatter" | "pagedump"
    kind: str  # a registered kind's name (newsroom.kinds): "article", "quickquote"...
    title: str
    slug: str
    section: str | None = None
    description: str = ""
    body: str = ""  # Markdown
    body_line: int | None = None  # the file's line of the body's first line, when it maps
    dateline: str = ""
    date: datetime | None = None
    publish_date: datetime | None = None
    lastmod: datetime | None = None
    expiry_date: datetime | None = None  # Hugo's expiryDate: gone from then on
    published: bool = True
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    is_breaking: bool = False
    featured_image_url: str = ""
    # A file found under --media-root for a featured image named by its file name alone.
    featured_image_file: str = ""
    featured_image_alt: str = ""
    featured_image_caption: str = ""
    quote: str = ""
    summary: str = ""
    citation: str = ""
    aliases: list[str] = field(default_factory=list)  # site-root paths: "/article/x/"
    discussion_policy: str = ""
    comments: list[ParsedComment] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # source keys with no field; JSON-safe
    # Prose with no column of its own, as (heading, text): shown at the end of the body.
    more_prose: list[tuple[str, str]] = field(default_factory=list)
    # Source fields holding prose that only the provenance (``extra``) keeps.
    unseen_prose: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def fallback_slug(title: str) -> str:
    """A slug for a title with no Latin letters or digits (e.g. in Armenian script): made
    from its hash, so the same title always gets the same slug.

    >>> fallback_slug("Բաքու")
    'item-4d206d5169'
    """
    import hashlib

    return "item-" + hashlib.sha256(title.encode()).hexdigest()[:10]
