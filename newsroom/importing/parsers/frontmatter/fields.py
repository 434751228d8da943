"""Front matter keys mapped to an item's fields, ignoring case as Hugo does; the later
schemas' cards go into the body (``cards.py``), and keys with no field are kept as
provenance, with a warning (one that says so when they hold prose).
"""

from __future__ import annotations

import bisect
import functools
import re
from datetime import datetime, tzinfo
from typing import Any

from django.utils.text import slugify

from .... import kinds
from ...cleaning import clean_body, clean_text, excerpt
from ...prose import is_prose, same_words
from ...records import ParsedItem, ParseError, Problem, fallback_slug
from .cards import cards_markdown
from .fences import read_body, split_front_matter
from .values import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    NESTED,
    DateOutOfRange,
    dedupe,
    flag,
    json_safe,
    normalise_alias,
    not_a_path,
    parse_datetime,
)

FORMAT = "frontmatter"
DATE_FIELDS = {
    "date": "date",
    "publishDate": "publish_date",
    "lastmod": "lastmod",
    "expiryDate": "expiry_date",
}
AUTHOR_KEYS = ("post_author", "authors", "author")
TAG_KEYS = ("tags", "meta_tags")
IMAGE_KEYS = ("image", "url", "alt", "caption")
# Mappings whose keys are read as if they were at the top (``meta.publishdate``).
NESTED_METADATA = ("meta",)
# Prose with no column of an item's own, by key, and the heading it is shown under.
STANDFIRST_KEYS = {"subtitle": "Subtitle", "standfirst": "Standfirst", "summary": "Summary"}
SLUG_LENGTH = 200

_SEPARATOR = re.compile(r"[:=]")
_QUOTES = ("'", '"')
# Keys are looked up by line for warnings; an index keeps thousands of keys fast.
_KEY_SEARCH_CHARS = 200
_KEY_SCAN_BUDGET = 1_000_000


def _unquote_key(head: str) -> str:
    """The key a line opens with, given the text before its ':' or '='."""
    key = head.rstrip()
    key = key[:-1] if key.endswith(_QUOTES) else key
    key = key.lstrip()
    return key[1:] if key.startswith(_QUOTES) else key


def _indexable(key: str) -> bool:
    return (
        len(key) < _KEY_SEARCH_CHARS // 2
        and not _SEPARATOR.search(key)
        and key == key.strip()
        and not key.startswith(_QUOTES)
        and not key.endswith(_QUOTES)
    )


