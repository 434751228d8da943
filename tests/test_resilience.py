"""Failures the site must survive: the shared cache or the database going away."""

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError

from newsroom.discussion import posting
from newsroom.discussion.policy import ModerationPolicy
from newsroom.models import Comment, CommentStatusChange
from tests.form_tokens import sent_form_token

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
DEAD_REDIS = {
    "default": {
        "BACKEND": "newsroom.cache_backends.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def post(client, article, body: str):
    data = {
        "author_name": "Ann",
        "body": body,
        "token": sent_form_token(article),
    }
    return client.post(f"/articles/{article.slug}/comments/", data)


def test_comments_are_accepted_and_rate_limited_when_the_cache_is_down(
    client, make_article, settings, caplog
):
    settings.CACHES = DEAD_REDIS
    settings.NEWSROOM_COMMENT_RATE_LIMIT = 2
    posting._local_counts.clear()
    article = make_article()
    with caplog.at_level(logging.WARNING, logger="newsroom"):
        assert post(client, article, "one").status_code == 302
        assert post(client, article, "two").status_code == 302
        assert post(client, article, "three").status_code == 429
    assert Comment.objects.count() == 2
    assert "rate limiting falls back to counting in this process" in caplog.text
    assert client.get(article.get_absolute_url()).status_code == 200


def test_the_surge_switch_reads_off_when_the_cache_is_down(make_article, settings):
    settings.CACHES = DEAD_REDIS
    article = make_article()
    policy = ModerationPolicy(surge_threshold=1)
    policy.note_submission(article)
    assert policy.surge_until(article) is None


def test_an_unreachable_database_answers_503(client, make_article, monkeypatch):
    article = make_article()

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.models.query.QuerySet.get", refuse)
    client.raise_request_exception = False
    response = client.get(article.get_absolute_url())
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "cannot reach its database" in response.content.decode()


def test_a_comment_is_never_half_written(make_article, monkeypatch):
    article = make_article()

    def fail(*args, **kwargs):
        raise OperationalError("connection lost")

    monkeypatch.setattr(CommentStatusChange.objects, "create", fail)
    comment = Comment(article=article, author_name="Ann", body="Hello")
    with pytest.raises(OperationalError):
        posting.submit(comment)
    assert not Comment.objects.exists()


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "news.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
