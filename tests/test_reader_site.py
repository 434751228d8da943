"""The reader site: every page kind, feeds, sitemap, old URLs, visibility and query budgets."""

from datetime import timedelta

import feedparser
import pytest
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.utils import timezone

from newsroom.models import Article, Author, Comment, Image
from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def author(db):
    return Author.objects.create(name="Jane Doe", slug="jane-doe", bio="Covers the Caucasus.")


@pytest.fixture
def article(make_article, section, author):
    item = make_article(
        title="Aliyev Threatens War",
        slug="aliyev-threatens-war",
        description="The president took to Twitter.",
        body="First paragraph.\n\nSecond with a [link](https://example.org).",
        dateline="BAKU",
        section=section,
        featured_image=Image.objects.create(
            source_url="https://img.example/aliyev.jpg",
            alt_text="Aliyev at a podium",
            caption="A screen shot",
            credit="Photo: Agency",
            fetch_status=Image.FetchStatus.PENDING,
        ),
        published_at=NOW - timedelta(days=2),
    )
    item.authors.add(author)
    item.tags.add("Karabakh", "Twitter")
    return item


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- the article page ----------------------------------------------------------------


def test_article_page_shows_everything(client, article, make_comment):
    make_comment(article, status=Comment.Status.APPROVED, body="Well said.")
    html = html_of(client.get("/articles/aliyev-threatens-war/"))
    assert "<h1>Aliyev Threatens War</h1>" in html
    assert '<p class="lede">The president took to Twitter.</p>' in html
    assert '<a href="/authors/jane-doe/">Jane Doe</a>' in html
    assert '<a href="/sections/world/">World</a>' in html
    assert '<p class="dateline">BAKU—</p>' in html
    assert 'src="https://img.example/aliyev.jpg" alt="Aliyev at a podium">' in html
    assert "A screen shot" in html and "Photo: Agency" in html
    assert f'<time datetime="{article.published_at:%Y-%m-%dT%H:%M:%S}' in html
    assert '<a href="/tags/karabakh/">Karabakh</a>' in html
    assert 'rel="nofollow noopener"' in html
    assert "Well said." in html


def test_article_head_has_meta_social_cards_and_json_ld(client, article, make_comment):
    make_comment(article, status=Comment.Status.APPROVED, author_name="Ann", body="Hi </script>")
    make_comment(article, body="pending, not in JSON-LD")
    response = client.get(article.get_absolute_url())
    html = html_of(response)
    assert "<title>Aliyev Threatens War · Newsroom</title>" in html
    assert '<meta name="description" content="The president took to Twitter.">' in html
    assert '<link rel="canonical" href="http://testserver/articles/aliyev-threatens-war/">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:image" content="https://img.example/aliyev.jpg">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    data = response.context["json_ld"]
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Aliyev Threatens War"
    assert data["author"] == [{"@type": "Person", "name": "Jane Doe"}]
    assert [c["text"] for c in data["comment"]] == ["Hi </script>"]
    assert data["comment"][0]["@type"] == "Comment"
    assert "Hi </script>" not in html.split('type="application/ld+json">')[1].split("</script>")[0]
    assert "Hi \\u003C/script\\u003E" in html


def test_quote_page(client, make_quote):
    quote = make_quote(
        title="On the war",
        quote="We are winning.",
        summary="The president, on the conflict.",
        citation="Radio interview",
        speaker="Ilham Aliyev",
        featured_image=Image.objects.create(
            source_url="https://img.example/q.jpg", alt_text="The president"
        ),
    )
    response = client.get(quote.get_absolute_url())
    html = html_of(response)
    assert "<blockquote><p>We are winning.</p></blockquote>" in html
    assert "<figcaption>Ilham Aliyev, <cite>Radio interview</cite></figcaption>" in html
    assert "The president, on the conflict." in html
    assert 'alt="The president"' in html
    data = response.context["json_ld"]
    assert data["@type"] == "Quotation"
    assert data["text"] == "We are winning."
    assert data["spokenByCharacter"]["name"] == "Ilham Aliyev"


# --- listing pages ---------------------------------------------------------------------


def test_front_page_puts_breaking_items_first(client, make_article, make_quote):
    make_article(title="Ordinary news")
    make_quote(title="Breaking quote", is_breaking=True)
    html = html_of(client.get("/"))
    banner = html.index('class="breaking"')
    assert banner < html.index("Breaking quote") < html.index("<h1")


def test_front_page_is_paged(client, make_article, settings):
    settings.NEWSROOM_PAGE_SIZE = 3
    for n in range(7):
        make_article(title=f"Item {n}", published_at=NOW - timedelta(hours=n))
    first = client.get("/")
    assert [i.title for i in first.context["items"]] == ["Item 0", "Item 1", "Item 2"]
    second = client.get("/" + first.context["page"].older)
    third = client.get("/" + second.context["page"].older)
    assert [i.title for i in third.context["items"]] == ["Item 6"]
    assert f'<a rel="prev" href="{third.context["page"].newer}">' in third.content.decode()
    assert 'rel="next"' not in third.content.decode()
    assert client.get("/?page=x").status_code == 200  # the old parameter is ignored


