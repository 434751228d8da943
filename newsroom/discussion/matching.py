"""Word-list matching that sees through disguises but not into unrelated words.

Text and entries are reduced to a *skeleton* (Unicode-normalised, case-folded, accents
dropped, look-alike letters and digit swaps mapped to plain Latin letters, long runs of a
letter shortened) and compared token by token, so "V1@gr4" matches the entry "viagra" while
the entry "ass" does not match "classic". An entry with a ``*`` at either end matches inside
words: ``*casino*`` anywhere, ``spam*`` as a prefix, ``*bot`` as a suffix.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

# Letters from other scripts that look like Latin ones, and the digit and symbol swaps
# people use to slip past filters. "l", "1", "|" and "!" all become "i" on both sides.
LOOKALIKES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j",
        "ѕ": "s", "ԁ": "d", "ɡ": "g", "ԛ": "q", "ԝ": "w",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ς": "s", "σ": "s",
        # digits and symbols
        "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
        "@": "a", "$": "s", "|": "i", "!": "i", "€": "e", "+": "t",
        # letters that the swaps above make ambiguous
        "l": "i",
    }
)  # fmt: skip

# A token: letters and digits, with the swap symbols allowed inside it (not at its ends).
TOKEN = re.compile(r"[\w@$|!€+]*\w[\w@$|!€+]*|[@$][\w@$|!€+]*\w")
_EDGE_SYMBOLS = "@$|!€+_"
_RUNS = re.compile(r"(.)\1{2,}")


@functools.lru_cache(maxsize=65536)  # the same words recur in every comment
def skeleton(text: str) -> str:
    """Reduce text to the form word lists are compared in.

    >>> skeleton("V1@GRА")  # the last letter is Cyrillic
    'viagra'
    >>> skeleton("Fuuuuun")
    'fun'
    """
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(LOOKALIKES)
    return _RUNS.sub(r"\1", text)


class Token(NamedTuple):
    text: str  # as written
    skeleton: str


def tokenize(text: str) -> list[Token]:
    words = (match.strip("!|+_") for match in TOKEN.findall(text))
    return [Token(word, skeleton(word)) for word in words if word]


class Tokens:
    """A text split into tokens once, for matching against several word lists."""

    __slots__ = ("skeletons", "tokens", "where")

    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.where: dict[str, list[int]] = {}
        for position, token in enumerate(self.tokens):
            self.where.setdefault(token.skeleton, []).append(position)
        # Every token's skeleton, space-separated: an entry word that is not a substring of
        # this cannot be inside, at the start of or at the end of any token.
        self.skeletons = " ".join(self.where)


@dataclass(frozen=True)
class Entry:
    """One word-list entry, compiled: ``words`` are skeletons; the flags say how to match."""

    source: str
    words: tuple[str, ...]
    prefix: bool  # "spam*": the last word may continue
    suffix: bool  # "*bot": the first word may start earlier

    @classmethod
    def parse(cls, entry: str) -> Entry | None:
        raw = entry.strip()
        words = tuple(t.skeleton for t in tokenize(raw.strip("*")))
        if not words:
            return None
        return cls(raw, words, prefix=raw.endswith("*"), suffix=raw.startswith("*"))

    def matches_at(self, tokens: list[Token], start: int) -> bool:
        n = len(self.words)
        if start + n > len(tokens):
            return False
        for offset, word in enumerate(self.words):
            candidate = tokens[start + offset].skeleton
            starts_free = offset == 0 and self.suffix  # "*bot": may start earlier
            ends_free = offset == n - 1 and self.prefix  # "spam*": may go on
            if starts_free and ends_free:
                ok = word in candidate
            elif starts_free:
                ok = candidate.endswith(word)
            elif ends_free:
                ok = candidate.startswith(word)
            else:
                ok = candidate == word
            if not ok:
                return False
        return True


def compile_entries(entries: Iterable[str]) -> list[Entry]:
    return [e for e in (Entry.parse(raw) for raw in entries) if e is not None]


@dataclass(frozen=True)
class Match:
    entry: str  # the list entry that matched
    text: str  # the words in the text that matched it, as written


def find_matches(text: str | Tokens, entries: list[Entry]) -> list[Match]:
    """Every entry found in the text, with the words that matched it.

    >>> [m.text for m in find_matches("Buy cheap V1agra now", compile_entries(["viagra"]))]
    ['V1agra']
    >>> find_matches("a classic", compile_entries(["ass"]))
    []
    """
    split = text if isinstance(text, Tokens) else Tokens(text)
    tokens = split.tokens
    found: list[Match] = []
    for entry in entries:
        # Most entries must match their first word exactly: try only where it occurs.
        exact_start = not entry.suffix and not (entry.prefix and len(entry.words) == 1)
        if exact_start:
            starts = split.where.get(entry.words[0], ())
        elif entry.words[0] in split.skeletons:
            starts = range(len(tokens))
        else:
            continue
        for start in starts:
            if entry.matches_at(tokens, start):
                words = tokens[start : start + len(entry.words)]
                found.append(Match(entry.source, " ".join(t.text for t in words)))
                break
    return found
