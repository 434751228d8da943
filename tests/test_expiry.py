"""Scheduled unpublishing: an item's expiry time hides it from readers everywhere, with no
cron job, its address answers 410 Gone, the page cache never outlives it, and staff still
preview it."""

from __future__ import annotations

import time
from datetime import timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsroom.models import Article, Author, Comment
from newsroom.pagecache import CACHE_HIT_HEADER
from newsroom.views import next_visibility_change
from quickquotes.models import QuickQuote
from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def expired(make_article, make_quote, section):
    """An article and a quote, tagged, in a section and by an author, that expired an hour
    ago, next to ones that are still up."""
    now = timezone.now()
    author = Author.objects.create(name="Ann Writer", slug="ann-writer")
    made = {}
    for state, expires_at in [("Withdrawn", now - timedelta(hours=1)), ("Standing", None)]:
        fields = {
            "section": section,
            "published_at": now - timedelta(days=1),
            "expires_at": expires_at,
        }
        article = make_article(title=f"{state} article", body=f"{state} body.", **fields)
        quote = make_quote(title=f"{state} quote", quote=f"{state} words.", **fields)
        for item in (article, quote):
            item.authors.add(author)
            item.tags.add("elections")
        made[state] = (article, quote)
    return made["Withdrawn"]


# --- the model ---------------------------------------------------------------------------


def test_published_excludes_expired_items_at_query_time(make_article):
    now = timezone.now()
    item = make_article(expires_at=now + timedelta(hours=1))
    assert list(Article.objects.published()) == [item]
    assert item.is_published and not item.is_expired
    later = now + timedelta(hours=2)
    assert list(Article.objects.published(later)) == []
    assert list(Article.objects.expired(later)) == [item]


def test_the_expiry_counts_at_its_exact_time(make_article, monkeypatch):
    now = timezone.now()
    item = make_article(expires_at=now + timedelta(minutes=5))
    monkeypatch.setattr(timezone, "now", lambda: item.expires_at)
    assert not item.is_published and item.is_expired
    assert not Article.objects.published().exists()


# --- what readers no longer see ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/", "/sections/world/", "/tags/elections/", "/authors/ann-writer/", "archive"],
)
def test_an_expired_item_leaves_every_listing(client, expired, url):
    if url == "archive":
        published = expired[0].published_at
        url = reverse("newsroom:archive", kwargs={"year": published.year, "month": published.month})
    html = client.get(url).content.decode()
    assert "Standing article" in html and "Standing quote" in html
    assert "Withdrawn" not in html


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/", "/feeds/tags/elections/atom/"])
def test_an_expired_item_leaves_the_feeds(client, expired, url):
    feed = feedparser.parse(client.get(url).content)
    titles = {entry.title for entry in feed.entries}
    assert titles == {"Standing article", "Standing quote"}


def test_an_expired_item_leaves_the_sitemaps(client, expired):
    article, quote = expired
    locations = set()
    for part in ["/sitemap-articles.xml", "/sitemap-quotes.xml", "/sitemap-news.xml"]:
        root = ElementTree.fromstring(client.get(part).content)  # noqa: S314 (our own output)
        locations |= {loc.text for loc in root.iter(f"{SITEMAP}loc")}
    standing = [
        Article.objects.get(title="Standing article"),
        QuickQuote.objects.get(title="Standing quote"),
    ]
    paths = {"/" + location.split("://", 1)[1].split("/", 1)[1] for location in locations}
    assert paths == {item.get_absolute_url() for item in standing}
    assert article.get_absolute_url() not in paths and quote.get_absolute_url() not in paths


def test_an_expired_item_leaves_search(client, expired):
    results = client.get("/search/", {"q": "withdrawn"}).context["results"]
    assert results == []
    assert len(client.get("/search/", {"q": "standing"}).context["results"]) == 2


def test_readers_are_told_an_expired_item_is_gone(client, expired):
    for item in expired:
        response = client.get(item.get_absolute_url())
        assert response.status_code == 410
        assert "This page is gone" in response.content.decode()
        assert "Withdrawn" not in response.content.decode()


def test_a_draft_or_a_missing_item_is_still_a_404(client, make_article):
    draft = make_article(status=Article.Status.DRAFT, expires_at=None)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/articles/no-such-thing/").status_code == 404
    assert client.get("/quotes/no-such-thing/").status_code == 404


def test_an_old_url_of_an_expired_item_answers_410(client, expired):
    article, _quote = expired
    Redirect.objects.create(
        site=Site.objects.get_current(),
        old_path="/old/withdrawn/",
        new_path=article.get_absolute_url(),
    )
    assert client.get("/old/withdrawn/").status_code == 410


def test_comments_cannot_be_posted_to_an_expired_article(client, expired):
    article, _quote = expired
    url = reverse("newsroom:post_comment", kwargs={"slug": article.slug})
    assert client.post(url, {"name": "A", "body": "Hello"}).status_code == 410


# --- staff ---------------------------------------------------------------------------------


