"""Hugo-style Markdown: YAML (---), TOML (+++) or JSON ({...}) front matter, then the body.

For example the YAML line ``section: quickquotes`` gives ``kind="quickquote"`` (the kind
that claims that section in ``newsroom.kinds``), and
``aliases: [article/body-of-the-nation/]`` gives ``aliases=["/article/body-of-the-nation/"]``
and ``slug="body-of-the-nation"``.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import sys
import tomllib
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any
from urllib.parse import urlsplit

import yaml
from django.utils.text import slugify

from ... import kinds
from ..cleaning import clean_body, clean_text, excerpt
from ..records import ParsedItem, ParseError, Problem, fallback_slug

FORMAT = "frontmatter"
DATE_FIELDS = {"date": "date", "publishDate": "publish_date", "lastmod": "lastmod"}
AUTHOR_KEYS = ("post_author", "authors", "author")
# Later schemas wrote dates the way people read them: "February 17, 2021 9:19 PM".
HUMAN_DATE_FORMATS = ("%B %d, %Y %I:%M %p", "%b %d, %Y %I:%M %p", "%B %d, %Y", "%b %d, %Y")
SLUG_LENGTH = 200
# Past these, front matter is refused: YAML aliases make both from a few lines ("billion
# laughs", an anchor inside itself), and every step after parsing walks the values.
MAX_DEPTH = 100
MAX_VALUES = 100_000
# Dates every time zone can show: Hugo's "no date", 0001-01-01, falls outside.
EARLIEST_YEAR, LATEST_YEAR = 2, 9998

_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$")
NESTED = (dict, list, tuple, set)
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


class _TooDeep(yaml.composer.ComposerError):
    pass


class _YamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader, but a scalar it cannot read is a YAML error with a line, and
    nesting past MAX_DEPTH stops at once (running into Python's recursion limit takes
    seconds). Not libyaml's CSafeLoader: its composer overflows the C stack on deep input."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(None, None, "too deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _strict(kind: str, construct: Any) -> Any:
    def constructor(loader: _YamlLoader, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, KeyError, AttributeError) as exc:  # 5000 digits, "!!bool maybe"
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {excerpt(str(node.value))!r} as {kind}", node.start_mark
            ) from exc

    return constructor


def _timestamp_or_text(loader: _YamlLoader, node: yaml.ScalarNode) -> Any:
    """An impossible date such as 2020-13-45 stays text, for the date fields to warn about."""
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, AttributeError):
        return loader.construct_scalar(node)


for _tag, _kind, _construct in (
    ("int", "a whole number", yaml.SafeLoader.construct_yaml_int),
    ("float", "a number", yaml.SafeLoader.construct_yaml_float),
    ("bool", "true or false", yaml.SafeLoader.construct_yaml_bool),
):
    _YamlLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _strict(_kind, _construct))
_YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _load_yaml(text: str) -> Any:
    loader = _YamlLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _too_deep(path: str, line: int) -> ParseError:
    return _error(
        path,
        f"the front matter nests deeper than {MAX_DEPTH} levels (or a YAML alias is used "
        "inside its own anchor); flatten it",
        line,
    )


def _long_number(path: str, syntax: str, text: str, first_line: int) -> ParseError:
    """int() refuses more than sys.get_int_max_str_digits() digits; say where and what to do."""
    limit = sys.get_int_max_str_digits()
    found = re.search(rf"\d[\d_]{{{limit},}}", text)
    return _error(
        path,
        f"invalid {syntax} front matter: a number has more than {limit} digits, too many to "
        "read; put it in quotes to keep it as text",
        text.count("\n", 0, found.start()) + first_line if found else None,
    )


def _split_yaml(path: str, lines: list[str], start: int) -> tuple[Any, int, int]:
    """Load the YAML between '---' lines; return it, its first line and the body's first line."""
    end = _closing_fence(path, lines, start, "---")
    first_line = start + 2
    chunk = "\n".join(lines[start + 1 : end])
    try:
        meta = _load_yaml(chunk)
    except _TooDeep as exc:
        raise _too_deep(path, exc.problem_mark.line + first_line) from None
    except RecursionError:
        raise _too_deep(path, first_line) from None
    except yaml.reader.ReaderError as exc:
        character = exc.character
        shown = f"U+{character:04X}" if isinstance(character, int) else repr(character)
        raise _error(
            path,
            f"invalid YAML front matter: the character {shown} is not allowed; remove it",
            line=chunk.count("\n", 0, exc.position) + first_line,
        ) from exc
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
    chunk = "\n".join(lines[start + 1 : end])
    try:
        meta = tomllib.loads(chunk)
    except RecursionError:
        raise _too_deep(path, first_line) from None
    except tomllib.TOMLDecodeError as exc:
        position = _TOML_POSITION.search(str(exc))
        problem = _TOML_POSITION.sub("", str(exc))
        if position is None:
            line = None
        else:
            line = int(position.group(1)) + first_line - 1 if position.group(1) else end
        raise _error(path, f"invalid TOML front matter: {problem}; fix this line", line) from exc
    except ValueError as exc:  # only int() raises anything else
        raise _long_number(path, "TOML", chunk, first_line) from exc
    return meta, first_line, end + 2