class _FrontMatterReader:
    """Consumes front matter keys into a ParsedItem; what is left becomes provenance."""

    def __init__(self, path: str, meta: dict[str, Any], lines: list[str], first_line: int):
        self.path = path
        self.meta = dict(meta)
        self.lines = lines
        self.first_line = first_line
        self.extra: dict[str, Any] = {}
        self.unseen: list[str] = []  # kept fields that hold prose
        self.warnings: list[Problem] = []
        self._keys: dict[str, list[int]] | None = None
        self._scan_budget = _KEY_SCAN_BUDGET

    def line_of(self, field: str) -> int | None:
        """Best-effort source line of a key, or of 'parent.child' below its parent."""
        index = self.first_line - 1
        found = None
        for key in field.split("."):
            index = self._find_key(key, index)
            if index is None:  # a child on its parent's line (JSON, flow style): the parent's
                return found
            found = index + 1
        return found

    def _find_key(self, key: str, start: int) -> int | None:
        """The first line from start on that opens with the key and ':' or '='."""
        if _indexable(key):
            found = self._key_index().get(key.lower(), ())
            return next((i for i in found[bisect.bisect_left(found, start) :]), None)
        # Keys the index cannot hold are looked for line by line, within a budget, so that
        # thousands of odd keys cost seconds at most; past it their lines go unnamed.
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*[:=]", re.IGNORECASE)
        for i in range(start, len(self.lines)):
            self._scan_budget -= 1
            if self._scan_budget < 0:
                return None
            if pattern.match(self.lines[i]):
                return i
        return None

    def _key_index(self) -> dict[str, list[int]]:
        """Every key each line could open with (text before a ':' or '='), to its lines."""
        if self._keys is None:
            self._keys = {}
            for number, line in enumerate(self.lines):
                head = line.lstrip()[:_KEY_SEARCH_CHARS]
                for separator in _SEPARATOR.finditer(head):
                    key = _unquote_key(head[: separator.start()])
                    lines = self._keys.setdefault(key.lower(), [])
                    if not lines or lines[-1] != number:
                        lines.append(number)
        return self._keys

    def warn(self, message: str, field: str) -> None:
        self.warnings.append(Problem(message, line=self.line_of(field), field=field))

    def pop(self, key: str, source: dict[str, Any] | None = None) -> Any:
        """Take a key out, ignoring case as Hugo does."""
        source = self.meta if source is None else source
        actual = next((k for k in source if str(k).lower() == key.lower()), None)
        return source.pop(actual) if actual is not None else None

    def peek(self, key: str) -> Any:
        return next((value for k, value in self.meta.items() if str(k).lower() == key), None)

    def text(self, key: str, source: dict[str, Any] | None = None, field: str = "") -> str:
        """Take a plain-text value; no-break spaces (YAML's "\\_") become plain spaces."""
        field = field or key
        value = self.pop(key, source)
        if isinstance(value, NESTED):
            self.warn("expected text, found a nested value; kept in the item's provenance", field)
            self.keep(field, value)
            return ""
        return self.clean("" if value is None else str(value), field).replace("\xa0", " ").strip()

    def clean(self, value: str, field: str) -> str:
        cleaned, problems = clean_text(value, field=field)
        line = self.line_of(field)
        for problem in problems:
            # Nested and folded values do not map line by line; the key's line is close enough.
            problem.line = line
        self.warnings += problems
        return cleaned

    def keep(self, field: str, value: Any) -> None:
        """Store a value as provenance, JSON-safe and without control characters."""

        def cleaned(value: Any) -> Any:
            if isinstance(value, str):
                return self.clean(value, field)
            if isinstance(value, dict):
                return {cleaned(key): cleaned(item) for key, item in value.items()}
            if isinstance(value, list):
                return [cleaned(item) for item in value]
            return value

        self.extra[field] = cleaned(json_safe(value))
        if is_prose(self.extra[field]) and field not in self.unseen:
            self.unseen.append(field)

    def lift(self, key: str) -> None:
        """Read a nested mapping's keys as top-level ones, where the top has none of them."""
        value = self.peek(key)
        if not isinstance(value, dict):
            return
        self.pop(key)
        rest = {}
        for name, item in value.items():
            if self.peek(str(name).lower()) is None:
                self.meta[name] = item
            else:
                rest[name] = item
        if rest:
            self.meta[key] = rest

    def image(self, key: str) -> dict[str, str]:
        """An image given as an address, or a mapping whose address may nest one level
        further (``{image: {url: ...}}``)."""
        value = self.peek(key)
        if isinstance(value, dict):
            value = dict(value)
            for name in ("image", "url", "asset"):
                actual = next((k for k in value if str(k).lower() == name), None)
                inner = value.get(actual) if actual is not None else None
                if isinstance(inner, dict):
                    del value[actual]
                    for inner_name, inner_value in inner.items():
                        inner_name = str(inner_name).lower()
                        inner_name = "url" if inner_name in ("src", "asset") else inner_name
                        value.setdefault(inner_name, inner_value)
            self.meta[next(k for k in self.meta if str(k).lower() == key)] = value
        return self.mapping(key, IMAGE_KEYS, plain="image")

    def names(self, *keys: str) -> list[str]:
        names = []
        for key in keys:
            value = self.pop(key)
            items = value if isinstance(value, list) else [] if value is None else [value]
            names += [self.text(key, {key: item}) for item in items]
        return dedupe([name for name in names if name])

    def flag(self, key: str, default: bool) -> bool:
        value = self.pop(key)
        if value is None or value == "":
            return default
        result = flag(value)
        if result is None:
            self.warn(f"expected true or false, found {excerpt(repr(value))}; using {default}", key)
            return default
        return result

    def datetime(self, key: str, tz: tzinfo) -> datetime | None:
        value = self.pop(key)
        try:
            return parse_datetime(value, tz)
        except DateOutOfRange:
            self.warn(
                f"the date {excerpt(str(value))} is outside the years {EARLIEST_YEAR} to "
                f"{LATEST_YEAR} (Hugo writes 0001-01-01 for no date); left empty and kept in "
                "the item's provenance",
                key,
            )
        except ValueError:
            self.warn(
                f"cannot read {excerpt(repr(value))} as a date; write ISO 8601 such as "
                "'2020-10-12T15:51:30+00:00' (quoted in YAML); kept in the item's provenance",
                key,
            )
        self.keep(key, value)
        return None

    def mapping(self, key: str, known: tuple[str, ...], plain: str) -> dict[str, str]:
        """Read a nested mapping's known keys (a bare string fills `plain`); keep the rest."""
        value = self.pop(key)
        if not isinstance(value, dict):
            return {plain: self.text(key, {key: value})} if value not in (None, "") else {}
        value = dict(value)
        found = {name: self.text(name, value, field=f"{key}.{name}") for name in known}
        for name, rest in value.items():
            name = clean_text(str(name))[0]  # it is printed in reports, and a report is UTF-8
            self.warn("has no column; kept in the item's provenance", f"{key}.{excerpt(name)}")
            self.keep(f"{key}.{name}", rest)
        return found

    def aliases(self) -> list[str]:
        value = self.pop("aliases")
        items = value if isinstance(value, list) else [] if value is None else [value]
        aliases = []
        for item in items:
            if isinstance(item, NESTED):
                self.warn("an alias that is a nested value was dropped; write a path", "aliases")
                continue
            alias = self.clean("" if item is None else str(item), "aliases").strip()
            if not alias:
                self.warn("an empty alias was dropped; remove it from the list", "aliases")
            elif any(char in alias for char in "\t\n"):
                self.warn(
                    f"the alias {excerpt(alias)!r} spans lines or holds a tab and was dropped; "
                    "write it on one line",
                    "aliases",
                )
            elif reason := not_a_path(alias):
                self.warn(
                    f"the alias {excerpt(alias)!r} is not a path ({reason}) and was dropped; "
                    "write the old address as a path such as /article/slug/",
                    "aliases",
                )
            else:
                try:
                    aliases.append(normalise_alias(alias))
                except ValueError as error:  # "https://[not-an-IPv6-address"
                    self.warn(
                        f"the alias '{excerpt(alias)}' is not a valid address ({error}) and was "
                        "dropped; correct it",
                        "aliases",
                    )
        return list(dict.fromkeys(aliases))

    def keep_the_rest(self) -> None:
        for key, value in self.meta.items():
            name = clean_text(str(key))[0]  # as in mapping()
            self.warn("has no column; kept in the item's provenance", excerpt(name))
            self.keep(name, value)


