"""The one place an image becomes HTML: a <picture> with WebP and JPEG srcsets, width and
height (no layout shift), and always an ``alt`` attribute."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ..models import Image, Rendition
from .renditions import picture

# How wide an image is shown: the column (44rem, newsroom.css) on a wide screen, the viewport
# less its margins on a narrow one. The browser picks the smallest rendition that wide.
COLUMN_SIZES = "(min-width: 46rem) 44rem, calc(100vw - 2rem)"


def picture_html(
    image: Image,
    *,
    alt: str | None = None,
    sizes: str = COLUMN_SIZES,
    lazy: bool = True,
    have: list[Rendition] | None = None,
) -> SafeString:
    """``image`` as a <picture>; ``lazy`` for images below the fold (not the lead image).
    ``alt`` overrides the library's alt text; an empty one says the image is decorative."""
    found = picture(image, have)
    if found is None:
        return SafeString("")
    alt = image.alt_text if alt is None else alt
    sources = format_html_join(
        "",
        '<source type="{}" srcset="{}" sizes="{}">',
        ((kind, srcset, sizes) for kind, srcset in found.sources),
    )
    attributes = format_html(' src="{}"', found.src)
    if found.srcset:
        attributes += format_html(' srcset="{}" sizes="{}"', found.srcset, sizes)
    if found.width:
        attributes += format_html(' width="{}" height="{}"', found.width, found.height)
    attributes += format_html(' alt="{}"', alt)
    if lazy:
        attributes += SafeString(' loading="lazy"')
    return format_html("<picture>{}<img{}></picture>", sources, attributes)
