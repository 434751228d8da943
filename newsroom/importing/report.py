"""What an import run says about each file, on the terminal and as a JSON report."""

from __future__ import annotations

import json
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


@dataclass
class FileReport:
    path: str
    format: str | None = None
    outcome: str = FAILED
    object: dict[str, Any] | None = None  # model, pk, slug, url, title
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        target = f" → {self.object['url']}" if self.object else ""
        return f"{self.outcome:<9} {self.path}{target}"


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
            summary = {"total": self.total, **{o: self.counts[o] for o in OUTCOMES}}
            self._json.write(f'\n], "summary": {json.dumps(summary)}}}\n')

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def failed(self) -> int:
        return self.counts[FAILED]

    def summary(self) -> str:
        parts = ", ".join(f"{self.counts[o]} {o}" for o in OUTCOMES)
        return f"{self.total} files: {parts}; {self.warnings} warnings."
