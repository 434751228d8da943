"""Word-list matching that sees through disguises and inflections but not into unrelated words.

Text and entries are reduced to *skeletons* (Unicode-normalised, case-folded, accents
dropped, stretched letters shortened, look-alike letters and digit swaps mapped to plain
Latin letters) and compared token by token, so "V1@gr4" matches the entry "viagra" while
the entry "ass" does not match "classic". A plain entry word also matches its English
inflections, generated from it by rule ("idiot": "idiots", "idiotic"; "stab": "stabbing"),
never by cutting the text's words down to a stem, so "cock" does not match "cocktail".

Entry syntax (word lists and the policy's built-in rules alike):

- ``idiot``: the word and its inflections; ``"idiot"`` (quoted): exactly that word;
- ``*casino*`` anywhere inside a word, ``spam*`` a prefix, ``*bot`` a suffix;
- several words match a phrase; ``a|b`` either word; ``@name`` any word of a named class;
  ``~3`` up to three words of any kind (``kill ~2 @target``: "kill the two of them");
- an entry starting with ``-`` is an exception: a match inside its span does not count
  (``-chink in``).

A word of the text with letters masked by ``*`` or ``#`` ("f*ck") matches an entry word of
the same length whose other letters agree.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
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

# A token: letters and digits, with the swap symbols and masks allowed inside it.
_INNER = r"[\w@$|!€+*#]"
TOKEN = re.compile(rf"{_INNER}*\w{_INNER}*|[@$]{_INNER}*\w")
_EDGE_SYMBOLS = "!|+_*#"
_MASKS = "*#"
#: The most masked words of one text that are matched against entries.
MASKED_WORDS = 20
_RUNS = re.compile(r"(.)\1{2,}")


@functools.lru_cache(maxsize=65536)  # the same words recur in every comment
def plain(text: str) -> str:
    """Case-folded, accents dropped, runs of three or more of a character shortened to one.

    Runs are shortened before look-alikes are mapped, so "kill" keeps its two l's (as
    "kiii") and "killing" does not shrink to "king".
    """
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _RUNS.sub(r"\1", text)


@functools.lru_cache(maxsize=65536)
def skeleton(text: str) -> str:
    """Reduce text to the form word lists are compared in.

    >>> skeleton("V1@GRА")  # the last letter is Cyrillic
    'viagra'
    >>> skeleton("Fuuuuun")
    'fun'
    """
    return plain(text).translate(LOOKALIKES)


# --- inflections ---------------------------------------------------------------------

VOWELS = frozenset("aeiou")
#: Endings any word of three letters or more may take.
INFLECTIONS = ("s", "es", "ed", "ing", "er", "ers", "est")
#: Endings only words of five letters or more take: shorter words make too many other
#: words with them ("spic" + "y", "ass" + "ist").
DERIVATIONS = ("ic", "ical", "ically", "y", "ish", "ity", "ities", "ness", "ly", "ry", "ery")
DERIVATION_MIN = 5
#: Forms English does not build by rule.
IRREGULAR = {
    "shoot": ("shot",),
    "hang": ("hung",),
    "burn": ("burnt",),
    "beat": ("beaten",),
    "break": ("broke", "broken"),
    "slay": ("slew", "slain"),
    "die": ("dying", "dead"),
    "lie": ("lying",),
    "bite": ("bit", "bitten"),
    "fight": ("fought",),
    "run": ("ran",),
}
#: Words the rules above would make from a listed word that are other words altogether.
NOT_INFLECTIONS = frozenset(
    {
        "butter", "titter", "titters", "bummer", "bummers", "cocker", "cockers", "dicker",
        "prickly", "spicer", "cower", "cowers", "cowed", "dogged", "ratter", "hacker",
        "hackers", "ducker", "shitake", "assed", "pussyfoot", "hellos", "singles",
    }
)  # fmt: skip


def _single_syllable_cvc(word: str) -> bool:
    """Ends consonant-vowel-consonant with one vowel group: doubles before a vowel ("stab")."""
    if len(word) < 3 or word[-1] in VOWELS or word[-1] in "wxy" or word[-2] not in VOWELS:
        return False
    if word[-3] in VOWELS:
        return False
    groups = re.findall(r"[aeiouy]+", word)
    return len(groups) == 1


@functools.lru_cache(maxsize=4096)
def inflections(word: str) -> frozenset[str]:
    """The word and the forms English builds from it, in plain letters.

    >>> {"idiots", "idiotic", "idiotically"} <= inflections("idiot")
    True
    >>> sorted(inflections("stab") - {"stab", "stabs"})
    ['stabbed', 'stabber', 'stabbers', 'stabbest', 'stabbing']
    """
    if len(word) < 3 or not word.isalpha():
        return frozenset({word})
    forms = {word, *IRREGULAR.get(word, ())}
    suffixes = INFLECTIONS + (DERIVATIONS if len(word) >= DERIVATION_MIN else ())
    double = _single_syllable_cvc(word)
    for suffix in suffixes:
        starts_vowel = suffix[0] in "aeiouy"
        if suffix == "ing" and word.endswith("ie"):
            forms.add(word[:-2] + "ying")  # die: dying
        elif suffix == "es":
            if word.endswith(("s", "x", "z", "ch", "sh", "o")):
                forms.add(word + suffix)
            elif word.endswith("y") and word[-2] not in VOWELS:
                forms.add(word[:-1] + "ies")
        elif word.endswith("e") and starts_vowel:
            forms.add(word[:-1] + suffix)  # rape: raping, raped
        elif double and starts_vowel:
            forms.add(word + word[-1] + suffix)  # stab: stabbing, not "stabing"
        elif word.endswith("y") and word[-2] not in VOWELS and suffix not in ("s", "ing", "y"):
            forms.add(word[:-1] + "i" + suffix)  # bully: bullied
        else:
            forms.add(word + suffix)
    return frozenset(forms - NOT_INFLECTIONS)


# --- tokens --------------------------------------------------------------------------


class Token(NamedTuple):
    text: str  # as written
    skeleton: str
    start: int  # where it is in the text
    end: int


def tokenize(text: str) -> list[Token]:
    tokens = []
    for match in TOKEN.finditer(text):
        raw = match.group()
        word = raw.strip(_EDGE_SYMBOLS)
        if not word:
            continue
        start = match.start() + (len(raw) - len(raw.lstrip(_EDGE_SYMBOLS)))
        tokens.append(Token(word, skeleton(word), start, start + len(word)))
    return tokens


def _is_masked(word: str) -> bool:
    """ "f*ck", "sh#t": masks inside a word, with at least two letters shown."""
    masks = sum(word.count(m) for m in _MASKS)
    return 0 < masks <= len(word) // 2 and len(word) - masks >= 2


class Tokens:
    """A text split into tokens once, for matching against several word lists."""

    __slots__ = ("masked", "skeletons", "text", "tokens", "where")

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.where: dict[str, list[int]] = {}
        self.masked: list[int] = []
        for position, token in enumerate(self.tokens):
            self.where.setdefault(token.skeleton, []).append(position)
            # A real comment masks a word or two; past a few, masks are noise, and trying
            # every entry at each of thousands of them would take seconds.
            if _is_masked(token.skeleton) and len(self.masked) < MASKED_WORDS:
                self.masked.append(position)
        # Every token's skeleton, space-separated: an entry word that is not a substring of
        # this cannot be inside, at the start of or at the end of any token.
        self.skeletons = " ".join(self.where)

    def span(self, first: int, last: int) -> str:
        """The text from the first token to the last, as written (spaces collapsed)."""
        return " ".join(self.text[self.tokens[first].start : self.tokens[last].end].split())


# --- entries -------------------------------------------------------------------------


def _masked_equal(masked: str, form: str) -> bool:
    return len(masked) == len(form) and all(
        a == b or a in _MASKS for a, b in zip(masked, form, strict=True)
    )


@functools.lru_cache(maxsize=1024)
def _by_outline(forms: frozenset[str]) -> dict[tuple[int, str, str], tuple[str, ...]]:
    """A slot's forms by length, first and last letter: the letters a mask never hides."""
    index: dict[tuple[int, str, str], list[str]] = {}
    for form in forms:
        index.setdefault((len(form), form[:1], form[-1:]), []).append(form)
    return {outline: tuple(found) for outline, found in index.items()}


