from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone

from newsroom import cache_backends
from newsroom.models import Article, Comment, Section
from newsroom.roles import EDITORS, MODERATORS, REPORTERS
from quickquotes.models import QuickQuote

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _clear_cache():
    # A test that opened a Redis circuit breaker must not leave later tests on the
    # fallbacks for its cool-off: every test starts with every breaker closed.
    for breaker in cache_backends._breakers.values():
        breaker._open_until = None
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def section(db):
    return Section.objects.create(name="World", slug="world")


@pytest.fixture
def make_article(db):
    def make(**fields) -> Article:
        n = next(_counter)
        fields.setdefault("title", f"Article {n}")
        fields.setdefault("slug", f"article-{n}")
        fields.setdefault("body", "Some *body* text.")
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
        return Article.objects.create(**fields)

    return make


@pytest.fixture
def make_quote(db):
    def make(**fields) -> QuickQuote:
        n = next(_counter)
        fields.setdefault("title", f"Quote {n}")
        fields.setdefault("slug", f"quote-{n}")
        fields.setdefault("quote", "We will win.")
        fields.setdefault("status", QuickQuote.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
        return QuickQuote.objects.create(**fields)

    return make


@pytest.fixture
def make_comment(db):
    def make(article: Article, **fields) -> Comment:
        n = next(_counter)
        fields.setdefault("author_name", f"Reader {n}")
        fields.setdefault("body", f"Comment number {n}.")
        return Comment.objects.create(article=article, **fields)

    return make


def _staff_in(django_user_model, username: str, group: str):
    user = django_user_model.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db, django_user_model):
    return _staff_in(django_user_model, "editor", EDITORS)


@pytest.fixture
def moderator(db, django_user_model):
    return _staff_in(django_user_model, "moderator", MODERATORS)


@pytest.fixture
def reporter(db, django_user_model):
    return _staff_in(django_user_model, "reporter", REPORTERS)


@pytest.fixture
def reporter_client(client, reporter):
    client.force_login(reporter)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client
