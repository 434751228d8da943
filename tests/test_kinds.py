"""The registry of publishable kinds (newsroom/kinds.py) and what its readers take from it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from newsroom import kinds
from newsroom.importing.records import ParsedItem
from newsroom.models import Article
from newsroom.roles import EDITORS, MODERATORS, PUBLISHING, REPORTERS, role_permissions
from quickquotes.kinds import QuickQuoteKind
from quickquotes.models import QuickQuote


@pytest.fixture
def restore_registry():
    saved = dict(kinds._registry)
    yield
    kinds._registry.clear()
    kinds._registry.update(saved)


def test_each_app_registers_its_kind_in_install_order():
    assert [(kind.name, kind.model) for kind in kinds.registered()] == [
        ("article", Article),
        ("quickquote", QuickQuote),
    ]
    assert isinstance(kinds.get("quickquote"), QuickQuoteKind)
    assert kinds.for_model(Article).label == "article"


def test_registered_filters_by_attribute():
    assert [kind.name for kind in kinds.registered(takes_comments=True)] == ["article"]
    assert [kind.name for kind in kinds.registered(sitemap_section="quotes")] == ["quickquote"]


def test_unknown_names_and_models_are_a_lookup_error():
    with pytest.raises(LookupError):
        kinds.get("podcast")
    with pytest.raises(LookupError):
        kinds.for_model(int)


def test_detail_views_name_their_kind():
    assert kinds.for_view("newsroom:article_detail").model is Article
    assert kinds.for_view("quickquotes:detail").model is QuickQuote
    assert kinds.for_view("newsroom:home") is None
    assert kinds.for_view(None) is None


@pytest.mark.parametrize(
    ("section", "kind"),
    [
        ("quickquotes", "quickquote"),
        ("Quick_Quotes", "quickquote"),
        ("quick-quotes", "quickquote"),
        ("Quick Quotes", "quickquote"),
        ("world", "article"),
        ("", "article"),
        (None, "article"),
    ],
)
def test_a_front_matter_section_picks_the_kind(section, kind):
    assert kinds.for_section(section).name == kind


def test_a_second_kind_with_a_taken_name_is_refused(restore_registry):
    class Impostor(kinds.Kind):
        @property
        def name(self) -> str:
            return "article"

    with pytest.raises(ImproperlyConfigured):
        kinds.register(Impostor(QuickQuote))


def test_registering_a_model_again_replaces_its_kind(restore_registry):
    replacement = kinds.register(QuickQuoteKind(QuickQuote))
    assert kinds.get("quickquote") is replacement
    assert [kind.name for kind in kinds.registered()] == ["article", "quickquote"]


def test_without_a_default_kind_sections_cannot_be_imported(restore_registry):
    kinds.unregister("article")
    assert kinds.for_section("quickquotes").name == "quickquote"
    with pytest.raises(LookupError):
        kinds.for_section("world")


def test_a_registered_kind_reaches_the_timeline_and_the_sitemap(restore_registry):
    from newsroom.sitemaps import site_sitemaps
    from newsroom.timeline import Timeline

    kinds.unregister("quickquote")
    assert list(Timeline.published().sources) == ["article"]
    assert list(site_sitemaps()) == ["home", "articles", "sections"]
    kinds.register(QuickQuoteKind(QuickQuote))
    assert list(Timeline.published().sources) == ["article", "quickquote"]
    assert list(site_sitemaps()) == ["home", "articles", "quotes", "sections"]


@pytest.mark.django_db
def test_a_timeline_of_one_kind_pages_without_a_union(restore_registry, make_article):
    from newsroom.timeline import Timeline

    kinds.unregister("quickquote")
    made = [make_article() for _ in range(3)]
    timeline = Timeline.published()
    assert timeline.count() == 3
    assert {item.pk for item in timeline[0:2]} <= {item.pk for item in made}
    assert len(timeline[0:10]) == 3


def test_roles_take_each_kinds_permissions():
    permissions = role_permissions()
    assert permissions[EDITORS]["newsroom"]["article"] == PUBLISHING
    assert permissions[EDITORS]["quickquotes"]["quickquote"] == PUBLISHING
    assert permissions[REPORTERS]["newsroom"]["article"] == ("add", "change", "view")
    assert permissions[REPORTERS]["quickquotes"]["quickquote"] == ("add", "change", "view")
    assert permissions[MODERATORS]["newsroom"]["article"] == ("view",)
    assert permissions[MODERATORS]["quickquotes"]["quickquote"] == ("view",)
    assert permissions[EDITORS]["newsroom"]["comment"] == ("add", "change", "view", "moderate")


def test_the_quick_quote_kind_fills_and_checks_its_own_fields():
    kind = kinds.get("quickquote")
    item = ParsedItem(path="q.md", format="frontmatter", kind="quickquote", title="Q", slug="q")
    assert kind.parse_warnings(item) == [
        ("this quick quote has no quote; add featured_quote.quote", "featured_quote")
    ]
    item.quote, item.citation = "We will win.", "x" * 600
    quote = QuickQuote()
    assert kind.fill_from_import(quote, item) == []
    assert (quote.quote, len(quote.citation)) == ("We will win.", 500)
    assert kind.feed_description(quote) == "“We will win.”"
    quote.description = "Said today."
    assert kind.feed_description(quote) == "Said today."


def test_search_weighs_the_fields_each_kind_names():
    from newsroom.search import _weights

    assert _weights(Article) == {"title": "A", "description": "B", "body": "C"}
    assert list(_weights(QuickQuote)) == [
        *("title", "description", "quote", "summary", "speaker", "citation", "body")
    ]