@dataclass(frozen=True)
class Slot:
    """One position of an entry: a set of whole-word skeletons, a wildcard, or a gap."""

    forms: frozenset[str] = frozenset()
    part: str = ""  # with a wildcard: the skeleton that must be inside, start or end
    prefix: bool = False  # "spam*": the word may go on
    suffix: bool = False  # "*bot": the word may start earlier
    gap: int = 0  # "~3": up to three words of any kind

    def accepts(self, token: Token) -> bool:
        candidate = token.skeleton
        if self.part:
            if self.prefix and self.suffix:
                return self.part in candidate
            if self.suffix:
                return candidate.endswith(self.part)
            return candidate.startswith(self.part)
        if candidate in self.forms:
            return True
        if not _is_masked(candidate):
            return False
        outline = (len(candidate), candidate[:1], candidate[-1:])
        return any(_masked_equal(candidate, f) for f in _by_outline(self.forms).get(outline, ()))


class EntryError(ValueError):
    """An entry that cannot be compiled (an unknown class, a misplaced gap)."""


def _token_texts(word: str) -> list[str]:
    return [token.text for token in tokenize(word)]


def _word_forms(word: str, classes: Mapping[str, Iterable[str]], seen: tuple[str, ...]) -> set[str]:
    """The skeletons one alternative of a slot stands for."""
    if word.startswith("@") and classes:  # in a word list, "@" is only a disguised "a"
        name = word[1:]
        if name not in classes:
            raise EntryError(f"unknown word class @{name}")
        if name in seen:
            raise EntryError(f"word class @{name} includes itself")
        forms: set[str] = set()
        for member in classes[name]:
            forms |= _word_forms(member, classes, (*seen, name))
        return forms
    if len(word) > 1 and word.startswith('"') and word.endswith('"'):
        return {skeleton(word[1:-1])}
    return {skeleton(form) for form in inflections(plain(word))}


