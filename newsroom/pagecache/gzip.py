"""Gzip for cached pages: compressed once when stored, per-request tokens added on a hit.

A cached page is kept as text with placeholders for what differs per request (the CSRF
token, the comment form's token). Its gzip form is compressed piece by piece between the
placeholders, each piece ending with a full flush: no piece refers back to another, so
the values filled in for a request can go between them as stored (uncompressed) deflate
blocks (RFC 1951, section 3.2.4). A hit then costs no compression at all, and a token is
never compressed together with the page's text, so its length gives nothing away
(BREACH).

The gzip trailer holds the CRC-32 of the whole page. That of the text before the first
placeholder is computed once; the text after it is kept as well, uncompressed, for the
per-request CRC. On an article page the first placeholder is in the comment form, near
the end.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping, Sequence

# Member header: deflate, no flags, no modification time, no extra flags, unknown OS.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
# An empty final block (fixed Huffman codes, only the end-of-block code), byte-aligned
# after a flush: what ``zlib.compressobj(wbits=-15).flush()`` writes.
FINAL_BLOCK = b"\x03\x00"
STORED_BLOCK_MAX = 0xFFFF

# (pieces, head_crc, head_size, tail): ``pieces`` are the compressed text pieces with the
# placeholders (str) between them; ``tail`` is the text from the first placeholder on,
# uncompressed. Plain tuples and lists, so that the cache pickles them quickly.
Compressed = tuple[list[bytes | str], int, int, list[bytes | str]]


def compress(parts: Sequence[bytes | str], level: int = 6) -> Compressed:
    """Compress a page's text pieces (bytes), leaving its placeholders (str) in place."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    pieces: list[bytes | str] = []
    for part in parts:
        if isinstance(part, str):
            pieces.append(part)
        elif part:
            pieces.append(compressor.compress(part) + compressor.flush(zlib.Z_FULL_FLUSH))
    first = next((i for i, part in enumerate(parts) if isinstance(part, str)), len(parts))
    head = b"".join(parts[:first])
    return pieces, zlib.crc32(head), len(head), list(parts[first:])


def stored_blocks(data: bytes) -> bytes:
    """``data`` as non-final stored deflate blocks, at a byte boundary."""
    blocks = []
    for start in range(0, len(data), STORED_BLOCK_MAX):
        chunk = data[start : start + STORED_BLOCK_MAX]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


def assemble(compressed: Compressed, values: Mapping[str, bytes]) -> bytes:
    """The gzip member of the page with each placeholder replaced by its value."""
    pieces, crc, size, tail = compressed
    for part in tail:
        text = values[part] if isinstance(part, str) else part
        crc = zlib.crc32(text, crc)
        size += len(text)
    body = [GZIP_HEADER]
    for piece in pieces:
        body.append(stored_blocks(values[piece]) if isinstance(piece, str) else piece)
    body += [FINAL_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF)]
    return b"".join(body)


def placeholders(compressed: Compressed) -> list[str]:
    return [piece for piece in compressed[0] if isinstance(piece, str)]
