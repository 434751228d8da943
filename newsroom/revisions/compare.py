"""What changed between two revisions: the changed fields, each value as text, and a word-level
diff of the texts, escaped (an item's text is an editor's and may hold markup).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from . import Snapshot, tracked_fields

# Words, single marks and runs of white space: a change shows down to one word or comma.
TOKENS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
# A changed block of lines is diffed word by word up to this many tokens a side; past it
# (a rewritten book chapter) it shows as removed and added whole, which takes no time.
WORD_DIFF_LIMIT = 5_000


@dataclass(frozen=True)
class Change:
    """One field that differs between two revisions."""

    name: str
    label: str
    old: str
    new: str
    diff: SafeString | None = None  # for text: both versions in one, words marked


def changes(model: type[models.Model], old: Snapshot, new: Snapshot) -> list[Change]:
    """The fields that differ between two snapshots of ``model``'s items, in form order."""
    return list(_changes(model, old, new))


def changed_labels(model: type[models.Model], old: Snapshot | None, new: Snapshot) -> list[str]:
    """The names of the fields that changed (for a list of revisions); none for the first."""
    if old is None:
        return []
    return [change.label for change in _changes(model, old, new, diffs=False)]


def _changes(
    model: type[models.Model], old: Snapshot, new: Snapshot, *, diffs: bool = True
) -> Iterator[Change]:
    old_fields, new_fields = old.get("fields", {}), new.get("fields", {})
    for field in tracked_fields(model):
        before, after = old_fields.get(field.name), new_fields.get(field.name)
        if before == after:
            continue
        label = str(field.verbose_name)
        old_text, new_text = _text(field, before), _text(field, after)
        diff = None
        texts = isinstance(field, models.CharField | models.TextField) and not field.choices
        if diffs and texts:
            diff = word_diff(old_text, new_text)
        yield Change(field.name, label, old_text, new_text, diff)
    for name, label in [("authors", _("bylines")), ("tags", _("tags"))]:
        before, after = _names(old.get(name, [])), _names(new.get(name, []))
        if before != after:
            yield Change(name, label, ", ".join(before), ", ".join(after))


def _names(values: list[Any]) -> list[str]:
    # Bylines are kept as [id, name], tags as names.
    return [value[1] if isinstance(value, list) else str(value) for value in values]


def _text(field: models.Field, value: Any) -> str:
    """A stored value as an editor reads it (never marked safe: the template escapes it)."""
    if value is None or value == "":
        return ""
    if field.is_relation:
        return str(value[1])
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "DATETIME_FORMAT")
    return str(value)


def word_diff(old: str, new: str) -> SafeString:
    """Both texts in one, HTML-escaped: removed words in ``<del>``, added ones in ``<ins>``.

    >>> word_diff("the <b>old</b> text", "the new text")
    'the <del>&lt;b&gt;old&lt;/b&gt;</del><ins>new</ins> text'

    Lines are matched first and changed lines then word by word, so a long text with a
    few changed paragraphs costs about what those paragraphs do.
    """
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    parts: list[str] = []
    matcher = SequenceMatcher(None, old_lines, new_lines)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        if tag == "equal":
            parts.append(escape(removed))
        elif tag == "replace":
            parts.extend(_words(removed, added))
        else:
            parts.extend(_marked(removed, added))
    # Every part is escaped text, or escaped text in our own <del> or <ins>.
    return mark_safe("".join(parts))  # noqa: S308


def _words(old: str, new: str) -> Iterator[str]:
    old_tokens, new_tokens = TOKENS.findall(old), TOKENS.findall(new)
    if max(len(old_tokens), len(new_tokens)) > WORD_DIFF_LIMIT:
        yield from _marked(old, new)
        return
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old_tokens[i1:i2]), "".join(new_tokens[j1:j2])
        if tag == "equal":
            yield escape(removed)
        else:
            yield from _marked(removed, added)


def _marked(removed: str, added: str) -> Iterator[str]:
    if removed:
        yield format_html("<del>{}</del>", removed)
    if added:
        yield format_html("<ins>{}</ins>", added)