def _slot(word: str, classes: Mapping[str, Iterable[str]]) -> Slot:
    if re.fullmatch(r"~\d+", word):
        return Slot(gap=int(word[1:]))
    prefix, suffix = word.endswith("*"), word.startswith("*")
    if (prefix or suffix) and "|" not in word:
        part = skeleton(word.strip("*"))
        return Slot(part=part, prefix=prefix, suffix=suffix) if part else Slot()
    forms: set[str] = set()
    for alternative in word.split("|"):
        if alternative:
            forms |= _word_forms(alternative, classes, ())
    return Slot(forms=frozenset(forms))


@dataclass(frozen=True)
class Entry:
    """One compiled entry: its slots, and whether it is an exception (``-word``)."""

    source: str
    slots: tuple[Slot, ...]
    exception: bool = False

    @classmethod
    def parse(cls, entry: str, classes: Mapping[str, Iterable[str]] | None = None) -> Entry | None:
        raw = entry.strip()
        exception = raw.startswith("-")
        body = raw.removeprefix("-").strip()
        words = body.split()
        if len(words) > 1 and len(body) > 2 and body[0] == body[-1] == '"':
            words = [f'"{word}"' for word in body[1:-1].split()]  # a quoted phrase
        # Plain words split where the text's words do: "crypto-giveaway" is a phrase.
        words = [
            part
            for word in words
            for part in ([word] if any(m in word for m in '|"~*') else _token_texts(word))
        ]
        slots = [_slot(word, classes or {}) for word in words]
        slots = [s for s in slots if s.forms or s.part or s.gap]
        while slots and slots[0].gap:
            slots.pop(0)
        while slots and slots[-1].gap:
            slots.pop()
        if not slots:
            return None
        return cls(raw, tuple(slots), exception)

    def starts(self, split: Tokens) -> Iterable[int]:
        """Where a match may begin: where the first word occurs, or anywhere."""
        first = self.slots[0]
        if first.part:
            return range(len(split.tokens)) if first.part in split.skeletons else ()
        if len(first.forms) < len(split.where):
            where = {p for form in first.forms for p in split.where.get(form, ())}
        else:  # a long class and a short text: look the text's words up instead
            where = {p for word, ps in split.where.items() if word in first.forms for p in ps}
        return sorted(where.union(split.masked))

    def match_at(self, tokens: list[Token], start: int) -> int | None:
        """The position of the last token of a match starting at ``start``, or None."""
        return self._match(tokens, start, 0)

    def _match(self, tokens: list[Token], position: int, index: int) -> int | None:
        slot = self.slots[index]
        if slot.gap:
            for skip in range(slot.gap + 1):
                end = self._match(tokens, position + skip, index + 1)
                if end is not None:
                    return end
            return None
        if position >= len(tokens) or not slot.accepts(tokens[position]):
            return None
        if index == len(self.slots) - 1:
            return position
        return self._match(tokens, position + 1, index + 1)


def compile_entries(
    entries: Iterable[str], classes: Mapping[str, Iterable[str]] | None = None
) -> list[Entry]:
    return [e for e in (Entry.parse(raw, classes) for raw in entries) if e is not None]


@dataclass(frozen=True)
class Match:
    entry: str  # the list entry that matched
    text: str  # the words in the text that matched it, as written
    start: int = 0  # where those words are in the text
    end: int = 0


def find_matches(text: str | Tokens, entries: Sequence[Entry]) -> list[Match]:
    """Every entry found in the text, with the words that matched it (the first place each
    entry matches outside its list's exceptions).

    >>> [m.text for m in find_matches("Buy cheap V1agra now", compile_entries(["viagra"]))]
    ['V1agra']
    >>> find_matches("a classic", compile_entries(["ass"]))
    []
    >>> [m.text for m in find_matches("You are all idiots", compile_entries(["idiot"]))]
    ['idiots']
    """
    split = text if isinstance(text, Tokens) else Tokens(text)
    tokens = split.tokens
    excepted: set[int] = set()
    for entry in (e for e in entries if e.exception):
        for start in entry.starts(split):
            end = entry.match_at(tokens, start)
            if end is not None:
                excepted.update(range(start, end + 1))
    found: list[Match] = []
    for entry in (e for e in entries if not e.exception):
        for start in entry.starts(split):
            end = entry.match_at(tokens, start)
            if end is not None and not excepted.intersection(range(start, end + 1)):
                where = (tokens[start].start, tokens[end].end)
                found.append(Match(entry.source, split.span(start, end), *where))
                break
    return found


def outermost(matches: Iterable[Match]) -> list[Match]:
    """The matches not inside another one ("you idiot" covers "idiot"), in text order."""
    kept: list[Match] = []
    for match in sorted(matches, key=lambda m: (m.start, -m.end)):
        if not any(k.start <= match.start and match.end <= k.end for k in kept):
            kept.append(match)
    return kept