def _split_json(path: str, text: str, offset: int) -> tuple[Any, int, int]:
    """Load the JSON object at the top; return it, its first line and the body's first line."""
    first_line = text.count("\n", 0, offset) + 1
    try:
        meta, end = json.JSONDecoder().raw_decode(text, offset)
    except RecursionError:
        raise _too_deep(path, first_line) from None
    except json.JSONDecodeError as exc:
        raise _error(
            path, f"invalid JSON front matter: {exc.msg}; fix this line", exc.lineno
        ) from exc
    except ValueError as exc:  # only int() raises anything else
        raise _long_number(path, "JSON", text, 1) from exc
    return meta, first_line, text.count("\n", 0, end) + 2


def _check_shape(path: str, meta: dict[str, Any], first_line: int) -> None:
    """Refuse front matter too deep or too large to walk, before anything walks it."""
    stack: list[tuple[Any, int]] = [(meta, 1)]
    count = 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise _too_deep(path, first_line)
        if count > MAX_VALUES:
            raise _error(
                path,
                f"the front matter holds more than {MAX_VALUES} values (a YAML alias counts "
                "again each time it is used); keep only what the site needs",
                first_line,
            )
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list | tuple | set):
            stack.extend((item, depth + 1) for item in value)


def split_front_matter(path: str, text: str) -> tuple[dict[str, Any], list[str], int, int]:
    """Return the front matter, the file's lines, the front matter's and the body's first line."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()), 0)
    # Stripped on both sides, as detect_format() reads the opening.
    opening = lines[start].strip() if lines else ""
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
    _check_shape(path, meta, first_line)
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
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    try:
        year = parsed.astimezone(UTC).year
    except OverflowError:  # 0001-01-01 east of Greenwich is in the year 0
        year = 0
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise DateOutOfRange(value)
    return parsed


class DateOutOfRange(ValueError):
    """A date too close to the year 1 or 9999 for every time zone to show it."""


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
        self.warnings: list[Problem] = []
        self._keys: dict[str, list[int]] | None = None
        self._scan_budget = _KEY_SCAN_BUDGET

    def line_of(self, field: str) -> int | None:
        """Best-effort source line of a key, or of 'parent.child' below its parent."""
        index = self.first_line - 1
        for key in field.split("."):
            index = self._find_key(key, index)
            if index is None:
                return None
        return index + 1

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


def parse(path: str, text: str, *, tz: tzinfo) -> ParsedItem:
    """Parse one front matter file (already decoded, with '\\n' line endings)."""
    meta, lines, first_line, body_line = split_front_matter(path, text)
    reader = _FrontMatterReader(path, meta, lines[: body_line - 1], first_line)
    if isinstance(reader.peek("title"), NESTED):
        raise _error(
            path,
            "the title is a list or a mapping, not text; write it as 'title: ...' on one line",
            reader.line_of("title") or first_line,
            "title",
        )
    title = reader.text("title")
    if not title:
        raise _error(
            path,
            "the title is missing or empty; add 'title: ...' to the front matter",
            reader.line_of("title") or first_line,
            "title",
        )
    section = reader.text("section") or reader.text("type") or None
    kind = kinds.for_section(section)
    image = reader.mapping("featured_image", ("image", "url", "alt", "caption"), plain="image")
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
    for message, key in kind.parse_warnings(item):
        reader.warn(message, key)
    reader.keep_the_rest()

    body_lines = lines[body_line - 1 :]
    while body_lines and not body_lines[0].strip():
        body_lines.pop(0)
        body_line += 1
    item.body, body_problems = clean_body("\n".join(body_lines).rstrip(), first_line=body_line)
    item.body_line = body_line
    item.extra = reader.extra
    item.warnings = sorted(
        reader.warnings + body_problems, key=lambda p: (p.line is None, p.line or 0)
    )
    return item
