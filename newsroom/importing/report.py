"""What an import run says about each file, on the terminal and as a JSON report."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import IO, Any

CREATED, UPDATED, UNCHANGED, CONFLICT, FAILED = (
    "created",
    "updated",
    "unchanged",
    "conflict",
    "failed",
)
OUTCOMES = (CREATED, UPDATED, UNCHANGED, CONFLICT, FAILED)
# Not a source file at all (a link, a device, a FIFO): named, never opened; not a failure.
SKIPPED = "skipped"
# Characters that move the cursor, end a line or reorder text on a terminal.
_BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """The text with control characters and undecodable bytes escaped, for a terminal or log.

    >>> printable("a\\nb\\x1b[31m.md"), printable("\\udcff.md")
    ('a\\\\nb\\\\x1b[31m.md', '\\\\xff.md')

    A file name (or anything quoting one) printed this way stays on its own line and
    cannot colour the terminal. Undecodable bytes arrive as lone surrogates
    (``surrogateescape``) and are shown as the byte they stand for.
    """
    if text.isprintable():
        return text
    return "".join(_escaped(char) for char in text)


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte
        return f"\\x{code - 0xDC00:02x}"
    if char not in _BIDI_CONTROLS and unicodedata.category(char) not in {"Cc", "Cs", "Zl", "Zp"}:
        return char  # printable enough: letters, no-break spaces, joiners...
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


@dataclass
class FileReport:
    path: str
    format: str | None = None
    outcome: str = FAILED
    object: dict[str, Any] | None = None  # model, pk, slug, url, title
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The file's line of the report, its name escaped (see ``printable``)."""
        target = f" → {self.object['url']}" if self.object else ""
        return printable(f"{self.outcome:<9} {self.path}{target}")


class RunReport:
    """Counts every outcome and streams each file's entry to an optional JSON file.

    Entries are written as they come, so a long run's memory does not grow with its size.
    """

    def __init__(self, json_file: IO[str] | None = None, *, dry_run: bool = False) -> None:
        self.counts: Counter[str] = Counter()
        self.warnings = 0
        self._json = json_file
        self._first = True
        if self._json is not None:
            self._json.write(f'{{"dry_run": {json.dumps(dry_run)}, "files": [\n')

    def add(self, entry: FileReport) -> None:
        self.counts[entry.outcome] += 1
        self.warnings += len(entry.warnings)
        if self._json is not None:
            separator = "" if self._first else ",\n"
            self._json.write(separator + json.dumps(asdict(entry), ensure_ascii=False))
            self._first = False

    def close(self) -> None:
        if self._json is not None:
            summary = {"total": self.total, **{o: self.counts[o] for o in self._outcomes()}}
            self._json.write(f'\n], "summary": {json.dumps(summary)}}}\n')

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def failed(self) -> int:
        return self.counts[FAILED]

    def _outcomes(self) -> tuple[str, ...]:
        # Skipped files are counted only when there are some, so that the report of an
        # archive of plain files keeps its shape.
        return (*OUTCOMES, SKIPPED) if self.counts[SKIPPED] else OUTCOMES

    def summary(self) -> str:
        parts = ", ".join(f"{self.counts[o]} {o}" for o in self._outcomes())
        return f"{self.total} files: {parts}; {self.warnings} warnings."
