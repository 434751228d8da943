"""The front page as editors arrange it: breaking items, the lead story (the first pin, or
the newest item without pins), the other pins in order, the latest of each menu section.

Everything is read in a fixed number of queries: one for the pins, one per kind for the
breaking items, one per kind and menu section, and two per kind for the items themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType

from . import kinds
from .models import FrontPagePin, Publishable, Section
from .timeline import Timeline, by_kind, load_items

# How many of each the front page shows.
BREAKING_SHOWN = 5
PINS_SHOWN = 12
SECTION_ITEMS = 3
# The most sections the menu (and the front page) lists.
MENU_SIZE = 10


def menu_sections() -> list[Section]:
    """The sections marked for the menu, in their order; while none is marked, the first
    sections by name, so that a new site has a menu. One query."""
    sections = list(Section.objects.order_by("-in_menu", "menu_order", "name")[:MENU_SIZE])
    marked = [section for section in sections if section.in_menu]
    return marked or sections


@dataclass
class SectionBlock:
    section: Section
    items: list[Publishable]


@dataclass
class FrontPage:
    breaking: list[Publishable] = field(default_factory=list)
    lead: Publishable | None = None
    pinned: list[Publishable] = field(default_factory=list)
    sections: list[SectionBlock] = field(default_factory=list)

    def shown(self) -> set[tuple[str, int]]:
        """The (kind, pk) of the items shown as stories (not the breaking links)."""
        items = [self.lead, *self.pinned, *(i for block in self.sections for i in block.items)]
        return {_key(item) for item in items if item is not None}


def _key(item: Publishable) -> tuple[str, int]:
    return (item._meta.model_name, item.pk)


def pinned_keys() -> list[tuple[str, int]]:
    """The current pins' items, (kind, pk), in the pins' order. One query (content types
    come from Django's cache)."""
    listed = {kind.model: kind.name for kind in kinds.registered(listed=True)}
    rows = FrontPagePin.objects.current().values_list("content_type_id", "object_id")
    keys = []
    for content_type_id, object_id in rows[:PINS_SHOWN]:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model in listed:
            keys.append((listed[model], object_id))
    return keys


def build(sections: list[Section], latest: list[Publishable]) -> FrontPage:
    """The front page over ``latest`` (the newest items, the fallback lead)."""
    pins = pinned_keys()
    breaking_rows = Timeline.of(lambda model: model.objects.breaking()).newest_rows(BREAKING_SHOWN)
    # Enough of each section's newest to show SECTION_ITEMS that are neither pinned nor
    # the lead (without pins, the newest item).
    per_section = SECTION_ITEMS + len(pins) + 1
    section_rows = {
        section.pk: Timeline.published(section=section).newest_rows(per_section)
        for section in sections
    }
    keys = [*pins, *((kind, pk) for _at, pk, kind in breaking_rows)]
    keys += [(kind, pk) for rows in section_rows.values() for _at, pk, kind in rows]
    # A pin of an item readers cannot see (yet, or any more) shows nothing.
    found = load_items(by_kind(keys), published=True)

    def item(key: tuple[str, int]) -> Publishable | None:
        return found.get(key[0], {}).get(key[1])

    pinned = [i for i in map(item, pins) if i is not None]
    page = FrontPage(breaking=[item((kind, pk)) for _at, pk, kind in breaking_rows])
    if pinned:
        page.lead, page.pinned = pinned[0], pinned[1:]
    elif latest:
        page.lead = latest[0]
    taken = page.shown()
    for section in sections:
        rows = [(kind, pk) for _at, pk, kind in section_rows[section.pk]]
        items = [item(key) for key in rows if key not in taken][:SECTION_ITEMS]
        if items:
            page.sections.append(SectionBlock(section, items))
            taken |= {_key(i) for i in items}
    return page