def test_section_tag_author_and_archive_pages(client, article, make_article, make_quote):
    make_article(title="Elsewhere")  # no section, tag or author
    quote = make_quote(title="A quote in the section", section=article.section)
    quote.tags.add("karabakh")
    for url, expected in [
        ("/sections/world/", {"Aliyev Threatens War", "A quote in the section"}),
        ("/tags/karabakh/", {"Aliyev Threatens War", "A quote in the section"}),
        ("/authors/jane-doe/", {"Aliyev Threatens War"}),
    ]:
        response = client.get(url)
        assert {i.title for i in response.context["items"]} == expected, url
    month = timezone.localtime(article.published_at)
    response = client.get(f"/archive/{month.year}/{month.month}/")
    assert "Aliyev Threatens War" in {i.title for i in response.context["items"]}
    assert client.get("/archive/2001/13/").status_code == 404
    assert client.get("/sections/nope/").status_code == 404
    assert client.get("/tags/nope/").status_code == 404
    assert client.get("/authors/nope/").status_code == 404


def _fill(make_article, make_quote, make_comment, section, author, count: int) -> Article:
    for n in range(count):
        item = make_article(section=section, is_breaking=n == 0)
        item.tags.add("karabakh", f"tag{n}")
        item.authors.add(author)
        quote = make_quote(section=section)
        quote.tags.add("karabakh")
        quote.authors.add(author)
    return item


LISTING_BUDGETS = {
    # page ids of each kind (2), articles and quotes with their bylines (4); the menu's
    # sections (1); the pins (1), breaking ids of each kind (2), the menu section's ids of
    # each kind (2), the front page's items with their bylines (4); next publication or
    # expiry (2) and the next pin's expiry (1); nothing counted
    "/": 19,
    # the section (1) + next publication or expiry (2) + ids of each kind (2) + items (4)
    # + the header's section menu (1)
    "/sections/world/": 10,
    "/tags/karabakh/": 10,
    "/authors/jane-doe/": 10,
}


@pytest.mark.parametrize("url", LISTING_BUDGETS)
@pytest.mark.parametrize("count", [1, 30])
def test_listing_query_counts_do_not_grow(
    client, make_article, make_quote, make_comment, section, author, url, count,
    django_assert_num_queries,
):  # fmt: skip
    _fill(make_article, make_quote, make_comment, section, author, count)
    with django_assert_num_queries(LISTING_BUDGETS[url]):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", [1, 200])
def test_article_and_quote_pages_query_counts_do_not_grow(
    client, article, make_quote, make_comment, author, count, django_assert_num_queries
):
    for n in range(count):
        make_comment(article, status=Comment.Status.APPROVED, body=f"c{n}")
    quote = make_quote()
    for n in range(count):
        quote.tags.add(f"t{n}")
    quote.authors.add(author)
    # the article with its section and featured image, the image's renditions, tags,
    # bylines; the comment page: its counts, its top level, their replies (none), the pings;
    # the section menu (kept with the parts)
    with django_assert_num_queries(9):
        html_of(client.get(article.get_absolute_url()))
    # the quote with its section, tags, bylines; the header's section menu
    with django_assert_num_queries(4):
        html_of(client.get(quote.get_absolute_url()))


# --- visibility ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [{"status": "draft"}, {"published_at": NOW + timedelta(days=1)}],
    ids=["draft", "scheduled"],
)
def test_drafts_and_scheduled_items_are_invisible_to_readers(
    client, make_article, make_quote, fields
):
    article = make_article(title="Hidden article", **fields)
    quote = make_quote(title="Hidden quote", **fields)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get(quote.get_absolute_url()).status_code == 404
    sitemaps = ["/sitemap-articles.xml", "/sitemap-quotes.xml", "/sitemap-news.xml"]
    for url in ["/", "/feeds/rss/", "/feeds/atom/", *sitemaps]:
        assert b"Hidden" not in client.get(url).content, url
    assert client.get("/search/", {"q": "Hidden"}).context["results"] == []


def test_staff_preview_drafts_with_a_banner(admin_client, make_article, make_quote):
    draft = make_article(status="draft")
    scheduled = make_quote(published_at=NOW + timedelta(days=1))
    html = html_of(admin_client.get(draft.get_absolute_url()))
    assert "Preview: this is a draft" in html
    html = html_of(admin_client.get(scheduled.get_absolute_url()))
    assert "Preview: scheduled for" in html


def test_a_scheduled_item_appears_when_its_time_comes(client, make_article, monkeypatch):
    now = timezone.now()  # not the module's NOW: the suite may run for minutes before this
    soon = make_article(title="Soon", published_at=now + timedelta(minutes=5))
    assert "Soon" not in html_of(client.get("/"))
    later = now + timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    cache.clear()  # the cached front page expires by then; see the next test
    assert "Soon" in html_of(client.get("/"))
    assert client.get(soon.get_absolute_url()).status_code == 200