def _slug(reader: _FrontMatterReader, title: str, aliases: list[str]) -> str:
    given = reader.text("slug")
    if given:
        slug = slugify(given)[:SLUG_LENGTH]
        if slug != given:
            reader.warn(f"'{excerpt(given)}' is not a valid slug; using '{excerpt(slug)}'", "slug")
    elif aliases:
        slug = slugify(aliases[0].rstrip("/").rsplit("/", 1)[-1])[:SLUG_LENGTH]
    else:
        slug = ""
    return slug or slugify(title)[:SLUG_LENGTH]


@functools.cache
def _has_field(model: type, name: str) -> bool:
    return any(field.name == name for field in model._meta.get_fields())


def _standfirsts(reader: _FrontMatterReader, item: ParsedItem, *, has_summary: bool) -> None:
    """Subtitle, standfirst and summary: the description when there is none, the summary's
    column when the kind has one, else a section at the end of the body; never dropped."""
    shown = [item.title, item.description, item.quote, item.summary]
    for key, heading in STANDFIRST_KEYS.items():
        text = reader.text(key)
        if not text or any(same_words(text, other) for other in shown if other):
            continue
        if key == "summary" and has_summary and not item.summary:
            item.summary = text
        elif not item.description:
            item.description = text
        else:
            item.more_prose.append((heading, text))
        shown.append(text)


