"""Template helpers for the reader pages: structured data, cache-safe CSRF tokens, images
and the section menu."""

from __future__ import annotations

import json

from django import template
from django.db import DatabaseError
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..pagecache import CSRF, marks_for

register = template.Library()

# What json_script escapes, so that no text can close the <script> element early.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data) -> str:
    """``{{ data|json_ld }}``: a JSON-LD <script> block, safe for any text inside."""
    payload = json.dumps(data, ensure_ascii=False, default=str).translate(_JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308


@register.simple_tag(takes_context=True)
def page_csrf_token(context: template.Context) -> str:
    """Like ``{% csrf_token %}``, but a placeholder on pages that are being cached."""
    marks = context.get("placeholders") or marks_for(context.get("request"))
    if marks:
        return format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
            marks.mark(CSRF),
        )
    return CsrfTokenNode().render(context)


@register.inclusion_tag("newsroom/includes/section_menu.html", takes_context=True)
def section_menu(context: template.Context) -> dict:
    """The header's section menu: the view's ``menu`` if it read it already, else one
    query. An error page shown while the database is unreachable goes without."""
    from ..frontpage import menu_sections

    sections = context.get("menu")
    if sections is None:
        try:
            sections = menu_sections()
        except DatabaseError:
            sections = []
    return {"sections": sections}


@register.simple_tag
def picture(image, lead: bool = False, sizes: str = "") -> str:
    """``{% picture image lead=True %}``: the image's <picture>, lazy unless it is the
    lead image, with the renditions a prefetch read (made and stored if missing)."""
    from ..images.markup import COLUMN_SIZES, picture_html

    if image is None:
        return ""
    have = getattr(image, "_prefetched_objects_cache", {}).get("renditions")
    return picture_html(image, sizes=sizes or COLUMN_SIZES, lazy=not lead, have=have)
