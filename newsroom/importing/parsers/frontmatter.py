"""Hugo-style Markdown: YAML (---), TOML (+++) or JSON ({...}) front matter, then the body.

For example the YAML line ``section: quickquotes`` gives ``kind="quickquote"``, and
``aliases: [article/body-of-the-nation/]`` gives ``aliases=["/article/body-of-the-nation/"]``
and ``slug="body-of-the-nation"``.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from datetime import date, datetime, time, tzinfo
from typing import Any
from urllib.parse import urlsplit

import yaml
from django.utils.text import slugify

from ..cleaning import clean_body, clean_text
from ..records import ParsedItem, ParseError, Problem

FORMAT = "frontmatter"
QUICKQUOTE_SECTIONS = frozenset({"quickquotes"})  # compared without case, "_", "-" or spaces
DATE_FIELDS = {"date": "date", "publishDate": "publish_date", "lastmod": "lastmod"}
AUTHOR_KEYS = ("post_author", "authors", "author")
# Later schemas wrote dates the way people read them: "February 17, 2021 9:19 PM".
HUMAN_DATE_FORMATS = ("%B %d, %Y %I:%M %p", "%b %d, %Y %I:%M %p", "%B %d, %Y", "%b %d, %Y")
SLUG_LENGTH = 200

_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$")
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


def _error(
    path: str, message: str, line: int | None = None, field: str | None = None
) -> ParseError:
    return ParseError(path, Problem(message, line=line, field=field))


def _closing_fence(path: str, lines: list[str], start: int, fence: str) -> int:
    end = next((i for i in range(start + 1, len(lines)) if lines[i].rstrip() == fence), None)
    if end is None:
        raise _error(
            path,
            f"the front matter opened with '{fence}' is never closed; add a '{fence}' line "
            "after it",
            line=start + 1,
        )
    return end


def _split_yaml(path: str, lines: list[str], start: int) -> tuple[Any, int, int]:
    """Load the YAML between '---' lines; return it, its first line and the body's first line."""
    end = _closing_fence(path, lines, start, "---")
    first_line = start + 2
    try:
        meta = yaml.safe_load("\n".join(lines[start + 1 : end]))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = f" ({exc.context})" if exc.context else ""
        raise _error(
            path,
            f"invalid YAML front matter: {exc.problem}{context}; fix this line (values "
            "containing ': ' or starting with a quote, '@' or '%' need quotes)",
            line=mark.line + first_line if mark else None,
        ) from exc
    except yaml.YAMLError as exc:
        raise _error(path, f"invalid YAML front matter: {exc}; fix the YAML syntax") from exc
    return meta, first_line, end + 2


def _split_toml(path: str, lines: list[str], start: int) -> tuple[Any, int, int]:
    """Load the TOML between '+++' lines; return it, its first line and the body's first line."""
    end = _closing_fence(path, lines, start, "+++")
    first_line = start + 2
    try:
        meta = tomllib.loads("\n".join(lines[start + 1 : end]))
    except tomllib.TOMLDecodeError as exc:
        position = _TOML_POSITION.search(str(exc))
        problem = _TOML_POSITION.sub("", str(exc))
        if position is None:
            line = None
        else:
            line = int(position.group(1)) + first_line - 1 if position.group(1) else end
        raise _error(path, f"invalid TOML front matter: {problem}; fix this line", line) from exc
    return meta, first_line, end + 2


def _split_json(path: str, text: str, offset: int) -> tuple[Any, int, int]:
    """Load the JSON object at the top; return it, its first line and the body's first line."""
    first_line = text.count("\n", 0, offset) + 1
    try:
        meta, end = json.JSONDecoder().raw_decode(text, offset)
    except json.JSONDecodeError as exc:
        raise _error(
            path, f"invalid JSON front matter: {exc.msg}; fix this line", exc.lineno
        ) from exc
    return meta, first_line, text.count("\n", 0, end) + 2