def _title_refused(reader: _FrontMatterReader, message: str) -> ParseError:
    line = reader.line_of("title") or reader.first_line
    return ParseError(reader.path, Problem(message, line=line, field="title"))


def parse(path: str, text: str, *, tz: tzinfo) -> ParsedItem:
    """Parse one front matter file (already decoded, with '\\n' line endings)."""
    meta, lines, first_line, body_line = split_front_matter(path, text)
    reader = _FrontMatterReader(path, meta, lines[: body_line - 1], first_line)
    if isinstance(reader.peek("title"), NESTED):
        raise _title_refused(
            reader,
            "the title is a list or a mapping, not text; write it as 'title: ...' on one line",
        )
    title = reader.text("title")
    if not title:
        raise _title_refused(
            reader, "the title is missing or empty; add 'title: ...' to the front matter"
        )
    for key in NESTED_METADATA:
        reader.lift(key)
    section = reader.text("section") or reader.text("type") or None
    kind = kinds.for_section(section)
    tags = reader.names(*TAG_KEYS)
    category = reader.text("card_category")
    if category and (section is None or kind.import_sections):
        section = category  # the section named the kind (or nothing): this one files it
    elif category:
        tags = dedupe([*tags, category])
    image = reader.image("featured_image")
    if not (image.get("image") or image.get("url")) and reader.peek("background_image"):
        image = {**image, **{k: v for k, v in reader.image("background_image").items() if v}}
    quote = reader.mapping("featured_quote", ("quote", "summary", "citation"), plain="quote")
    aliases = reader.aliases()
    slug = _slug(reader, title, aliases)
    if not slug:
        slug = fallback_slug(title)
        reader.warn(
            f"no Latin letters or digits in the title for a slug: using '{slug}'; add a "
            "'slug' key or change it in the admin",
            "slug",
        )
    item = ParsedItem(
        path=path,
        format=FORMAT,
        kind=kind.name,
        title=title,
        slug=slug,
        section=section,
        description=reader.text("description"),
        tags=tags,
        authors=reader.names(*AUTHOR_KEYS),
        is_breaking=reader.flag("is_breaking", default=False),
        featured_image_url=image.get("image") or image.get("url", ""),
        featured_image_alt=image.get("alt", ""),
        featured_image_caption=image.get("caption", ""),
        quote=quote.get("quote", ""),
        summary=quote.get("summary", ""),
        citation=quote.get("citation", ""),
        aliases=aliases,
    )
    _standfirsts(reader, item, has_summary=_has_field(kind.model, "summary"))
    for key, attribute in DATE_FIELDS.items():
        setattr(item, attribute, reader.datetime(key, tz))
    # Hugo's own 'draft' says the same thing as the archive's 'published', inverted.
    draft = reader.flag("draft", default=False)
    item.published = reader.flag("published", default=not draft)
    for message, key in kind.parse_warnings(item):
        reader.warn(message, key)
    cards, card_problems = cards_markdown(reader), []
    if cards:
        cards, card_problems = clean_body(cards)
    for problem in card_problems:  # lines of the cards' Markdown, not of the file
        problem.line, problem.field = None, "cards"
    reader.keep_the_rest()

    item.body, item.body_line, body_problems = read_body(lines, body_line)
    body_problems += card_problems
    if cards:  # the cards come first: the file's own body holds what followed them
        item.body = f"{cards}\n\n{item.body}" if item.body else cards
        item.body_line = None
    item.extra = reader.extra
    item.unseen_prose = reader.unseen
    item.warnings = sorted(
        reader.warnings + body_problems, key=lambda p: (p.line is None, p.line or 0)
    )
    return item
