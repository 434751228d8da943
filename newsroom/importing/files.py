"""Which files an import run reads, and the stable name each is known by."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

SOURCE_SUFFIXES = {".md", ".markdown", ".txt", ".toml", ".json"}


def find_source_files(paths: list[str]) -> Iterator[tuple[Path, str]]:
    """Yield (path, identity) for every source file under ``paths``, lazily, sorted.

    The identity is the file's path inside the folder given (or its name, for a file
    given directly), so the same archive imported from anywhere updates the same items.
    Hidden files and folders are skipped.
    """
    for given in paths:
        root = Path(given)
        if root.is_file():
            yield root, root.name
            continue
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                path = Path(folder, name)
                if not name.startswith(".") and path.suffix.lower() in SOURCE_SUFFIXES:
                    yield path, path.relative_to(root).as_posix()
