"""Front matter values as the item needs them (dates, true or false, names, aliases, JSON),
from what PyYAML made of them (a ``datetime``, ``False`` for ``no``, None) or from text.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any
from urllib.parse import urlsplit

# Later schemas wrote dates the way people read them: "February 17, 2021 9:19 PM".
HUMAN_DATE_FORMATS = ("%B %d, %Y %I:%M %p", "%b %d, %Y %I:%M %p", "%B %d, %Y", "%b %d, %Y")
# Dates every time zone can show: Hugo's "no date", 0001-01-01, falls outside.
EARLIEST_YEAR, LATEST_YEAR = 2, 9998

NESTED = (dict, list, tuple, set)
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


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


def not_a_path(alias: str) -> str | None:
    """Why an alias cannot be an old address of the site, or None when it can be one.

    >>> not_a_path("article/x/"), not_a_path("Read more here"), not_a_path("mailto:a@b.org")
    (None, 'it holds spaces', "it is a 'mailto:' address")
    """
    if any(char.isspace() for char in alias):
        return "it holds spaces"
    try:
        scheme = urlsplit(alias).scheme
    except ValueError:  # "https://[not-an-IPv6-address": normalise_alias says why
        return None
    if scheme and scheme.lower() not in ("http", "https"):
        return f"it is a '{scheme}:' address"
    return None


def flag(value: object) -> bool | None:
    """True or false from a bool or a word (yes, off, 1...) however PyYAML read it; else None."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    return True if word in _TRUE else False if word in _FALSE else None


def dedupe(names: list[str]) -> list[str]:
    """Drop repeats regardless of case, keeping the first spelling."""
    first: dict[str, str] = {}
    for name in names:
        first.setdefault(name.casefold(), name)
    return list(first.values())
