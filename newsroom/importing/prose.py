"""Prose: which source values hold words readers saw, and their words, for the body's
appendix (prose with no column), the report and ``import_sources --verify``.
"""

from __future__ import annotations

import html
import re
from typing import Any

from .cleaning import LINK_TARGET, excerpt
from .records import ParsedItem, Problem

# Three words of letters make prose; a class name, an id, a date or a file name do not.
PROSE_MIN_WORDS = 3
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
_WORD = re.compile(r"[^\W_]+")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s*\S+.*$", re.MULTILINE)
_REFERENCE_USE = re.compile(r"\]\[[^\]\n]*\]")  # [text][ref]: "ref" is not shown
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def is_prose(value: Any) -> bool:
    """Whether a source value (or any value nested in it) is text a reader would read.

    >>> is_prose("light-green"), is_prose({"a": ["Former SEAL shares his path."]})
    (False, True)
    """
    if isinstance(value, str):
        return " " in value.strip() and len(_LETTER_WORD.findall(value)) >= PROSE_MIN_WORDS
    if isinstance(value, dict):
        return any(is_prose(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(is_prose(item) for item in value)
    return False


def words(text: str) -> list[str]:
    """The words of a text, case folded, without punctuation: what a reader compares.

    >>> words("Children’s *book*, 2019!")
    ['children', 's', 'book', '2019']
    """
    return _WORD.findall(html.unescape(text).casefold())


def markdown_words(source: str) -> list[str]:
    """The words of Markdown a reader sees: without link targets, tags and references.

    >>> markdown_words("See [the *report*](https://a.org/x \\"t\\") <b>now</b> [AP][1]<!-- x -->")
    ['see', 'the', 'report', 'now', 'ap']
    """
    text = _REFERENCE.sub("", _COMMENT.sub(" ", source))
    text = _REFERENCE_USE.sub("]", LINK_TARGET.sub("]", text))
    return words(_TAG.sub(" ", text))


def same_words(a: str, b: str) -> bool:
    return words(a) == words(b)


def prose_words(item: ParsedItem) -> list[str]:
    """Every word of an item's prose as the file gives it: title, standfirst, quote, its
    context, caption, dateline, body (cards included), prose with no column of its own,
    and prose only the provenance keeps (so that losing it shows)."""
    found = []
    for text in (
        item.title,
        item.description,
        item.quote,
        item.summary,
        item.citation,
        item.featured_image_caption,
        item.dateline,
    ):
        found += words(text)
    found += markdown_words(item.body)
    for _, text in item.more_prose:
        found += words(text)
    for field in item.unseen_prose:
        found += _value_words(item.extra.get(field))
    return found


def _value_words(value: Any) -> list[str]:
    if isinstance(value, str):
        return words(value)
    if isinstance(value, dict):
        return [word for item in value.values() for word in _value_words(item)]
    if isinstance(value, list):
        return [word for item in value for word in _value_words(item)]
    return []


def add_to_body(item: ParsedItem, heading: str, text: str) -> None:
    """Append prose that has no column to the body, under a heading naming it."""
    from .parsers.pagedump import to_markdown_line

    lines = "\n".join(to_markdown_line(line) for line in text.split("\n"))
    section = f"## {heading}\n\n{lines}"
    item.body = f"{item.body}\n\n{section}" if item.body.strip() else section


def finish(item: ParsedItem, *, image_shown: bool) -> None:
    """Give the prose with no column its place at the end of the body, then say whether the
    page has any body at all. ``image_shown``: whether the featured image has an address
    a page can show (its caption is shown with it, else in the body)."""
    if item.featured_image_caption and not image_shown:
        item.more_prose.append(("Image caption", item.featured_image_caption))
    for heading, text in item.more_prose:
        add_to_body(item, heading, text)
    if not item.body.strip():
        item.warnings.append(
            Problem(
                "the body is empty: the page shows only the title and the fields above it; "
                "check that the file holds its story",
                line=item.body_line,
                field="body",
            )
        )
    for field in item.unseen_prose:
        shown = excerpt(" ".join(_value_words(item.extra.get(field))))
        item.warnings.append(
            Problem(
                f"holds prose ({shown}) that no column or body section takes: it is only in "
                "the item's provenance, where readers never see it",
                field=field,
            )
        )
