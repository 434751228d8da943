"""Admin login throttling: after a few failed logins for one username from one client, that
client is refused for a cool-off period, even with the right password; other clients are not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
LIMIT = 3


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("desk", password="right-pw", is_staff=True)


def log_in(client: Client, password: str, username: str = "desk", **extra):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def fail_until_locked_out(client: Client, **extra) -> None:
    for _ in range(LIMIT - 1):
        response = log_in(client, "wrong", **extra)
        assert response.status_code == 200  # the form again, with its error
    assert log_in(client, "wrong", **extra).status_code == 429


def test_the_login_throttle_is_configured_from_the_environment():
    assert django_settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert "axes.middleware.AxesMiddleware" in django_settings.MIDDLEWARE


def test_the_right_password_logs_in_before_the_limit(staff, client):
    log_in(client, "wrong")
    assert logged_in(log_in(client, "right-pw"))


def test_after_the_limit_even_the_right_password_is_refused(staff):
    client = Client(REMOTE_ADDR="203.0.113.7")
    fail_until_locked_out(client)
    response = log_in(client, "right-pw")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_another_client_still_logs_in(staff):
    fail_until_locked_out(Client(REMOTE_ADDR="203.0.113.7"))
    assert logged_in(log_in(Client(REMOTE_ADDR="198.51.100.20"), "right-pw"))


def test_another_username_from_the_same_client_is_not_locked_out(staff, django_user_model):
    django_user_model.objects.create_user("copy", password="copy-pw", is_staff=True)
    client = Client(REMOTE_ADDR="203.0.113.7")
    fail_until_locked_out(client)
    assert logged_in(log_in(client, "copy-pw", username="copy"))


def test_the_lockout_ends_after_the_cool_off(staff, settings):
    client = Client(REMOTE_ADDR="203.0.113.7")
    fail_until_locked_out(client)
    settings.AXES_COOLOFF_TIME = timedelta(seconds=0)
    assert logged_in(log_in(client, "right-pw"))


def test_behind_proxies_clients_are_told_apart_by_the_forwarded_address(staff, settings):
    """Behind a proxy REMOTE_ADDR is the proxy for everyone: the lockout keys on the client
    address the site's trusted proxies report, as comment rate limits do."""
    settings.NEWSROOM_TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    fail_until_locked_out(Client(**proxy), HTTP_X_FORWARDED_FOR="203.0.113.7")
    locked = Client(**proxy)
    assert log_in(locked, "right-pw", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    other = Client(**proxy)
    assert logged_in(log_in(other, "right-pw", HTTP_X_FORWARDED_FOR="198.51.100.20"))


def test_a_forged_forwarded_address_does_not_escape_the_lockout(staff, settings):
    """Without trusted proxies X-Forwarded-For is the client's own text: ignored."""
    settings.NEWSROOM_TRUSTED_PROXIES = 0
    client = Client(REMOTE_ADDR="203.0.113.7")
    fail_until_locked_out(client)
    response = log_in(client, "right-pw", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert response.status_code == 429


def test_a_malformed_forwarded_address_is_not_stored(staff, settings):
    from newsroom.throttling import client_address

    settings.NEWSROOM_TRUSTED_PROXIES = 1
    client = Client(REMOTE_ADDR="10.0.0.2")
    response = log_in(client, "wrong", HTTP_X_FORWARDED_FOR="unknown")
    assert response.status_code == 200
    request = response.wsgi_request
    assert client_address(request) == "10.0.0.2"