def test_cached_listings_expire_when_the_next_scheduled_item_goes_live(
    client, make_article, monkeypatch
):
    make_article(title="Soon", published_at=timezone.now() + timedelta(seconds=90))
    stored = []
    real_set_many = cache.set_many
    monkeypatch.setattr(
        cache,
        "set_many",
        lambda entries, timeout: stored.append(timeout) or real_set_many(entries, timeout),
    )
    client.get("/")
    assert stored and 80 <= stored[0] <= 91


# --- search ---------------------------------------------------------------------------


def test_search_finds_titles_descriptions_bodies_and_quotes(client, make_article, make_quote):
    in_title = make_article(title="Ceasefire talks resume", published_at=NOW - timedelta(days=3))
    in_body = make_article(title="Other", body="The ceasefire did not hold.")
    in_quote = make_quote(title="On peace", quote="A ceasefire is within reach.")
    make_article(title="Unrelated", body="Nothing here.")
    make_article(title="Ceasefire draft", status="draft")
    response = client.get("/search/", {"q": "ceasefire"})
    results = response.context["results"]
    assert set(results) == {in_title, in_body, in_quote}
    assert results[0] == in_title  # a title match ranks first
    assert "3 results for “ceasefire”" in response.content.decode()


def test_search_escapes_the_query(client):
    html = html_of(client.get("/search/", {"q": "<script>alert(1)</script>"}))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_empty_search(client):
    response = client.get("/search/", {"q": "  "})
    assert response.context["results"] == []


# --- feeds, sitemap, robots --------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_latest_feeds(client, article, make_quote, kind):
    make_quote(title="Latest quote", quote="Now.")
    response = client.get(f"/feeds/{kind}/")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == ("rss20" if kind == "rss" else "atom10")
    titles = [entry.title for entry in feed.entries]
    assert titles == ["Latest quote", "Aliyev Threatens War"]
    entry = feed.entries[1]
    domain = "testserver"  # the request's host: SITE_DOMAIN is not set
    assert entry.link == f"http://{domain}/articles/aliyev-threatens-war/"
    assert {tag.term for tag in entry.tags} == {"Karabakh", "Twitter"}
    assert "Jane Doe" in entry.author


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_section_and_tag_feeds(client, article, make_article, kind):
    make_article(title="Not in the section")
    for url in [f"/feeds/sections/world/{kind}/", f"/feeds/tags/karabakh/{kind}/"]:
        feed = feedparser.parse(client.get(url).content)
        assert [e.title for e in feed.entries] == ["Aliyev Threatens War"], url
    assert client.get(f"/feeds/sections/nope/{kind}/").status_code == 404


def test_sitemap_lists_published_items(client, article, make_quote, make_article):
    quote = make_quote()
    make_article(title="draft", slug="a-draft", status="draft")
    parts = ["/sitemap-home.xml", "/sitemap-articles.xml", "/sitemap-quotes.xml"]
    xml = "".join(client.get(part).content.decode() for part in [*parts, "/sitemap-sections.xml"])
    domain = "testserver"  # the request's host: SITE_DOMAIN is not set
    assert f"<loc>http://{domain}/articles/aliyev-threatens-war/</loc>" in xml
    assert f"<loc>http://{domain}{quote.get_absolute_url()}</loc>" in xml
    assert f"<loc>http://{domain}/sections/world/</loc>" in xml
    assert "a-draft" not in xml
    assert "<lastmod>" in xml


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain"
    assert "Disallow: /admin/" in response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert "Sitemap: http://testserver/sitemap-news.xml" in response.content.decode()


# --- old URLs ----------------------------------------------------------------------------


def test_an_alias_answers_301_to_the_new_page(client, article):
    Redirect.objects.create(
        site=Site.objects.get_current(),
        old_path="/article/old-slug/",
        new_path="/articles/aliyev-threatens-war/",
    )
    response = client.get("/article/old-slug/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/aliyev-threatens-war/"


def test_an_unpublished_items_old_urls_answer_410(client, article):
    Redirect.objects.create(
        site=Site.objects.get_current(),
        old_path="/article/old-slug/",
        new_path=article.get_absolute_url(),
    )
    article.status = Article.Status.DRAFT
    article.save()
    response = client.get("/article/old-slug/")
    assert response.status_code == 410
    assert "This page is gone" in response.content.decode()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_our_own_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_our_own_500_page(client, settings, monkeypatch):
    from newsroom.views import listings

    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(listings, "search", type("S", (), {"search": staticmethod(broken)}))
    client.raise_request_exception = False
    response = client.get("/search/", {"q": "x"})
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


# --- the admin warns about images without alt text -------------------------------------------


def test_admin_warns_when_an_image_has_no_alt_text(admin_client, make_quote):
    quote = make_quote(featured_image=Image.objects.create(source_url="https://img.example/x.jpg"))
    url = f"/admin/quickquotes/quickquote/{quote.pk}/change/"
    # With the corrections inline's management form, which the change form now posts.
    data = change_form_data(admin_client, url)
    response = admin_client.post(url, data, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("without alt text" in m for m in messages), messages
