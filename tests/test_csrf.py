"""The page cache's CSRF tokens: Django's format, accepted by Django's middleware."""

from collections import Counter

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CsrfViewMiddleware,
    _unmask_cipher_token,
)
from django.test import RequestFactory

from newsroom.pagecache import csrf


def is_token(value: str) -> bool:
    return len(value) == 64 and set(value) <= set(CSRF_ALLOWED_CHARS)


def test_a_new_visitor_gets_a_secret_and_a_token_that_masks_it():
    request = RequestFactory().get("/")
    token = csrf.get_token(request)
    secret = request.META["CSRF_COOKIE"]
    assert is_token(token)
    assert len(secret) == 32 and set(secret) <= set(CSRF_ALLOWED_CHARS)
    assert _unmask_cipher_token(token) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_a_returning_visitor_keeps_their_secret_under_a_new_mask():
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = "A" * 16 + "z9" * 8
    tokens = {csrf.get_token(request) for _ in range(20)}
    assert len(tokens) == 20
    assert {_unmask_cipher_token(token) for token in tokens} == {"A" * 16 + "z9" * 8}
    assert request.META["CSRF_COOKIE"] == "A" * 16 + "z9" * 8


def test_django_accepts_the_token_and_sets_the_cookie():
    middleware = CsrfViewMiddleware(lambda request: None)
    page = RequestFactory().get("/")
    middleware.process_request(page)
    token = csrf.get_token(page)
    response = middleware.process_response(page, HttpResponse())
    cookie = response.cookies[settings.CSRF_COOKIE_NAME].value
    post = RequestFactory().post("/", {"csrfmiddlewaretoken": token})
    post.COOKIES[settings.CSRF_COOKIE_NAME] = cookie
    post._dont_enforce_csrf_checks = False
    middleware.process_request(post)
    assert middleware.process_view(post, lambda request: None, (), {}) is None  # accepted
    forged = RequestFactory().post("/", {"csrfmiddlewaretoken": csrf.get_token(page)})
    forged.COOKIES[settings.CSRF_COOKIE_NAME] = csrf.random_chars(32)  # another visitor's
    middleware.process_request(forged)
    assert middleware.process_view(forged, lambda request: None, (), {}).status_code == 403


def test_characters_are_drawn_evenly():
    counts = Counter(csrf.random_chars(62 * 2000))
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    # Each is expected 2,000 times, give or take 44 (one standard deviation). Mapping
    # bytes onto the characters without drawing the top eight again would give the first
    # eight characters about 2,420 each.
    assert all(1700 < count < 2300 for count in counts.values()), counts


def test_bytes_that_would_bias_the_draw_are_drawn_again(monkeypatch):
    draws = iter([bytes([255, 248, 0]), bytes([61, 250, 1, 2, 3])])
    monkeypatch.setattr(csrf.os, "urandom", lambda n: next(draws))
    assert csrf.random_chars(3) == CSRF_ALLOWED_CHARS[0] + CSRF_ALLOWED_CHARS[61] + "b"


@pytest.mark.parametrize("count", [0, 1, 32, 64, 500])
def test_any_number_of_characters(count):
    assert len(csrf.random_chars(count)) == count