def test_staff_preview_an_expired_item_with_a_banner(admin_client, expired):
    for item in expired:
        response = admin_client.get(item.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert "Preview: expired on" in html
        assert item.title in html


def test_the_admin_lists_expired_items_apart(admin_client, expired):
    article, _quote = expired
    url = reverse("admin:newsroom_article_changelist")
    response = admin_client.get(url, {"visibility": "expired"})
    assert list(response.context["cl"].result_list) == [article]
    assert '<td class="field-visibility">Expired</td>' in response.content.decode()


# --- the page cache --------------------------------------------------------------------------


def _stored_timeouts(monkeypatch) -> list[int]:
    stored: list[int] = []
    real_set_many = cache.set_many
    monkeypatch.setattr(
        cache,
        "set_many",
        lambda entries, timeout: stored.append(timeout) or real_set_many(entries, timeout),
    )
    return stored


def test_the_next_expiry_counts_like_the_next_publication(make_article, make_quote):
    now = timezone.now()
    make_article(published_at=now + timedelta(hours=3))
    make_quote(expires_at=now + timedelta(hours=2))
    make_article(expires_at=now - timedelta(hours=2))  # expired already: no longer a change
    make_article(
        status=Article.Status.DRAFT, published_at=None, expires_at=now + timedelta(hours=1)
    )
    assert next_visibility_change(now) == now + timedelta(hours=2)


@pytest.mark.parametrize("url", ["/", "/feeds/rss/", "/sitemap-quotes.xml", "/sitemap.xml"])
def test_cached_listings_feeds_and_sitemaps_expire_with_the_next_expiry(
    client, make_quote, monkeypatch, url
):
    make_quote(expires_at=timezone.now() + timedelta(seconds=90))
    stored = _stored_timeouts(monkeypatch)
    assert client.get(url).status_code == 200
    assert stored and 80 <= stored[0] <= 91


@pytest.mark.parametrize("kind", ["article", "quote"])
def test_a_cached_item_page_expires_with_its_item(
    client, make_article, make_quote, monkeypatch, kind
):
    make = make_article if kind == "article" else make_quote
    item = make(expires_at=timezone.now() + timedelta(seconds=90))
    stored = _stored_timeouts(monkeypatch)
    assert client.get(item.get_absolute_url()).status_code == 200
    # The page (and, for an article, its parts, which the whole page does not outlive).
    assert stored and 80 <= min(stored) <= 91


def test_the_cache_never_serves_a_page_past_its_expiry(make_article):
    """End to end, in real time: the cached page and the article's cached row both end."""
    item = make_article(title="Short-lived", expires_at=timezone.now() + timedelta(seconds=1.5))
    first = Client().get(item.get_absolute_url())
    assert first.status_code == 200 and first[CACHE_HIT_HEADER] == "miss"
    assert Client().get(item.get_absolute_url())[CACHE_HIT_HEADER] == "hit"
    time.sleep(max(0.0, (item.expires_at - timezone.now()).total_seconds()) + 1.2)
    assert Client().get(item.get_absolute_url()).status_code == 410
    assert "Short-lived" not in Client().get("/").content.decode()


# --- validation -----------------------------------------------------------------------------


def _with_times(data: dict, **moments) -> dict:
    for name, moment in moments.items():
        local = timezone.localtime(moment)
        data[f"{name}_0"] = local.strftime("%Y-%m-%d")
        data[f"{name}_1"] = local.strftime("%H:%M:%S")
    return data


def test_the_admin_refuses_an_expiry_before_the_publication(admin_client, make_quote):
    quote = make_quote()
    url = reverse("admin:quickquotes_quickquote_change", args=[quote.pk])
    data = _with_times(
        change_form_data(admin_client, url), expires_at=quote.published_at - timedelta(days=1)
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors.as_data()
    assert [error.code for error in errors["expires_at"]] == ["expires_before_publication"]
    assert "The expiry time must be after the publication time" in response.content.decode()
    quote.refresh_from_db()
    assert quote.expires_at is None


def test_an_expiry_after_the_publication_is_saved(admin_client, make_quote):
    quote = make_quote()
    url = reverse("admin:quickquotes_quickquote_change", args=[quote.pk])
    expires_at = (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    data = _with_times(change_form_data(admin_client, url), expires_at=expires_at)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    quote.refresh_from_db()
    assert quote.expires_at == expires_at


def test_an_unpublished_item_may_not_expire_in_the_past(make_quote):
    from django.core.exceptions import ValidationError

    quote = QuickQuote(
        title="T",
        slug="t",
        quote="Q",
        status=QuickQuote.Status.DRAFT,
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    with pytest.raises(ValidationError) as raised:
        quote.full_clean()
    assert raised.value.error_dict["expires_at"][0].code == "expires_before_publication"


def test_a_comment_of_an_expired_article_is_gone_too(client, expired, make_comment):
    article, _quote = expired
    comment = make_comment(article, status=Comment.Status.APPROVED)
    permalink = reverse("newsroom:comment_permalink", args=[article.slug, comment.pk])
    assert client.get(permalink).status_code == 410
    # An address that never was is still a 404.
    assert client.get(reverse("newsroom:comment_permalink", args=["nothing", 1])).status_code == 404


# --- the importer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expiry", "gone", "warning"),
    [
        ("2999-01-01T00:00:00Z", False, None),
        ("2021-06-01T00:00:00Z", True, "has passed"),
        ("2020-01-01T00:00:00Z", False, "not after the publication date"),
    ],
)
def test_hugos_expiry_date_is_imported(tmp_path, client, expiry, gone, warning):
    from io import StringIO

    from django.core.management import call_command

    (tmp_path / "post.md").write_text(
        "---\ntitle: Withdrawn Offer\ndate: 2021-03-01T10:00:00Z\n"
        f"expiryDate: {expiry}\n---\nThe offer stands.\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("import_sources", str(tmp_path), stdout=out)
    article = Article.objects.get()
    assert (article.expires_at is not None) is (warning != "not after the publication date")
    assert client.get(article.get_absolute_url()).status_code == (410 if gone else 200)
    if warning:
        assert warning in out.getvalue()
    assert "expiryDate" not in article.source_extra
