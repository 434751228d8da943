"""Trusting "known authors": an unverified email address typed into the form is not enough."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from newsroom.discussion.forms import form_token
from newsroom.models import Comment

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


def post(article, name: str, email: str, body: str):
    return Client().post(
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


def test_the_regular_with_name_and_email_is_still_trusted(regular):
    # Case and spacing of either do not matter.
    post(regular, "  ann   REGULAR ", "ANN@example.org", "The real Ann.")
    comment = Comment.objects.get(body="The real Ann.")
    assert comment.status == Comment.Status.APPROVED
    assert comment.rules.strip() == "known_author"
