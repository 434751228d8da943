from datetime import timedelta

import pytest
from django.utils import timezone

from newsroom.models import Article, Comment

pytestmark = pytest.mark.django_db


def test_home_lists_published_items_newest_first(client, make_article, make_quote):
    old = make_article(title="Older article", published_at=timezone.now() - timedelta(days=2))
    quote = make_quote(title="Recent quote")
    make_article(title="Secret draft", status=Article.Status.DRAFT)
    make_article(title="Future piece", published_at=timezone.now() + timedelta(days=1))
    response = client.get("/")
    assert response.status_code == 200
    assert list(response.context["items"]) == [quote, old]
    html = response.content.decode()
    assert "Secret draft" not in html and "Future piece" not in html


@pytest.mark.parametrize("items", [1, 15])
def test_home_query_count_does_not_grow(
    client, make_article, make_quote, section, items, django_assert_num_queries
):
    for _ in range(items):
        article = make_article(section=section, is_breaking=True)
        article.tags.add("a", "b")
        make_quote(section=section)
    # the timeline (never counted): one page of ids of each kind, articles and quotes with
    # their bylines (6); the menu's sections (1); the front page: its pins (1), one page of
    # breaking ids of each kind (2), the section's newest ids of each kind (2), their
    # articles and quotes with bylines (4); next scheduled publication or expiry (2) and
    # next pin expiry (1)
    with django_assert_num_queries(19):
        assert client.get("/").status_code == 200


def test_article_page_shows_the_article_and_approved_comments(client, make_article, make_comment):
    article = make_article(title="Headline", body="Body *text*", dateline="BAKU")
    make_comment(article, body="Visible comment", status=Comment.Status.APPROVED)
    make_comment(article, body="Pending comment")
    make_comment(
        article,
        kind=Comment.Kind.PINGBACK,
        author_name="Some blog",
        status=Comment.Status.APPROVED,
    )
    response = client.get(f"/articles/{article.slug}/")
    html = response.content.decode()
    assert "<h1>Headline</h1>" in html
    assert "<em>text</em>" in html
    assert "BAKU" in html
    assert "Visible comment" in html
    assert "Pending comment" not in html
    assert "Pingback: Some blog" in html


def test_comment_text_is_escaped(client, make_article, make_comment):
    article = make_article()
    make_comment(
        article,
        author_name="<b>x</b>",
        body="<script>alert(1)</script>",
        status=Comment.Status.APPROVED,
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in html


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "scheduled"],
)
def test_unpublished_articles_are_not_found(client, make_article, fields):
    article = make_article(**fields)
    assert client.get(f"/articles/{article.slug}/").status_code == 404


def test_quote_page(client, make_quote):
    quote = make_quote(
        title="On the war",
        quote="We are winning.",
        summary="The president, on the conflict.",
        citation="https://example.org/interview",
    )
    response = client.get(f"/quotes/{quote.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<blockquote cite="https://example.org/interview"><p>We are winning.</p></blockquote>'
        in html
    )
    assert '<cite><a href="https://example.org/interview"' in html
    assert "The president, on the conflict." in html


def test_draft_quote_is_not_found(client, make_quote):
    quote = make_quote(status=Article.Status.DRAFT)
    assert client.get(f"/quotes/{quote.slug}/").status_code == 404