def split_front_matter(path: str, text: str) -> tuple[dict[str, Any], list[str], int, int]:
    """Return the front matter, the file's lines, the front matter's and the body's first line."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()), 0)
    opening = lines[start].rstrip() if lines else ""
    if opening == "---":
        meta, first_line, body_line = _split_yaml(path, lines, start)
    elif opening == "+++":
        meta, first_line, body_line = _split_toml(path, lines, start)
    elif opening.startswith("{"):
        meta, first_line, body_line = _split_json(path, text, text.index("{"))
    else:
        raise _error(
            path,
            "no front matter: start the file with '---' (YAML), '+++' (TOML) or a JSON object",
            line=start + 1,
        )
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise _error(
            path,
            f"the front matter is a {type(meta).__name__}, not a mapping of keys "
            "to values; write it as 'key: value' lines",
            line=first_line,
        )
    return meta, lines, first_line, body_line


def parse_datetime(value: object, tz: tzinfo) -> datetime | None:
    """Read a front matter date as Hugo would; values without a zone take tz.

    >>> from datetime import UTC
    >>> parse_datetime("2023-10-15T13:18:50-0700", UTC).isoformat()
    '2023-10-15T13:18:50-07:00'
    >>> parse_datetime("February 17, 2021 9:19 PM", UTC).isoformat()
    '2021-02-17T21:19:00+00:00'
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    elif isinstance(value, str):
        parsed = _datetime_from_string(value.strip())
    else:
        raise ValueError(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _datetime_from_string(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    for pattern in HUMAN_DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    raise ValueError(value)


def json_safe(value: Any) -> Any:
    """Make a front matter value storable as JSON: dates become ISO strings."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(item) for item in value]
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)


def normalise_alias(alias: str) -> str:
    """Turn an alias into a path from the site root, as the old site meant it.

    >>> normalise_alias("article/x/"), normalise_alias("https://smarthernews.com/kylie/")
    ('/article/x/', '/kylie/')
    """
    parts = urlsplit(alias)
    path = parts.path if parts.scheme or parts.netloc else alias.split("?")[0].split("#")[0]
    return "/" + path.lstrip("/")


def _flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    return True if word in _TRUE else False if word in _FALSE else None


def _dedupe(names: list[str]) -> list[str]:
    """Drop repeats regardless of case, keeping the first spelling."""
    first: dict[str, str] = {}
    for name in names:
        first.setdefault(name.casefold(), name)
    return list(first.values())


class _FrontMatterReader:
    """Consumes front matter keys into a ParsedItem; what is left becomes provenance."""

    def __init__(self, path: str, meta: dict[str, Any], lines: list[str], first_line: int):
        self.path = path
        self.meta = dict(meta)
        self.lines = lines
        self.first_line = first_line
        self.extra: dict[str, Any] = {}
        self.warnings: list[Problem] = []

    def line_of(self, field: str) -> int | None:
        """Best-effort source line of a key, or of 'parent.child' below its parent."""
        index = self.first_line - 1
        for key in field.split("."):
            pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*[:=]", re.IGNORECASE)
            index = next(
                (i for i in range(index, len(self.lines)) if pattern.match(self.lines[i])), None
            )
            if index is None:
                return None
        return index + 1

    def warn(self, message: str, field: str) -> None:
        self.warnings.append(Problem(message, line=self.line_of(field), field=field))

    def pop(self, key: str, source: dict[str, Any] | None = None) -> Any:
        """Take a key out, ignoring case as Hugo does."""
        source = self.meta if source is None else source
        actual = next((k for k in source if str(k).lower() == key.lower()), None)
        return source.pop(actual) if actual is not None else None

    def text(self, key: str, source: dict[str, Any] | None = None, field: str = "") -> str:
        """Take a plain-text value; no-break spaces (YAML's "\\_") become plain spaces."""
        field = field or key
        value = self.pop(key, source)
        if isinstance(value, dict | list):
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
                return {key: cleaned(item) for key, item in value.items()}
            if isinstance(value, list):
                return [cleaned(item) for item in value]
            return value

        self.extra[field] = cleaned(json_safe(value))

    def names(self, *keys: str) -> list[str]:
        names = []
        for key in keys:
            value = self.pop(key)
            items = value if isinstance(value, list) else [] if value is None else [value]
            names += [self.text(key, {key: item}) for item in items]
        return _dedupe([name for name in names if name])

    def flag(self, key: str, default: bool) -> bool:
        value = self.pop(key)
        if value is None or value == "":
            return default
        result = _flag(value)
        if result is None:
            self.warn(f"expected true or false, found {value!r}; using {default}", key)
            return default
        return result

    def datetime(self, key: str, tz: tzinfo) -> datetime | None:
        value = self.pop(key)
        try:
            return parse_datetime(value, tz)
        except ValueError:
            self.warn(
                f"cannot read {value!r} as a date; write ISO 8601 such as "
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
            self.warn("has no column; kept in the item's provenance", f"{key}.{name}")
            self.keep(f"{key}.{name}", rest)
        return found

    def aliases(self) -> list[str]:
        value = self.pop("aliases")
        items = value if isinstance(value, list) else [] if value is None else [value]
        aliases = []
        for item in items:
            alias = "" if item is None else str(item).strip()
            if alias:
                aliases.append(normalise_alias(alias))
            else:
                self.warn("an empty alias was dropped; remove it from the list", "aliases")
        return list(dict.fromkeys(aliases))

    def keep_the_rest(self) -> None:
        for key, value in self.meta.items():
            self.warn("has no column; kept in the item's provenance", str(key))
            self.keep(str(key), value)


def _slug(reader: _FrontMatterReader, title: str, aliases: list[str]) -> str:
    given = reader.text("slug")
    if given:
        slug = slugify(given)[:SLUG_LENGTH]
        if slug != given:
            reader.warn(f"'{given}' is not a valid slug; using '{slug}'", "slug")
    elif aliases:
        slug = slugify(aliases[0].rstrip("/").rsplit("/", 1)[-1])[:SLUG_LENGTH]
    else:
        slug = ""
    return slug or slugify(title)[:SLUG_LENGTH]


def parse(path: str, text: str, *, tz: tzinfo) -> ParsedItem:
    """Parse one front matter file (already decoded, with '\\n' line endings)."""
    meta, lines, first_line, body_line = split_front_matter(path, text)
    reader = _FrontMatterReader(path, meta, lines[: body_line - 1], first_line)
    title = reader.text("title")
    if not title:
        raise _error(
            path,
            "the title is missing or empty; add 'title: ...' to the front matter",
            reader.line_of("title") or first_line,
            "title",
        )
    section = reader.text("section") or reader.text("type") or None
    is_quickquote = re.sub(r"[\W_]", "", (section or "").lower()) in QUICKQUOTE_SECTIONS
    image = reader.mapping("featured_image", ("image", "url", "alt", "caption"), plain="image")
    quote = reader.mapping("featured_quote", ("quote", "summary", "citation"), plain="quote")
    aliases = reader.aliases()
    slug = _slug(reader, title, aliases)
    if not slug:
        raise _error(
            path,
            f"cannot make a slug from the title {title!r}; add a 'slug' key",
            reader.line_of("title"),
            "slug",
        )
    item = ParsedItem(
        path=path,
        format=FORMAT,
        kind="quickquote" if is_quickquote else "article",
        title=title,
        slug=slug,
        section=section,
        description=reader.text("description"),
        tags=reader.names("tags"),
        authors=reader.names(*AUTHOR_KEYS),
        is_breaking=reader.flag("is_breaking", default=False),
        featured_image_url=image.get("image") or image.get("url", ""),
        featured_image_alt=image.get("alt", ""),
        featured_image_caption=image.get("caption", ""),
        quote=quote.get("quote", ""),
        summary=quote.get("summary") or reader.text("summary"),
        citation=quote.get("citation", ""),
        aliases=aliases,
    )
    for key, attribute in DATE_FIELDS.items():
        setattr(item, attribute, reader.datetime(key, tz))
    # Hugo's own 'draft' says the same thing as the archive's 'published', inverted.
    draft = reader.flag("draft", default=False)
    item.published = reader.flag("published", default=not draft)
    if is_quickquote and not item.quote:
        reader.warn("this quick quote has no quote; add featured_quote.quote", "featured_quote")
    reader.keep_the_rest()

    body_lines = lines[body_line - 1 :]
    while body_lines and not body_lines[0].strip():
        body_lines.pop(0)
        body_line += 1
    item.body, body_problems = clean_body("\n".join(body_lines).rstrip(), first_line=body_line)
    item.extra = reader.extra
    item.warnings = sorted(
        reader.warnings + body_problems, key=lambda p: (p.line is None, p.line or 0)
    )
    return item
