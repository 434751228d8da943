"""Trusting "known authors": an email address typed into the form is not enough, confirmed
or not; only the browser that confirmed it is trusted with it."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from newsroom.discussion.confirmation import COOKIE_NAME
from newsroom.discussion.forms import form_token
from newsroom.models import Comment
from tests.commenters import confirm_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def regular(make_article, make_comment):
    article = make_article()
    make_comment(
        article,
        author_name="Ann Regular",
        author_email="ann@example.org",
        status=Comment.Status.APPROVED,
    )
    return article


def post(article, name: str, email: str, body: str, client: Client | None = None):
    return (client or Client()).post(
        f"/articles/{article.slug}/comments/",
        {
            "author_name": name,
            "author_email": email,
            "body": body,
            "honeypot": "",
            "token": form_token(article, now=time.time() - 10),
        },
    )


def test_a_regulars_email_under_another_name_is_held(regular):
    assert post(regular, "Mallory", "ann@example.org", "Posing as Ann.").status_code == 302
    comment = Comment.objects.get(body="Posing as Ann.")
    assert comment.status == Comment.Status.PENDING
    assert "known_author" not in comment.rules
    assert "Posing as Ann." not in Client().get(regular.get_absolute_url()).content.decode()


def test_a_regulars_name_with_another_email_is_held(regular):
    post(regular, "Ann Regular", "mallory@example.org", "Also posing.")
    assert Comment.objects.get(body="Also posing.").status == Comment.Status.PENDING


def test_a_regulars_name_and_confirmed_email_typed_elsewhere_are_held(regular):
    confirm_in(Client(), "ann@example.org")
    post(regular, "Ann Regular", "ann@example.org", "Typed in.")
    comment = Comment.objects.get(body="Typed in.")
    assert comment.status == Comment.Status.PENDING
    assert not comment.email_confirmed


def test_the_regular_in_the_browser_that_confirmed_the_address_is_trusted(regular):
    browser = Client()
    confirm_in(browser, "ann@example.org")
    # The case and spacing of the address do not matter, nor the name.
    post(regular, "Ann R.", " ANN@example.org", "The real Ann.", browser)
    comment = Comment.objects.get(body="The real Ann.")
    assert comment.status == Comment.Status.APPROVED
    assert comment.email_confirmed
    assert comment.rules.strip() == "known_author"


def test_a_forged_cookie_proves_nothing(regular):
    browser = Client()
    confirm_in(browser, "ann@example.org")
    cookie = browser.cookies[COOKIE_NAME].value
    browser.cookies[COOKIE_NAME] = cookie[:-2] + ("xy" if not cookie.endswith("xy") else "zw")
    post(regular, "Ann Regular", "ann@example.org", "Forged.", browser)
    assert Comment.objects.get(body="Forged.").status == Comment.Status.PENDING
