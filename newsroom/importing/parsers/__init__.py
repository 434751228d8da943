"""The parser registry: decode a source file, recognise its format and run its parser.

For example ``parse_file("fixtures/000_90db8f93e677aa95.txt", raw, tz=UTC)`` returns
``ParsedItem(format="pagedump", title="Aliyev Threatens War via Twitter", ...)``.
"""

from __future__ import annotations

import codecs
from datetime import tzinfo
from pathlib import PurePath
from typing import Protocol

from ..records import ParsedItem, ParseError, Problem
from . import frontmatter, pagedump


class Parser(Protocol):
    def __call__(self, path: str, text: str, *, tz: tzinfo) -> ParsedItem: ...


PARSERS: dict[str, Parser] = {
    frontmatter.FORMAT: frontmatter.parse,
    pagedump.FORMAT: pagedump.parse,
}
SUFFIXES = {".md": frontmatter.FORMAT, ".markdown": frontmatter.FORMAT, ".txt": pagedump.FORMAT}
FRONT_MATTER_FENCES = ("---", "+++")


def opens_with_front_matter(text: str) -> bool:
    start = text.lstrip("\ufeff \t\r\n")
    return start.startswith("{") or start.split("\n", 1)[0].rstrip() in FRONT_MATTER_FENCES


def detect_format(path: str, text: str) -> str | None:
    """Name the format by how the text opens, else by the file's suffix; None if unknown.

    Front matter wins over the suffix because the archive has front matter files named .txt.

    >>> detect_format("fixtures/004.txt", "---\\ntitle: x\\n---\\n")
    'frontmatter'
    """
    if opens_with_front_matter(text):
        return frontmatter.FORMAT
    return SUFFIXES.get(PurePath(path).suffix.lower())


def looks_binary(raw: bytes) -> bool:
    """NUL bytes, or many control bytes, in the first 8 KiB: not a text file."""
    head = raw[:8192]
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f")
    return b"\x00" in head or controls > len(head) // 10


def decode(path: str, raw: bytes) -> tuple[str, list[Problem]]:
    """Decode UTF-8 (with or without a BOM), else Windows-1252 with a warning; turn CRLF
    and CR line endings into LF. A binary file is refused."""
    if not raw.strip():
        raise ParseError(path, Problem("the file is empty; nothing to import"))
    if looks_binary(raw):
        raise ParseError(
            path,
            Problem("this is a binary file, not text; only Markdown and text files import"),
        )
    problems = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # utf-8-sig counts from after the BOM; the message names the file's own offset.
        offset = exc.start + (len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0)
        line = raw.count(b"\n", 0, offset) + 1
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise ParseError(
                path,
                Problem(
                    f"byte 0x{raw[offset]:02x} at offset {offset} is neither UTF-8 nor "
                    "Windows-1252; re-save the file as UTF-8",
                    line=line,
                ),
            ) from exc
        problems.append(
            Problem(
                f"not UTF-8 (first bad byte 0x{raw[offset]:02x}); read as Windows-1252. "
                "Check the accented letters and quotes, and re-save the file as UTF-8",
                line=line,
            )
        )
    return text.replace("\r\n", "\n").replace("\r", "\n"), problems


def parse_file(path: str, raw: bytes, *, tz: tzinfo) -> ParsedItem:
    """Parse one source file; dates without a zone are read in tz."""
    text, problems = decode(path, raw)
    format_name = detect_format(path, text)
    if format_name is None:
        raise ParseError(
            path,
            Problem(
                "unknown format; supported are Markdown with front matter (.md, .markdown, or "
                "text opening with '---', '+++' or '{') and page dumps (.txt)"
            ),
        )
    item = PARSERS[format_name](path, text, tz=tz)
    item.warnings[:0] = problems
    return item
