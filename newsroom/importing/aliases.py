"""Which old addresses an imported item may not claim as aliases (redirects), and why.

A redirect answers only where the site answers 404, so an alias on a live address would
hijack it the moment that page went away: an unpublished article's address would send its
readers to the importing item instead of answering 410.
"""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from .. import kinds
from ..models import Publishable


def item_at(path: str) -> Publishable | None:
    """The item of any kind (published or not) whose address this is, if any."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    # The kinds' detail views name an item by its slug.
    kind = kinds.for_view(match.view_name)
    if kind is None:
        return None
    return kind.model.objects.filter(slug=match.kwargs.get("slug")).first()


def why_reserved(alias: str) -> str | None:
    """Why the alias may not become a redirect, or None when it may.

    Refused: the home page, the admin, static and media files, and every address a URL
    pattern of the site answers: any item's (published or not) and every other view's.
    The alias is checked as written, percent-decoded (as requests are matched), and with
    the slash ``APPEND_SLASH`` would add, since each of these reaches the same page.
    """
    variants = dict.fromkeys([alias, unquote(alias)])
    if settings.APPEND_SLASH:
        variants.update(dict.fromkeys(v + "/" for v in list(variants) if not v.endswith("/")))
    for path in variants:
        reason = _reason(path)
        if reason is not None:
            return reason
    return None


def _prefixes() -> list[tuple[str, str]]:
    prefixes = []
    with suppress(NoReverseMatch):  # a site without the admin has none
        prefixes.append((reverse("admin:index"), _("the admin")))
    for url in (settings.STATIC_URL, settings.MEDIA_URL):
        if url and not urlsplit(str(url)).netloc:  # files served from another host are safe
            path = "/" + str(url).strip("/") + "/"
            if path != "//":
                prefixes.append((path, _("static and media files")))
    return prefixes


def _reason(path: str) -> str | None:
    if path.strip("/") == "":
        return _("the home page")
    for prefix, what in _prefixes():
        if path.startswith(prefix) or path == prefix.rstrip("/"):
            return _("an address of %(what)s (under %(prefix)s)") % {
                "what": what,
                "prefix": prefix,
            }
    try:
        match = resolve(path)
    except Resolver404:
        return None
    kind = kinds.for_view(match.view_name)
    if kind is not None:
        model = kind.model
        owner = model.objects.filter(slug=match.kwargs.get("slug")).first()
        if owner is not None:
            source = _(", from %s") % owner.source_path if owner.source_path else ""
            return _("the address of “%(title)s” (%(kind)s, %(status)s%(source)s)") % {
                "title": owner.title,
                "kind": model._meta.verbose_name,
                "status": owner.get_status_display(),
                "source": source,
            }
        return _("an address of the site's %(kind)s pages, which a new item may take") % {
            "kind": model._meta.verbose_name
        }
    return _("an address of one of the site's own pages (%(view)s)") % {
        "view": match.view_name or match.func.__name__
    }
