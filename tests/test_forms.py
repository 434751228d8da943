"""The reader's comment form saves like any ModelForm."""

import time

import pytest

from newsroom.discussion.forms import CommentForm, form_token
from newsroom.models import Comment

pytestmark = pytest.mark.django_db


def bound_form(article, **data) -> CommentForm:
    fields = {
        "author_name": "Ana",
        "author_email": "ana@example.org",
        "body": "A thought.",
        "token": form_token(article, now=time.time() - 60),
        **data,
    }
    form = CommentForm(fields, article=article)
    assert form.is_valid(), form.errors
    return form


def test_save_stores_the_comment_on_its_article(make_article):
    article = make_article()
    comment = bound_form(article).save()
    assert comment.pk is not None
    assert Comment.objects.get() == comment
    assert comment.article == article and comment.parent is None


def test_save_without_commit_stores_nothing(make_article):
    article = make_article()
    comment = bound_form(article).save(commit=False)
    assert comment.pk is None and comment.article == article
    assert not Comment.objects.exists()
