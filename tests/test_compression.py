"""Gzip for kept pages: compressed once, per-request values added between the pieces."""

import gzip
import zlib

from hypothesis import given
from hypothesis import strategies as st

from newsroom.pagecache.gzip import STORED_BLOCK_MAX, assemble, compress, placeholders

NAMES = ["__csrf__", "__form__"]
pages = st.lists(st.one_of(st.binary(max_size=3000), st.sampled_from(NAMES)), max_size=12)
values = st.fixed_dictionaries({name: st.binary(max_size=200) for name in NAMES})


def filled(parts, values) -> bytes:
    return b"".join(values[part] if isinstance(part, str) else part for part in parts)


@given(pages, values)
def test_the_gzip_member_holds_the_page_with_its_values(parts, values):
    body = assemble(compress(parts), values)
    # gzip checks the trailer's CRC-32 and length as well.
    assert gzip.decompress(body) == filled(parts, values)
    # One member, nothing after it: what a browser's decoder sees.
    decoder = zlib.decompressobj(wbits=31)
    assert decoder.decompress(body) == filled(parts, values)
    assert decoder.eof and not decoder.unused_data


def test_text_repeated_in_the_page_compresses():
    parts = [b"<li>comment</li>" * 2000, "__csrf__", b"</ul>" * 100]
    body = assemble(compress(parts), {"__csrf__": b"t" * 64})
    assert len(body) < len(filled(parts, {"__csrf__": b"t" * 64})) / 20


def test_values_are_stored_verbatim_never_compressed_with_the_page():
    # A token that also occurs in the page's text is not shortened by a back-reference,
    # so the response's length says nothing about how much of it a page matches.
    token = b"a1b2c3d4" * 8
    parts = [b"<p>" + token + b"</p>", "__csrf__", b"<p>" + token[:40] + b"</p>"]
    body = assemble(compress(parts), {"__csrf__": token})
    assert body.count(token) == 1
    assert gzip.decompress(body) == filled(parts, {"__csrf__": token})


def test_a_value_longer_than_a_stored_block():
    value = bytes(range(256)) * ((STORED_BLOCK_MAX // 256) + 3)
    parts = [b"head", "__csrf__", b"tail"]
    assert gzip.decompress(assemble(compress(parts), {"__csrf__": value})) == (
        b"head" + value + b"tail"
    )


def test_placeholders_are_listed_in_page_order():
    assert placeholders(compress([b"a", "__form__", b"b", "__csrf__", "__form__"])) == [
        "__form__",
        "__csrf__",
        "__form__",
    ]
