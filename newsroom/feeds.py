"""RSS and Atom feeds of the latest items, of a section and of a tag."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from . import conf, kinds
from .models import Section
from .timeline import Timeline, attach_tag_names

FEED_SIZE = 30


class LatestFeed(Feed):
    description = _("The latest articles and quick quotes.")

    def title(self, obj=None) -> str:
        return conf.get("SITE_NAME")

    def link(self, obj=None) -> str:
        return reverse("newsroom:home")

    def items(self, obj=None):
        return attach_tag_names(Timeline.published()[:FEED_SIZE])

    def item_title(self, item) -> str:
        return item.title

    def item_description(self, item) -> str:
        return kinds.for_model(type(item)).feed_description(item)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item) -> str:
        return ", ".join(author.name for author in item.authors.all())

    def item_categories(self, item) -> list[str]:
        return item.tag_names


class LatestAtomFeed(LatestFeed):
    feed_type = Atom1Feed
    subtitle = LatestFeed.description


class SectionFeed(LatestFeed):
    def get_object(self, request, slug: str) -> Section:
        return get_object_or_404(Section, slug=slug)

    def title(self, obj) -> str:
        return f"{conf.get('SITE_NAME')}: {obj.name}"

    def link(self, obj) -> str:
        return reverse("newsroom:section", kwargs={"slug": obj.slug})

    def description(self, obj) -> str:
        return obj.description or _("The latest in %(section)s.") % {"section": obj.name}

    def items(self, obj):
        return attach_tag_names(Timeline.published(section=obj)[:FEED_SIZE])


class SectionAtomFeed(SectionFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj) -> str:
        return self.description(obj)


class TagFeed(LatestFeed):
    def get_object(self, request, slug: str) -> Tag:
        return get_object_or_404(Tag, slug=slug)

    def title(self, obj) -> str:
        return f"{conf.get('SITE_NAME')}: {obj.name}"

    def link(self, obj) -> str:
        return reverse("newsroom:tag", kwargs={"slug": obj.slug})

    def description(self, obj) -> str:
        return _("The latest tagged “%(tag)s”.") % {"tag": obj.name}

    def items(self, obj):
        return attach_tag_names(Timeline.published(tags__slug=obj.slug)[:FEED_SIZE])


class TagAtomFeed(TagFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj) -> str:
        return self.description(obj)
