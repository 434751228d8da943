"""The registry of publishable kinds: each app registers its Publishable models here, and
the timeline, search, sitemaps, feeds, old-URL checks, importer and roles read it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ImproperlyConfigured

from .roles import EDITORS, MODERATORS, PUBLISHING, REPORTERS, REPORTING

if TYPE_CHECKING:
    from .importing.records import ParsedItem
    from .models import Publishable


class Kind:
    """One kind of publishable item: what every part of the site needs to know about it.

    Subclass it for a model, override the attributes (and hooks) that differ, and register
    an instance from the app's ``AppConfig.ready()``::

        kinds.register(QuickQuoteKind(QuickQuote))
    """

    # The detail view's URL name: an address it answers names an item by its slug.
    detail_view: ClassVar[str] = ""
    # Shown in the timeline, the feeds and the home page's breaking items.
    listed: ClassVar[bool] = True
    # Searched, with these fields and weights (PostgreSQL's A to D); a field the model
    # lacks is skipped. The order is the order the text is joined in.
    searchable: ClassVar[bool] = True
    search_weights: ClassVar[Mapping[str, str]] = {"title": "A", "description": "B", "body": "C"}
    # The sitemap section this kind is listed in, and its priority; "" keeps it out.
    sitemap_section: ClassVar[str] = ""
    sitemap_priority: ClassVar[float] = 0.5
    # Front matter ``section`` (or ``type``) values that make an imported file this kind,
    # compared without case, "_", "-" or spaces. Such a section names the kind, not a
    # Section of the site. The kind with ``import_default`` takes every other file.
    import_sections: ClassVar[frozenset[str]] = frozenset()
    import_default: ClassVar[bool] = False
    # Whether imported reader comments are kept (only a model with comments can).
    takes_comments: ClassVar[bool] = False
    # What each staff role may do with this kind's items (see ``newsroom.roles``).
    role_actions: ClassVar[Mapping[str, tuple[str, ...]]] = {
        EDITORS: PUBLISHING,
        MODERATORS: ("view",),
        REPORTERS: REPORTING,
    }

    def __init__(self, model: type[Publishable]) -> None:
        self.model = model

    def __repr__(self) -> str:
        return f"<Kind {self.name}: {self.model._meta.label}>"

    @property
    def name(self) -> str:
        """The kind's word in imported records and the timeline, e.g. ``"article"``."""
        return self.model._meta.model_name

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    def parse_warnings(self, item: ParsedItem) -> list[tuple[str, str]]:
        """Warnings about a freshly parsed item of this kind, as (message, source key)."""
        return []

    def fill_from_import(self, obj: Publishable, item: ParsedItem) -> list[str]:
        """Set the fields only this kind has from the parsed item; return warnings."""
        return []

    def feed_description(self, item: Publishable) -> str:
        return item.description


class ArticleKind(Kind):
    detail_view = "newsroom:article_detail"
    sitemap_section = "articles"
    sitemap_priority = 0.8
    import_default = True
    takes_comments = True

    def fill_from_import(self, obj: Publishable, item: ParsedItem) -> list[str]:
        from . import conf

        obj.dateline = item.dateline[:200]
        site_policy = conf.get("DISCUSSION_POLICY")
        keep = item.discussion_policy and not _same_text(item.discussion_policy, site_policy)
        obj.discussion_policy = item.discussion_policy if keep else ""
        return []


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


_registry: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind (from ``AppConfig.ready()``). Registering a model again replaces its kind."""
    taken = _registry.get(kind.name)
    if taken is not None and taken.model is not kind.model:
        raise ImproperlyConfigured(
            f"Two publishable kinds are named {kind.name!r}: {taken.model._meta.label} "
            f"and {kind.model._meta.label}."
        )
    _registry[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    _registry.pop(name, None)


def registered(**flags: Any) -> list[Kind]:
    """The kinds in the order their apps are installed, e.g. ``registered(listed=True)``."""
    return [
        kind
        for kind in _registry.values()
        if all(getattr(kind, flag) == value for flag, value in flags.items())
    ]


def get(name: str) -> Kind:
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"No publishable kind is named {name!r}.") from None


def for_model(model: type) -> Kind:
    for kind in _registry.values():
        if kind.model is model:
            return kind
    raise LookupError(f"{model.__name__} is not a registered publishable kind.")


def for_view(view_name: str | None) -> Kind | None:
    """The kind whose detail view has this URL name, if any."""
    for kind in _registry.values():
        if view_name and kind.detail_view == view_name:
            return kind
    return None


def for_section(section: str | None) -> Kind:
    """The kind an imported file with this front matter section becomes.

    >>> for_section("Quick_Quotes").name  # with the quick quotes app installed
    'quickquote'
    """
    wanted = re.sub(r"[\W_]", "", (section or "").lower())
    default = None
    for kind in _registry.values():
        if wanted in kind.import_sections:
            return kind
        if kind.import_default and default is None:
            default = kind
    if default is None:
        raise LookupError("No publishable kind takes imported files (import_default).")
    return default
