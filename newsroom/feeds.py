"""RSS and Atom feeds of the latest items, of a section, of a tag and of an author."""

from __future__ import annotations

import copy
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.db.models import Model
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, SyndicationFeed
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from . import conf, kinds, sites
from .models import Author, Publishable, Section
from .timeline import Timeline, attach_tag_names

FEED_SIZE = 30


class LatestFeed(Feed):
    description = _("The latest articles and quick quotes.")
    # Scheme and host of this request's links (``sites.site_url``), set by ``get_feed``.
    site_url = ""

    def get_feed(self, obj: Model | None, request: HttpRequest) -> SyndicationFeed:
        """The feed, its links made absolute here from the request's host or SITE_DOMAIN:
        Django's own take the sites framework's domain. Made on a copy, since one feed
        object serves every request."""
        feed = copy.copy(self)
        feed.site_url = sites.site_url(request)
        feed.path = request.path
        return super(LatestFeed, feed).get_feed(obj, request)

    def absolute(self, path: str) -> str:
        return self.site_url + path

    def feed_url(self, obj: None = None) -> str:
        return self.absolute(self.path)

    def title(self, obj: None = None) -> str:
        return conf.get("SITE_NAME")

    def link(self, obj: None = None) -> str:
        return self.absolute(reverse("newsroom:home"))

    def item_link(self, item: Publishable) -> str:
        return self.absolute(item.get_absolute_url())

    def items(self, obj: None = None) -> list[Publishable]:
        return attach_tag_names(Timeline.published()[:FEED_SIZE])

    def item_title(self, item: Publishable) -> str:
        return item.title

    def item_description(self, item: Publishable) -> str:
        return kinds.for_model(type(item)).feed_description(item)

    def item_pubdate(self, item: Publishable) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Publishable) -> datetime:
        # Atom's <updated>, and RSS's <lastBuildDate> (the newest of these): a correction
        # or update shows the item updated.
        return item.modified_at

    def item_author_name(self, item: Publishable) -> str | None:
        # None, not "": Atom would carry an empty <author><name/></author> for no byline.
        return ", ".join(author.name for author in item.authors.all()) or None

    def item_categories(self, item: Publishable) -> list[str]:
        return item.tag_names


class LatestAtomFeed(LatestFeed):
    feed_type = Atom1Feed
    subtitle = LatestFeed.description


class ObjectFeed(LatestFeed):
    """The latest of one section, tag or author, named by its slug: a subclass names the
    model, its page's URL name, its description and its items' timeline."""

    model: type[Model]
    page: str

    def get_object(self, request: HttpRequest, slug: str) -> Model:
        return get_object_or_404(self.model, slug=slug)

    def title(self, obj: Model) -> str:
        return f"{conf.get('SITE_NAME')}: {obj.name}"

    def link(self, obj: Model) -> str:
        return self.absolute(reverse(self.page, kwargs={"slug": obj.slug}))

    def items(self, obj: Model) -> list[Publishable]:
        return attach_tag_names(self.timeline(obj)[:FEED_SIZE])

    def timeline(self, obj: Model) -> Timeline:
        raise NotImplementedError


class AtomVersion:
    """Makes an ``ObjectFeed`` Atom, its subtitle the RSS feed's description."""

    feed_type = Atom1Feed

    def subtitle(self, obj: Model) -> str:
        return self.description(obj)


class SectionFeed(ObjectFeed):
    model = Section
    page = "newsroom:section"

    def description(self, obj: Section) -> str:
        return obj.description or _("The latest in %(section)s.") % {"section": obj.name}

    def timeline(self, obj: Section) -> Timeline:
        return Timeline.published(section=obj)


class TagFeed(ObjectFeed):
    model = Tag
    page = "newsroom:tag"

    def description(self, obj: Tag) -> str:
        return _("The latest tagged “%(tag)s”.") % {"tag": obj.name}

    def timeline(self, obj: Tag) -> Timeline:
        return Timeline.of(lambda model: model.objects.published().tagged(obj))


class AuthorFeed(ObjectFeed):
    model = Author
    page = "newsroom:author"

    def description(self, obj: Author) -> str:
        return _("The latest by %(author)s.") % {"author": obj.name}

    def timeline(self, obj: Author) -> Timeline:
        return Timeline.published(authors=obj)


class SectionAtomFeed(AtomVersion, SectionFeed):
    pass


class TagAtomFeed(AtomVersion, TagFeed):
    pass


class AuthorAtomFeed(AtomVersion, AuthorFeed):
    pass
