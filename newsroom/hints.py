"""Hints for editors: what an item says that a reader would find odd, found as it is saved.

The old site's archive brings headlines typed all in lower case and descriptions that only
repeat the quote or the body's first sentence. Every save (the importer's included) records
the item's hints (``Publishable.hints``); the importer reports them, and the admin lists
filter by them, so that an editor finds and fixes such items. A fixed item has none left.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from typing import Any

from django.utils.translation import gettext_lazy as _

LOWERCASE_TITLE = "lowercase_title"
UPPERCASE_TITLE = "uppercase_title"
DESCRIPTION_REPEATS_QUOTE = "description_repeats_quote"
DESCRIPTION_REPEATS_BODY = "description_repeats_body"

MESSAGES = {
    LOWERCASE_TITLE: _("The title is all in lower case: capitalise it as a headline."),
    UPPERCASE_TITLE: _("The title is all in capitals: write it in sentence or title case."),
    DESCRIPTION_REPEATS_QUOTE: _(
        "The description repeats the quote: say what the quote is about instead."
    ),
    DESCRIPTION_REPEATS_BODY: _(
        "The description repeats the body's first sentence: summarise the item instead."
    ),
}
LABELS = {
    LOWERCASE_TITLE: _("title in lower case"),
    UPPERCASE_TITLE: _("title in capitals"),
    DESCRIPTION_REPEATS_QUOTE: _("description repeats the quote"),
    DESCRIPTION_REPEATS_BODY: _("description repeats the first sentence"),
}

# The fields the hints are about (a kind's own among them).
SOURCES = frozenset({"title", "description", "body", "quote"})
# Two texts this alike (difflib's ratio, over their words) say the same thing.
ALIKE = 0.9
# A title needs this many letters before its case says anything ("NATO" is fine).
CASE_LETTERS = 12
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s")
_MARKUP = re.compile(r"[#*_>`\[\]()!]|https?://\S+")


def words(text: str) -> list[str]:
    """The text's words, case-folded, without accents, punctuation or Markdown marks."""
    text = unicodedata.normalize("NFKD", _MARKUP.sub(" ", text or ""))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.findall(r"\w+", text.casefold())


def first_sentence(body: str) -> str:
    """The body's first sentence (of its first paragraph that is text, not a heading)."""
    for paragraph in re.split(r"\n\s*\n", body or ""):
        paragraph = paragraph.strip()
        if paragraph and not paragraph.startswith(("#", ">", "!", "|", "-", "*")):
            return _SENTENCE_END.split(paragraph, maxsplit=1)[0]
    return ""


def repeats(description: str, other: str) -> bool:
    """Whether the description says (almost) only what ``other`` says."""
    mine, theirs = words(description), words(other)
    if len(mine) < 3 or len(theirs) < 3:
        return False
    if mine == theirs[: len(mine)] or theirs == mine[: len(theirs)]:
        return True
    return SequenceMatcher(None, mine, theirs, autojunk=False).ratio() >= ALIKE


def hints_for(item: Any) -> list[str]:
    """The hints an item (any publishable kind) calls for, in a fixed order."""
    found = []
    letters = [c for c in item.title if c.isalpha()]
    if len(letters) >= CASE_LETTERS:
        if all(c.islower() for c in letters):
            found.append(LOWERCASE_TITLE)
        elif all(c.isupper() for c in letters):
            found.append(UPPERCASE_TITLE)
    description = item.description
    if description:
        quote = getattr(item, "quote", "")
        if quote and repeats(description, quote):
            found.append(DESCRIPTION_REPEATS_QUOTE)
        elif repeats(description, first_sentence(item.body)):
            found.append(DESCRIPTION_REPEATS_BODY)
    return found


def stored(codes: list[str]) -> str:
    """As ``Publishable.hints`` keeps them, for filtering: " a b " (spaces at both ends)."""
    return f" {' '.join(codes)} " if codes else ""
