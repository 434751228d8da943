"""Old URLs: one query for the redirect table, whatever the redirect leads to."""

import pytest
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site

from newsroom.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_url(make_article):
    article = make_article(slug="the-new-home")
    Redirect.objects.create(
        site=Site.objects.get_current(),
        old_path="/article/old-slug/",
        new_path=article.get_absolute_url(),
    )
    return article


def test_an_old_url_redirects_with_one_look_at_the_redirects(
    client, old_url, django_assert_num_queries
):
    client.get("/no/such/page/")  # the current Site is cached from here on
    # The redirect, then whether its target is published.
    with django_assert_num_queries(2) as captured:
        response = client.get("/article/old-slug/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/the-new-home/"
    assert sum("django_redirect" in q["sql"] for q in captured.captured_queries) == 1


def test_an_old_url_of_an_unpublished_item_answers_410_with_one_look(
    client, old_url, django_assert_num_queries
):
    old_url.status = Article.Status.DRAFT
    old_url.save()
    client.get("/no/such/page/")
    with django_assert_num_queries(2) as captured:
        response = client.get("/article/old-slug/")
    assert response.status_code == 410
    assert "This page is gone" in response.content.decode()
    assert sum("django_redirect" in q["sql"] for q in captured.captured_queries) == 1


def test_a_redirect_with_a_query_string_or_without_the_slash(client, old_url):
    Redirect.objects.create(site_id=1, old_path="/old?page=2", new_path="/sections/")
    assert client.get("/article/old-slug")["Location"] == "/articles/the-new-home/"
    assert client.get("/old", {"page": "2"})["Location"] == "/sections/"
    assert client.get("/old").status_code == 404


def test_an_empty_target_answers_410(client):
    Redirect.objects.create(site_id=1, old_path="/retired/", new_path="")
    assert client.get("/retired/").status_code == 410
