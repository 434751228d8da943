"""Rough edges a newcomer met in the first hour: an empty Atom author, a draft's preview
byline, the missing favicon and the admin's "Django administration"."""

from __future__ import annotations

import feedparser
import pytest
from django.urls import reverse

from newsroom.models import Article, Author

pytestmark = pytest.mark.django_db


def test_atom_items_without_a_byline_carry_no_author(client, make_article):
    bylined = make_article(title="With a byline")
    bylined.authors.add(Author.objects.create(name="Ani Petrosyan", slug="ani"))
    make_article(title="Without one")
    xml = client.get("/feeds/atom/").content.decode()
    assert "<name></name>" not in xml and "<name/>" not in xml
    assert xml.count("<author>") == 1
    entries = {entry.title: entry for entry in feedparser.parse(xml).entries}
    assert entries["With a byline"].author == "Ani Petrosyan"
    assert "author" not in entries["Without one"]


def test_a_drafts_preview_byline_names_no_publication_time(admin_client, make_article):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    preview = reverse("admin:newsroom_article_preview", args=[draft.pk])
    html = admin_client.get(preview).content.decode()
    byline = html.split('<p class="meta">', 1)[1].split("</p>", 1)[0]
    assert "Not published yet" in byline
    assert "Published" not in byline and "Updated" not in byline
    assert 'datetime=""' not in html


def test_every_reader_page_names_its_icon_and_the_icon_is_served(client, make_article):
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/newsroom/favicon.svg" type="image/svg+xml">' in html
    icon = client.get("/static/newsroom/favicon.svg")
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)
    redirect = client.get("/favicon.ico")
    assert redirect.status_code == 302 and redirect["Location"] == "/static/newsroom/favicon.svg"


def test_the_admin_says_newsroom(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "Django administration" not in html
    assert "<title>Site administration | Newsroom</title>" in html
    assert '<a href="/admin/">Newsroom</a>' in html
