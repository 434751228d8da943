"""The site's address in links: the request's host without SITE_DOMAIN (ALLOWED_HOSTS
guarding it), SITE_DOMAIN everywhere with it; emails carry the queueing request's."""

from __future__ import annotations

from xml.etree import ElementTree

import feedparser
import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.urls import reverse

from newsroom import sites
from newsroom.models import Author, Comment, Section
from tests.admin_forms import change_form_data
from tests.form_tokens import sent_form_token

pytestmark = pytest.mark.django_db

HOST = "127.0.0.1:8001"  # `make run PORT=8001`
LOC = "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"


@pytest.fixture
def content(make_article, make_quote):
    section = Section.objects.create(name="World", slug="world")
    author = Author.objects.create(name="Ani Petrosyan", slug="ani")
    article = make_article(title="Story", slug="story", section=section)
    article.authors.add(author)
    article.tags.add("Talks")
    make_quote(title="Quote", slug="quote", section=section)
    return article


@pytest.fixture
def site_named_elsewhere(settings):
    """The sites framework's Site names a domain nobody asked for (as a fresh database's
    example.com does): no link may take it."""
    settings.ALLOWED_HOSTS = ["127.0.0.1", "news.example", "testserver"]
    Site.objects.filter(pk=settings.SITE_ID).update(domain="stale.example")
    Site.objects.clear_cache()
    yield
    Site.objects.clear_cache()


FEEDS = [
    "/feeds/rss/",
    "/feeds/atom/",
    "/feeds/sections/world/rss/",
    "/feeds/tags/talks/atom/",
    "/feeds/authors/ani/rss/",
    "/feeds/authors/ani/atom/",
]


def _feed_links(client, url: str, host: str) -> list[str]:
    feed = feedparser.parse(client.get(url, HTTP_HOST=host).content)
    assert not feed.bozo, feed.bozo_exception
    links = [feed.feed.link, *(entry.link for entry in feed.entries)]
    links += [link.href for link in feed.feed.get("links", []) if link.get("rel") == "self"]
    return links


def _sitemap_links(client, host: str) -> list[str]:
    links = []
    for url in ["/sitemap.xml", "/sitemap-articles.xml", "/sitemap-news.xml"]:
        root = ElementTree.fromstring(client.get(url, HTTP_HOST=host).content)  # noqa: S314 (ours)
        links += [element.text for element in root.iter(LOC)]
    robots = client.get("/robots.txt", HTTP_HOST=host).content.decode()
    links += [line.split(" ", 1)[1] for line in robots.splitlines() if line.startswith("Sitemap")]
    return links


@pytest.mark.parametrize("url", FEEDS)
def test_without_site_domain_a_feed_links_to_the_requests_host(
    client, content, site_named_elsewhere, url
):
    links = _feed_links(client, url, HOST)
    assert len(links) >= 2
    assert all(link.startswith(f"http://{HOST}/") for link in links), links


def test_without_site_domain_the_sitemaps_and_robots_link_to_the_requests_host(
    client, content, site_named_elsewhere
):
    links = _sitemap_links(client, HOST)
    assert f"http://{HOST}/sitemap-articles.xml" in links
    assert f"http://{HOST}/articles/story/" in links
    assert all(link.startswith(f"http://{HOST}/") for link in links), links


def test_each_host_gets_its_own_cached_feed(client, content, site_named_elsewhere):
    assert _feed_links(client, "/feeds/rss/", HOST)[0] == f"http://{HOST}/"
    assert _feed_links(client, "/feeds/rss/", "news.example")[0] == "http://news.example/"


def test_a_host_allowed_hosts_does_not_name_is_refused(client, content, site_named_elsewhere):
    for url in ["/feeds/rss/", "/sitemap.xml", "/robots.txt", "/"]:
        assert client.get(url, HTTP_HOST="evil.example").status_code == 400, url


@pytest.mark.parametrize("url", FEEDS)
def test_with_site_domain_every_feed_link_names_it(
    client, content, site_named_elsewhere, settings, url
):
    settings.NEWSROOM_SITE_DOMAIN = "news.example"
    links = _feed_links(client, url, HOST)
    assert all(link.startswith("http://news.example/") for link in links), links


def test_with_site_domain_the_sitemaps_robots_and_canonical_links_name_it(
    client, content, site_named_elsewhere, settings
):
    settings.NEWSROOM_SITE_DOMAIN = "news.example"
    links = _sitemap_links(client, HOST)
    assert "http://news.example/articles/story/" in links
    assert all(link.startswith("http://news.example/") for link in links), links
    html = client.get("/articles/story/", HTTP_HOST=HOST).content.decode()
    assert '<link rel="canonical" href="http://news.example/articles/story/">' in html


def _post_comment(client, article) -> None:
    data = {
        "author_name": "Ann",
        "author_email": "ann@example.org",
        "author_url": "",
        "body": "A first comment.",
        "honeypot": "",
        "token": sent_form_token(article),
    }
    response = client.post(article.get_absolute_url() + "comments/", data, HTTP_HOST=HOST)
    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.PENDING


@pytest.mark.parametrize("domain", ["", "news.example"])
def test_the_moderators_email_links_to_the_host_the_comment_came_through(
    client, content, site_named_elsewhere, settings, django_capture_on_commit_callbacks, domain
):
    settings.NEWSROOM_SITE_DOMAIN = domain
    settings.NEWSROOM_MODERATOR_EMAILS = ["desk@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        _post_comment(client, content)
    [message] = mail.outbox
    body = message.body
    comment = Comment.objects.get()
    # The task ran with no request: only what the request handed it names the host.
    assert f"http://{domain or HOST}/admin/newsroom/comment/{comment.pk}/change/" in body
    assert "stale.example" not in body


def test_the_editors_email_links_to_the_host_the_draft_was_submitted_through(
    reporter_client,
    make_article,
    reporter,
    site_named_elsewhere,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.NEWSROOM_EDITOR_EMAILS = ["desk@example.org"]
    draft = make_article(status="draft", published_at=None, created_by=reporter)
    url = reverse("admin:newsroom_article_change", args=[draft.pk])
    data = {**change_form_data(reporter_client, url), "_submit_for_review": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        assert reporter_client.post(url, data, HTTP_HOST=HOST).status_code == 302
    [message] = mail.outbox
    assert f"http://{HOST}/admin/newsroom/article/{draft.pk}/change/" in message.body
    assert "stale.example" not in message.body


def test_outside_a_request_the_site_domain_or_else_the_sites_framework_names_the_site(
    settings, site_named_elsewhere
):
    assert sites.site_url() == "https://stale.example"
    settings.NEWSROOM_SITE_DOMAIN = "news.example"
    assert sites.site_url() == "https://news.example"
