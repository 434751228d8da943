"""The page cache's collaborators: one state per request, and the routes of the cached
page views in a registry keyed by the view."""

import pytest
from django.test import Client

from newsroom import views
from newsroom.pagecache import CACHE_HIT_HEADER, STATE_KEY, PageState, pages

pytestmark = pytest.mark.django_db


def test_a_miss_shares_one_state_between_the_middleware_and_the_view(make_article):
    response = Client().get(make_article().get_absolute_url())
    assert response[CACHE_HIT_HEADER] == "miss"
    state = response.wsgi_request.META[STATE_KEY]
    assert isinstance(state, PageState)
    assert state.page is not None  # looked up by the middleware, stored by the view
    assert state.marks is not None  # the marks the view rendered the page with


def test_a_hit_needs_no_state(make_article):
    url = make_article().get_absolute_url()
    Client().get(url)
    response = Client().get(url)
    assert response[CACHE_HIT_HEADER] == "hit"
    assert STATE_KEY not in response.wsgi_request.META


def test_the_cached_views_are_registered_with_their_routes():
    assert pages._routes[views.article_detail].query == ("reply", "comments", "order", "thread")
    assert pages._routes[views.article_detail].article_slug({"slug": "a"}) == "a"
    assert pages._routes[views.home].query == ("before", "after")
    assert views.post_comment not in pages._routes
