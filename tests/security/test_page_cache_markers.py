"""Reader text cannot forge the page cache's placeholders.

A cached page's per-visitor values (the CSRF token, the comment form's token) go where the
rendering put its marks, never where text that looks like a placeholder happens to be:
every spelling below, in every field a reader or an imported file controls, stays text on
every page, feed and compressed copy, and no page fails because of it.
"""

from __future__ import annotations

import gzip
import re
import secrets
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from newsroom.models import Article, Comment
from newsroom.pagecache import CACHE_HIT_HEADER, pages

pytestmark = pytest.mark.django_db

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# Placeholders as earlier versions spelled them, one whose number is too long for int(),
# and marks in the current spelling with nonces a reader might guess.
SPELLINGS = [
    "__newsroom_csrf__",
    "__newsroom_form_token_1__",
    "__newsroom_form_token_" + "9" * 4400 + "__",
    "newsroom-" + "0" * 32 + "-csrf",
    f"newsroom-{secrets.token_hex(16)}-form-1",
]
SHORT = [spelling for spelling in SPELLINGS if len(spelling) < 80]


@pytest.fixture
def article(make_article):
    return make_article(title="A quiet story", body="Nothing to see.")


@pytest.fixture
def forged_comments(article, make_comment):
    """Approved comments holding every spelling in the fields a reader fills in."""
    for spelling in SPELLINGS:
        make_comment(article, body=f"Look: {spelling} here.", status=Comment.Status.APPROVED)
    for spelling in SHORT:
        make_comment(
            article,
            author_name=f"Ann {spelling}",
            author_url=f"https://evil.example/collect?t={spelling}",
            body="Nice.",
            status=Comment.Status.APPROVED,
        )


def page_text(response) -> str:
    content = response.content
    if response.get("Content-Encoding") == "gzip":
        content = gzip.decompress(content)
    return content.decode()


def assert_inert(response, spellings=SPELLINGS) -> str:
    """The page answered, each spelling is in it as written, and no token went anywhere
    but the comment form."""
    assert response.status_code == 200
    html = page_text(response)
    for spelling in spellings:
        assert spelling in html
    tokens = CSRF_INPUT.findall(html)
    for token in tokens:
        assert html.count(token) == 1
    return html


@pytest.mark.parametrize("encoding", ["", "gzip"])
def test_comments_holding_placeholders_stay_text_on_the_cached_article(
    article, forged_comments, encoding
):
    url = article.get_absolute_url()
    miss = Client().get(url, HTTP_ACCEPT_ENCODING=encoding)
    hit = Client().get(url, HTTP_ACCEPT_ENCODING=encoding)
    assert (miss[CACHE_HIT_HEADER], hit[CACHE_HIT_HEADER]) == ("miss", "hit")
    for response in (miss, hit):
        html = assert_inert(response)
        assert len(CSRF_INPUT.findall(html)) == 1
        # The website link keeps its own query string: no visitor's token fills it.
        assert 'href="https://evil.example/collect?t=__newsroom_csrf__"' in html


def test_a_reader_can_still_post_from_that_cached_page(article, forged_comments, settings):
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0
    Client().get(article.get_absolute_url())
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(article.get_absolute_url())
    assert page[CACHE_HIT_HEADER] == "hit"
    html = page.content.decode()
    response = reader.post(
        f"/articles/{article.slug}/comments/",
        {
            "csrfmiddlewaretoken": CSRF_INPUT.search(html).group(1),
            "token": re.search(r'name="token" value="([^"]+)"', html).group(1),
            "author_name": "Ben",
            "body": "Still works.",
        },
    )
    assert response.status_code == 302


def test_a_staff_preview_and_an_uncached_page_show_the_same_text(
    article, forged_comments, settings, editor_client
):
    assert_inert(editor_client.get(article.get_absolute_url()))
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    assert_inert(Client().get(article.get_absolute_url()))


@pytest.fixture
def imported(tmp_path):
    """An archive file whose title, body and tags hold the placeholders."""
    tags = "\n".join(f"  - {spelling}" for spelling in SHORT)
    # In code spans: Markdown would read "__text__" as strong emphasis.
    body = "\n\n".join(f"Paragraph with `{spelling}`." for spelling in SPELLINGS)
    source = tmp_path / "forged.md"
    source.write_text(
        "---\n"
        f'title: "Title {SHORT[0]} {SHORT[1]}"\n'
        "date: 2024-05-01T10:00:00+00:00\n"
        "slug: forged\n"
        f"tags:\n{tags}\n"
        "---\n"
        f"{body}\n",
        encoding="utf-8",
    )
    call_command("import_sources", str(source), stdout=StringIO())
    return Article.objects.get(slug="forged")


@pytest.mark.parametrize("encoding", ["", "gzip"])
def test_imported_titles_bodies_and_tags_stay_text_on_pages_and_feeds(imported, encoding):
    assert imported.is_published
    tag = imported.tags.get(name__iexact=SHORT[2])
    pages = {
        imported.get_absolute_url(): SPELLINGS,
        "/": SHORT[:2],
        f"/tags/{tag.slug}/": SHORT[:2],
    }
    for url, spellings in pages.items():
        for _ in range(2):  # a miss, then a hit
            assert_inert(Client().get(url, HTTP_ACCEPT_ENCODING=encoding), spellings)
    for url in ("/feeds/rss/", "/feeds/atom/", f"/feeds/tags/{tag.slug}/rss/"):
        for _ in range(2):
            response = Client().get(url, HTTP_ACCEPT_ENCODING=encoding)
            text = page_text(response)
            assert response.status_code == 200
            assert SHORT[0] in text and SHORT[1] in text
            # Nothing per visitor in a feed: no token, no cookie, shared caches welcome.
            assert not response.cookies
            assert response.get("Cache-Control") != "private"


def test_a_page_that_cannot_be_filled_in_is_served_uncached(article, caplog):
    url = article.get_absolute_url()
    Client().get(url)
    page = pages.CachedPage(Client().get(url).wsgi_request, article.slug, ("reply",))
    content_type, parts = page.stored
    # An entry whose placeholder this version does not know, as an older release stored.
    broken = [parts[0], "__newsroom_form_token_" + "9" * 4400 + "__", *parts[1:]]
    from django.core.cache import cache

    cache.set(page.wanted, (page.versions, (content_type, broken)))
    response = Client().get(url)
    assert response.status_code == 200
    assert response[CACHE_HIT_HEADER] == "miss"  # rendered again, and stored anew
    assert "could not be filled in" in caplog.text
    assert Client().get(url)[CACHE_HIT_HEADER] == "hit"
