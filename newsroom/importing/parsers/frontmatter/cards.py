"""The later schemas' cards as Markdown for the body: a list (``cards: [...]``, a quick
read's ``quotes: [...]``) or numbered keys (``card_01`` … ``card_10``), in order.

For example ``card_1: {heading: Why, text: It matters., quote: No., citation: Ann}`` gives::

    ## Why

    It matters.

    > No.
    >
    > — Ann
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ...cleaning import clean_text, excerpt
from ..pagedump import to_markdown_line
from .values import NESTED

if TYPE_CHECKING:
    from .fields import _FrontMatterReader

CARD_KEY = re.compile(r"^card_?(\d{1,3})$", re.IGNORECASE)
LIST_KEYS = ("cards", "quotes")
# A card's parts, by the names the schemas gave them (compared without case).
HEADING = ("heading", "card_heading", "title", "card_title", "headline")
TEXT = ("text", "card_text", "body", "content", "card_body")
QUOTE = ("quote", "card_quote")
CITATION = ("citation", "card_citation", "quote_citation", "attribution", "cite")
IMAGE = ("image", "card_image", "image_url", "img")
CAPTION = ("caption", "image_caption", "card_image_caption", "card_caption")
ALT = ("alt", "image_alt", "card_image_alt")
SOURCE = ("source", "card_source", "source_url", "link", "url")
SOURCE_TEXT = ("source_text", "source_title", "source_name", "link_text")
_URL_KEYS = ("url", "href", "src", "image", "asset")
_TEXT_KEYS = ("text", "title", "name", "label")


def card_keys(meta: dict[str, Any]) -> list[str]:
    """The numbered card keys, in their numbers' order: card_2 before card_10."""
    numbered = [(int(m.group(1)), str(k)) for k in meta if (m := CARD_KEY.match(str(k)))]
    return [key for _, key in sorted(numbered)]


def cards_markdown(reader: _FrontMatterReader) -> str:
    """Take every card out of the front matter and return them as Markdown, in order."""
    parts = []
    for key in LIST_KEYS:
        value = reader.peek(key)
        if isinstance(value, list) and value:
            reader.pop(key)
            for index, card in enumerate(value, 1):
                parts.append(_card(reader, card, f"{key}.{index}"))
    for key in card_keys(reader.meta):
        parts.append(_card(reader, reader.pop(key), key))
    return "\n\n".join(part for part in parts if part)


def _take(card: dict, names: tuple[str, ...]) -> Any:
    for name in names:
        actual = next((k for k in card if str(k).lower() == name), None)
        if actual is not None:
            return card.pop(actual)
    return None


def _plain(reader: _FrontMatterReader, value: Any, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, NESTED):
        reader.warn("expected text, found a nested value; kept in the item's provenance", field)
        reader.keep(field, value)
        return ""
    return reader.clean(str(value), field).replace("\xa0", " ").strip()


def _url_and_text(reader: _FrontMatterReader, value: Any, field: str) -> tuple[str, str]:
    """A link or image given as a string, or as a mapping with a URL and a text."""
    if isinstance(value, dict):
        value = dict(value)
        url = _take(value, _URL_KEYS)
        if isinstance(url, dict):  # {asset: {url: ...}}
            url = _take(dict(url), _URL_KEYS)
        text = _take(value, (*_TEXT_KEYS, *CAPTION, *ALT))
        _keep_the_rest(reader, value, field)
        return _plain(reader, url, field), _plain(reader, text, field)
    return _plain(reader, value, field), ""


def _keep_the_rest(reader: _FrontMatterReader, parts: dict, field: str) -> None:
    for name, rest in parts.items():
        name = clean_text(str(name))[0]  # it is printed in reports, and a report is UTF-8
        reader.warn("has no column; kept in the item's provenance", f"{field}.{excerpt(name)}")
        reader.keep(f"{field}.{name}", rest)


def _is_address(url: str) -> bool:
    return url.lower().startswith(("http://", "https://")) or (
        url.startswith("/") and not url.startswith("//")
    )


def _escaped(text: str) -> str:
    return "\n".join(to_markdown_line(line) for line in text.split("\n"))


def _card(reader: _FrontMatterReader, card: Any, field: str) -> str:
    """One card as Markdown: subheading, text, quote with citation, figure, source link."""
    if not isinstance(card, dict):  # a card that is only its text
        return _plain(reader, card, field)
    card = dict(card)
    heading = _plain(reader, _take(card, HEADING), f"{field}.heading")
    text = _plain(reader, _take(card, TEXT), f"{field}.text")
    quote = _plain(reader, _take(card, QUOTE), f"{field}.quote")
    citation = _plain(reader, _take(card, CITATION), f"{field}.citation")
    image, image_text = _url_and_text(reader, _take(card, IMAGE), f"{field}.image")
    caption = _plain(reader, _take(card, CAPTION), f"{field}.caption") or image_text
    alt = _plain(reader, _take(card, ALT), f"{field}.alt") or caption
    source, source_text = _url_and_text(reader, _take(card, SOURCE), f"{field}.source")
    source_text = _plain(reader, _take(card, SOURCE_TEXT), field) or source_text
    _keep_the_rest(reader, card, field)

    parts = []
    if heading:
        parts.append("## " + to_markdown_line(heading.replace("\n", " ")))
    if text:
        parts.append(text)
    if quote:
        lines = _escaped(quote).split("\n")
        if citation:
            lines += ["", "— " + to_markdown_line(citation.replace("\n", " "))]
        parts.append("\n".join(f"> {line}".rstrip() for line in lines))
    elif citation and citation not in text:
        # Without a quote, the schema's citation names the card's link, usually already
        # in its text; otherwise it is shown as the card's attribution.
        parts.append("— " + to_markdown_line(citation.replace("\n", " ")))
    if image:
        if _is_address(image):
            parts.append(f"![{to_markdown_line(alt)}](<{image}>)")
        else:
            reader.warn(
                f"the card's image '{excerpt(image)}' is not an address (http, https or a "
                "path from the site's root); kept in the item's provenance",
                f"{field}.image",
            )
            reader.keep(f"{field}.image", image)
    if caption:
        parts.append("*" + _escaped(caption).replace("\n", " ") + "*")
    if source:
        label = to_markdown_line(source_text or "Source")
        if _is_address(source):
            parts.append(f"[{label}](<{source}>)")
        else:
            parts.append(to_markdown_line(f"Source: {source}"))
    elif source_text:
        parts.append(to_markdown_line(f"Source: {source_text}"))
    return "\n\n".join(parts)
