"""Library images placed in a Markdown body: ``![alt text](image:42)``.

Python-Markdown turns the reference into ``<img alt="alt text" src="image:42">``; before
the HTML is sanitized, each such <img> becomes the image's <picture> (its renditions, width,
height, and the alt text written in the body, or the library's when the body gives none).
The result goes through the same sanitizer as the rest of the body.
"""

from __future__ import annotations

import html
import re

from django.utils.translation import gettext as _

from ..markdown_limits import MarkdownRefused

SCHEME = "image:"
# Python-Markdown writes an image as <img alt="…" src="…"> (title last, if any), with its
# attribute values escaped, so no value holds a double quote.
_REFERENCE = re.compile(r'<img alt="([^"]*)" src="image:(\d{1,12})"(?: title="[^"]*")? ?/?>')


# A library reference in Markdown source, as written: ![alt text](image:42).
_IN_SOURCE = re.compile(r"!\[[^\]\n]*\]\(\s*image:\d")


def places_images(source: str) -> bool:
    """Whether a Markdown body places library images (and so needs the database)."""
    return SCHEME in source and _IN_SOURCE.search(source) is not None


def place_images(rendered: str) -> str:
    """``rendered`` (Python-Markdown's output) with library references as <picture>s;
    ``MarkdownRefused`` names a reference to an image the library does not have."""
    if SCHEME not in rendered:
        return rendered
    from ..models import Image
    from .markup import picture_html

    wanted = {int(pk) for _alt, pk in _REFERENCE.findall(rendered)}
    images = Image.objects.prefetch_related("renditions").in_bulk(wanted)
    missing = sorted(wanted - images.keys())
    if missing:
        raise MarkdownRefused(
            "unknown_image",
            _(
                "the body places image %(numbers)s, which the image library does not have; "
                "use the number of an image in the library (![alt text](image:NUMBER))"
            )
            % {"numbers": ", ".join(f"#{pk}" for pk in missing)},
        )

    def picture(match: re.Match[str]) -> str:
        image = images[int(match.group(2))]
        alt = html.unescape(match.group(1)) or image.alt_text
        have = list(image.renditions.all())
        return picture_html(image, alt=alt, have=have)

    return _REFERENCE.sub(picture, rendered)


# A reference in Markdown source, with its number: ![alt text](image:42).
_NUMBER_IN_SOURCE = re.compile(r"!\[[^\]\n]*\]\(\s*image:(\d{1,12})\b")


def placed(source: str) -> set[int]:
    """The numbers of the library images a Markdown source places."""
    return {int(pk) for pk in _NUMBER_IN_SOURCE.findall(source)}


def render_again_placing(pks: set[int]) -> int:
    """Render again the bodies that place any of the images ``pks`` (a file fetched or
    replaced, an alt text changed): their HTML holds the renditions' URLs and the alt
    text. Returns how many items were rendered.

    A search through the bodies' text: run when images change, never for a page.
    """
    from .. import kinds

    if not pks:
        return 0
    needle = f"{SCHEME}{next(iter(pks))}" if len(pks) == 1 else SCHEME
    changed = 0
    for kind in kinds.registered():
        items = kind.model.objects.filter(body__contains=needle).order_by("pk")
        for item in items.iterator(chunk_size=500):
            if pks & placed(item.body):
                item.save(update_fields=["body"], touch=False)
                changed += 1
    return changed
