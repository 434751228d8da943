"""Author pages: the bio, the photo slot, and the author's RSS and Atom feeds (linked from
the page's head, as a section's and a tag's are), read with feedparser."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from newsroom.models import Article, Author

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(make_article, make_quote):
    ani = Author.objects.create(
        name="Ani Petrosyan",
        slug="ani",
        bio="Covers the border talks.\n\nBefore that, <b>city hall</b>.",
    )
    other = Author.objects.create(name="Karen Grigoryan", slug="karen")
    now = timezone.now()
    make_article(title="Her article", published_at=now - timedelta(hours=2)).authors.add(ani)
    make_quote(title="Her quote", published_at=now - timedelta(hours=1)).authors.add(ani)
    make_article(title="Shared", published_at=now - timedelta(hours=3)).authors.add(ani, other)
    make_article(title="Not hers").authors.add(other)
    make_article(title="Her draft", status=Article.Status.DRAFT).authors.add(ani)
    return ani


def test_the_author_page_shows_the_bio_as_text(client, author):
    html = client.get("/authors/ani/").content.decode()
    assert '<div class="author-card__bio"><p>Covers the border talks.</p>' in html
    assert "&lt;b&gt;city hall&lt;/b&gt;" in html and "<b>city hall</b>" not in html
    # no photo: no empty slot
    assert "image--portrait" not in html


def test_the_author_page_shows_the_photo_from_the_library(client, author):
    from newsroom.images import library
    from tests import image_files as files

    photo, _new = library.add(files.picture(800, 800), alt_text="Ani Petrosyan at her desk")
    author.photo = photo
    author.save()
    html = client.get("/authors/ani/").content.decode()
    portrait = html[html.index('<span class="image image--portrait">') :]
    portrait = portrait[: portrait.index("</span>")]
    assert "<picture>" in portrait and 'alt="Ani Petrosyan at her desk"' in portrait
    assert 'sizes="7rem"' in portrait and 'width="' in portrait


def test_the_author_page_links_its_feeds(client, author):
    html = client.get("/authors/ani/").content.decode()
    assert (
        '<link rel="alternate" type="application/rss+xml" title="Newsroom (RSS)" '
        'href="/feeds/authors/ani/rss/">'
    ) in html
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Newsroom (Atom)" '
        'href="/feeds/authors/ani/atom/">'
    ) in html


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_an_authors_feed_lists_their_published_items_newest_first(client, author, kind):
    response = client.get(f"/feeds/authors/ani/{kind}/")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == ("rss20" if kind == "rss" else "atom10")
    assert feed.feed.title == "Newsroom: Ani Petrosyan"
    assert feed.feed.link == "http://testserver/authors/ani/"
    assert [entry.title for entry in feed.entries] == ["Her quote", "Her article", "Shared"]
    assert "Ani Petrosyan" in feed.entries[2].author
    assert "Karen Grigoryan" in feed.entries[2].author


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_an_unknown_authors_feed_is_a_404(client, db, kind):
    assert client.get(f"/feeds/authors/nobody/{kind}/").status_code == 404


def test_an_authors_feed_stays_text(client, make_article):
    hostile = Author.objects.create(name='<script>alert("x")</script>', slug="x")
    make_article(title="<img src=x onerror=alert(1)>").authors.add(hostile)
    xml = client.get("/feeds/authors/x/atom/").content.decode()
    assert "<script>" not in xml and "<img" not in xml
    feed = feedparser.parse(xml)
    assert feed.entries[0].title == "<img src=x onerror=alert(1)>"
