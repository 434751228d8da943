"""Behind a proxy, readers are told apart by the address the proxy saw, not the proxy's."""

from __future__ import annotations

import pytest
from django.test import Client

from newsroom.discussion import decisions, posting
from newsroom.models import Ban, Comment
from tests.form_tokens import sent_form_token

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


def reader(address: str, sent: str = "") -> Client:
    """A reader at ``address`` behind the proxy; ``sent`` is what they put in the header
    themselves, which the proxy keeps and appends to."""
    forwarded = f"{sent}, {address}" if sent else address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def post(client, article, body: str, name: str = "Ann"):
    return client.post(
        f"/articles/{article.slug}/comments/",
        {
            "author_name": name,
            "author_email": f"{name.lower()}@example.org",
            "body": body,
            "honeypot": "",
            "token": sent_form_token(article),
        },
    )


@pytest.fixture
def behind_proxy(settings):
    settings.NEWSROOM_TRUSTED_PROXIES = 1


def test_the_rate_limit_is_per_reader_behind_a_proxy(behind_proxy, settings, make_article):
    settings.NEWSROOM_COMMENT_RATE_LIMIT = 2
    article = make_article()
    ann, bob = reader("198.51.100.1"), reader("198.51.100.2")
    assert [post(ann, article, f"Ann {n}").status_code for n in range(3)] == [302, 302, 429]
    assert post(bob, article, "Bob's first", name="Bob").status_code == 302
    # What a client writes into the header itself changes nothing.
    forged = reader("198.51.100.1", sent="203.0.113.9")
    assert post(forged, article, "Ann again").status_code == 429


def test_a_ban_holds_one_reader_and_not_the_others(behind_proxy, make_article):
    article = make_article()
    post(reader("198.51.100.1"), article, "Troll words.", name="Troll")
    troll = Comment.objects.get()
    decisions.ban(Ban.Kind.IP_HASH, troll.ip_hash)
    post(reader("198.51.100.1"), article, "More troll words.", name="Sock")
    post(reader("198.51.100.2"), article, "A fair point.", name="Bob")
    held = Comment.objects.get(body="More troll words.")
    assert "banned" in held.rules
    assert "banned" not in Comment.objects.get(body="A fair point.").rules


def test_without_the_setting_the_header_is_ignored(settings):
    settings.NEWSROOM_TRUSTED_PROXIES = 0
    request = reader("198.51.100.1").get("/").wsgi_request
    assert posting.client_ip(request) == PROXY


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("198.51.100.1", "198.51.100.1"),
        ("203.0.113.9, 198.51.100.1", "198.51.100.1"),
        ("", PROXY),  # the proxy sent no header: fall back to the peer
        ("not-an-address", PROXY),
        ("2001:db8::1", "2001:db8::1"),
    ],
)
def test_which_address_counts(behind_proxy, header, expected):
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=header)
    assert posting.client_ip(client.get("/").wsgi_request) == expected


def test_the_setting_comes_from_the_environment(monkeypatch):
    import importlib

    import config.settings

    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    try:
        assert importlib.reload(config.settings).NEWSROOM_TRUSTED_PROXIES == 2
    finally:
        monkeypatch.delenv("TRUSTED_PROXIES")
        importlib.reload(config.settings)
