"""Placeholders: the per-visitor values of a cached page (the CSRF token, the comment
form's token), marked when the page is rendered and filled in on every hit.

The page cache knows no kind of placeholder but the CSRF token's; any other registers
the function that makes its value (``register``): the discussion package registers the
comment form's token. A placeholder's name is its kind, and for a numbered kind a number
after a hyphen: ``csrf``, ``form-42``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable

from django.http import HttpRequest

from .csrf import get_token

# Makes a placeholder's value for one request, from the number in its name (None for a
# kind without numbers).
ValueMaker = Callable[[HttpRequest, "int | None"], str]

KIND = re.compile(r"[a-z]+")
# A number as long as a primary key can be: int() refuses very long strings, and a stored
# page with one is refused when it is split, not when it is filled.
NUMBER = "[0-9]{1,19}"

# Kept apart so that a hit looks a plain placeholder up in one dict, without splitting it.
_plain: dict[str, ValueMaker] = {}
_numbered: dict[str, ValueMaker] = {}
_marked = re.compile("(?!)")  # which names a mark may carry: rebuilt by register()


def register(kind: str, make: ValueMaker, *, numbered: bool = False) -> None:
    """Fill the placeholders of ``kind`` with what ``make(request, number)`` returns.

    Register at import or in an app's ``ready()``: before any page is rendered or served.
    """
    global _marked
    if not KIND.fullmatch(kind):
        raise ValueError(f"A placeholder kind is lowercase letters, not {kind!r}.")
    _plain.pop(kind, None)
    _numbered.pop(kind, None)
    (_numbered if numbered else _plain)[kind] = make
    # Longest first, so that no kind is taken for the start of a longer one.
    names = [re.escape(name) for name in sorted(_plain, key=len, reverse=True)]
    names += [f"{re.escape(name)}-{NUMBER}" for name in sorted(_numbered, key=len, reverse=True)]
    _marked = re.compile("|".join(names))


def placeholder(kind: str, number: int | None = None) -> str:
    """The name of a placeholder of ``kind`` (numbered kinds take a number)."""
    return kind if number is None else f"{kind}-{number}"


class FillError(ValueError):
    """A stored page holds a placeholder this version does not know how to fill."""


def placeholder_values(request: HttpRequest, parts: Iterable[bytes | str]) -> dict[str, bytes]:
    """What each placeholder among ``parts`` stands for in this request; raises
    ``FillError`` for one that no registered kind makes."""
    values = {}
    for part in parts:
        if isinstance(part, str) and part not in values:
            make = _plain.get(part)
            if make is not None:
                value = make(request, None)
            else:
                kind, _, number = part.partition("-")
                make = _numbered.get(kind)
                if make is None or not (number.isascii() and number.isdigit() and len(number) < 20):
                    raise FillError(f"Unknown placeholder {part[:40]!r} in a stored page.")
                value = make(request, int(number))
            values[part] = value.encode()
    return values


def fill_placeholders(request: HttpRequest, parts: list[bytes | str]) -> bytes:
    """The page of ``parts`` with this request's values in place of its placeholders."""
    values = placeholder_values(request, parts)
    return b"".join(part if isinstance(part, bytes) else values[part] for part in parts)


class Marks:
    """The marks one rendering puts where per-visitor values go.

    Each rendering draws its own nonce, and the page is split at its marks once, when it is
    stored; the stored page keeps the placeholders' names (``csrf``, ``form-42``) between
    its pieces of text. Text a reader wrote was stored before the nonce was drawn, so no
    comment, title or tag can hold a mark: what looks like one in reader text stays text.
    The marks are made of letters, digits and hyphens, which every escaping leaves as they
    are.
    """

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(16)
        self._prefix = f"newsroom-{self.nonce}-"

    def mark(self, placeholder: str) -> str:
        return self._prefix + placeholder

    def split(self, content: str) -> list[bytes | str]:
        """The page as encoded text with its placeholders' names in between (at the odd
        positions), so that a cache hit only joins bytes."""
        pieces = content.split(self._prefix)
        parts: list[bytes | str] = [pieces[0].encode()]
        for piece in pieces[1:]:
            name = _marked.match(piece)
            if name is None:  # only this rendering writes the prefix, always with a name
                raise ValueError(f"A page mark without a placeholder: {piece[:40]!r}")
            parts += [name.group(), piece[name.end() :].encode()]
        return parts

    def join(self, parts: Iterable[bytes | str]) -> str:
        """Parts split from another rendering, as text marked for this one."""
        return "".join(
            self.mark(part) if isinstance(part, str) else part.decode() for part in parts
        )


CSRF = "csrf"
register(CSRF, lambda request, number: get_token(request))
