"""Three-way merge of two editors' saves of one item: the revision both started from, what
the other editor saved since, and what this editor submits (all as snapshots).

A field only one of them changed takes that change; a text both changed merges paragraph by
paragraph (paragraphs split on blank lines) when they changed different paragraphs; anything
else both changed, differently, is a collision the editor must settle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from . import Snapshot

# Bylines and tags merge as whole values, next to the item's fields.
RELATED = ("authors", "tags")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


@dataclass
class Merge:
    """The outcome: the merged values by name, and which names came about how."""

    values: dict[str, Any] = field(default_factory=dict)
    theirs: list[str] = field(default_factory=list)  # only the other editor changed it
    paragraphs: list[str] = field(default_factory=list)  # both changed different paragraphs
    collisions: list[str] = field(default_factory=list)  # both changed it, differently


def _normal(value: Any) -> Any:
    # A browser sends text with CRLF line ends; the importer wrote LF: the same words.
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _values(snapshot: Snapshot) -> dict[str, Any]:
    return {**snapshot.get("fields", {}), **{name: snapshot.get(name) for name in RELATED}}


def merge(
    base: Snapshot | None,
    theirs: Snapshot,
    mine: Snapshot,
    *,
    paragraph_fields: tuple[str, ...] | list[str] = (),
) -> Merge:
    """Merge ``mine`` into ``theirs`` against ``base``.

    Without a base (the form did not say which revision it was opened from) nothing can be
    told apart: every value that differs from theirs is a collision.
    """
    result = Merge()
    base_values = _values(base) if base is not None else None
    their_values, my_values = _values(theirs), _values(mine)
    for name, my_value in my_values.items():
        their_value = their_values.get(name)
        if _normal(my_value) == _normal(their_value):
            result.values[name] = my_value
            continue
        if base_values is None or name not in base_values:
            result.collisions.append(name)
            continue
        base_value = _normal(base_values[name])
        if _normal(my_value) == base_value:
            result.values[name] = their_value
            result.theirs.append(name)
        elif _normal(their_value) == base_value:
            result.values[name] = my_value
        elif name in paragraph_fields and isinstance(my_value, str):
            merged = merge_paragraphs(base_value or "", _normal(their_value) or "", my_value)
            if merged is None:
                result.collisions.append(name)
            else:
                result.values[name] = merged
                result.paragraphs.append(name)
        else:
            result.collisions.append(name)
    return result


def paragraphs(text: str) -> list[str]:
    """``"One.\\n\\nTwo.\\n \\n\\nThree."`` -> ``["One.", "Two.", "Three."]``"""
    text = _normal(text).strip("\n")
    return PARAGRAPH_BREAK.split(text) if text else []


def merge_paragraphs(base: str, theirs: str, mine: str) -> str | None:
    """The two texts merged paragraph by paragraph, or None when both changed the same
    paragraph (or added paragraphs at the same place, or next to a paragraph the other
    changed). The merged paragraphs are joined by one blank line."""
    old = paragraphs(base)
    their_hunks = _hunks(old, paragraphs(theirs))
    my_hunks = _hunks(old, paragraphs(mine))
    hunks = list(their_hunks)
    for mine_hunk in my_hunks:
        if mine_hunk in their_hunks:  # the same change on both sides
            continue
        if any(_collide(mine_hunk, their_hunk) for their_hunk in their_hunks):
            return None
        hunks.append(mine_hunk)
    merged: list[str] = []
    position = 0
    for start, end, replacement in sorted(hunks, key=lambda hunk: (hunk[0], hunk[1])):
        merged += old[position:start] + replacement
        position = end
    merged += old[position:]
    return "\n\n".join(merged)


Hunk = tuple[int, int, list[str]]


def _hunks(old: list[str], new: list[str]) -> list[Hunk]:
    """The changed stretches of ``old`` (start, end) and what replaces each."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    return [(i1, i2, new[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _collide(one: Hunk, other: Hunk) -> bool:
    (a1, a2, _), (b1, b2, _) = one, other
    if a1 == a2 or b1 == b2:  # an insertion: at, or at the edge of, the other's stretch
        return b1 <= a2 and a1 <= b2
    return max(a1, b1) < min(a2, b2)
