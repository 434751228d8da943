"""The comment endpoint against replays, floods, look-alike duplicates and oversized
requests."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from newsroom.discussion import posting
from newsroom.discussion.forms import form_token
from newsroom.models import Comment
from tests.form_tokens import sent_form_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(make_article):
    return make_article()


def fields(article, **changes) -> dict:
    data = {
        "author_name": "Ann Reader",
        "author_email": "ann@example.org",
        "author_url": "",
        "body": "A thoughtful remark.",
        "honeypot": "",
        "token": sent_form_token(article),
    }
    data.update(changes)
    return data


def post(client, article, data, **extra):
    return client.post(f"/articles/{article.slug}/comments/", data, **extra)


# --- each form handed out is good for one post -----------------------------------------


def test_a_form_token_is_refused_the_second_time(article):
    reader = Client()
    token = sent_form_token(article)
    assert post(reader, article, fields(article, token=token, body="First.")).status_code == 302
    replay = post(reader, article, fields(article, token=token, body="Second."))
    assert replay.status_code == 400
    assert "sent already" in replay.content.decode()
    assert list(Comment.objects.values_list("body", flat=True)) == ["First."]


def test_a_token_sent_by_one_client_is_refused_to_another(article):
    token = sent_form_token(article)
    first = post(Client(REMOTE_ADDR="192.0.2.1"), article, fields(article, token=token))
    second = post(
        Client(REMOTE_ADDR="192.0.2.2"),
        article,
        fields(article, token=token, author_name="Bob", body="Mine."),
    )
    assert (first.status_code, second.status_code) == (302, 400)


def test_forms_handed_out_in_the_same_second_are_each_good_once(article):
    now = time.time() - 10
    tokens = [form_token(article, now=now) for _ in range(2)]
    assert tokens[0] != tokens[1]
    reader = Client()
    for n, token in enumerate(tokens):
        assert post(reader, article, fields(article, token=token, body=f"{n}")).status_code == 302


def test_a_token_with_a_nonce_the_site_did_not_make_is_refused(article):
    signed, nonce, mac = sent_form_token(article).split("~")
    forged = f"{signed}~{'0' * len(nonce)}~{mac}"
    response = post(Client(), article, fields(article, token=forged))
    assert response.status_code == 400
    assert "damaged" in response.content.decode()


def test_a_refused_form_can_be_corrected_and_sent_again(article):
    reader, token = Client(), sent_form_token(article)
    assert post(reader, article, fields(article, token=token, body="")).status_code == 400
    assert post(reader, article, fields(article, token=token)).status_code == 302


# --- the rate limit slides -----------------------------------------------------------------


def test_the_rate_limit_allows_no_burst_across_a_minutes_boundary(settings):
    settings.NEWSROOM_COMMENT_RATE_LIMIT = 5
    boundary = (int(time.time()) // 60 + 1) * 60
    # Five posts in the last second of one minute, then more in the first of the next:
    # ten in two seconds with a fixed window.
    assert not any(posting.over_rate_limit("client", now=boundary - 0.5) for _ in range(5))
    assert posting.over_rate_limit("client", now=boundary + 0.5)
    # A minute after the burst, the client may post again.
    assert not posting.over_rate_limit("client", now=boundary + 60)
    assert not posting.over_rate_limit("another-client", now=boundary + 0.5)


# --- duplicates are one person's, in one place ---------------------------------------------


def test_the_same_words_in_reply_to_another_comment_are_not_a_duplicate(article, make_comment):
    parent = make_comment(article, status=Comment.Status.APPROVED)
    reader = Client()
    assert post(reader, article, fields(article, body="I agree.")).status_code == 302
    reply = post(reader, article, fields(article, body="I agree.", parent=parent.pk))
    assert reply.status_code == 302
    assert Comment.objects.filter(body="I agree.").count() == 2


def test_another_person_with_the_same_name_and_words_gets_their_own_comment(article):
    first = post(Client(REMOTE_ADDR="192.0.2.1"), article, fields(article, author_email=""))
    other = Client(REMOTE_ADDR="192.0.2.99")
    second = post(other, article, fields(article, author_email=""))
    assert first.status_code == second.status_code == 302
    assert Comment.objects.count() == 2
    assert first["Location"] != second["Location"]
    page = other.get(second["Location"]).content.decode()
    assert "already posted" not in page


def test_the_same_person_sending_twice_is_told_so(article):
    reader = Client()
    post(reader, article, fields(article))
    again = post(reader, article, fields(article, body="  A thoughtful   remark. "))
    assert Comment.objects.count() == 1
    assert "You have already posted this comment" in reader.get(again["Location"]).content.decode()


# --- request size ------------------------------------------------------------------------


def test_an_uploaded_file_is_refused_before_it_is_read(article, settings, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the body was read")

    big = SimpleUploadedFile("big.bin", b"\0" * (10 * 1024 * 1024))
    monkeypatch.setattr("django.http.multipartparser.MultiPartParser.parse", never)
    response = post(Client(), article, {**fields(article), "attachment": big})
    assert response.status_code == 413
    assert not Comment.objects.exists()


def test_a_small_file_part_is_dropped_unstored(article, monkeypatch):
    stored = []
    monkeypatch.setattr(
        "django.core.files.uploadhandler.TemporaryFileUploadHandler.new_file",
        lambda *args, **kwargs: stored.append(args),
    )
    small = SimpleUploadedFile("note.txt", b"hello")
    response = post(Client(), article, {**fields(article), "attachment": small})
    assert response.status_code == 302
    assert stored == []


def test_the_limit_is_a_setting(article, settings):
    settings.NEWSROOM_COMMENT_MAX_REQUEST_BYTES = 1000
    response = post(Client(), article, fields(article, body="x" * 2000))
    assert response.status_code == 413
    assert post(Client(), article, fields(article)).status_code == 302


def test_csrf_is_still_checked(article):
    reader = Client(enforce_csrf_checks=True)
    response = post(reader, article, fields(article))
    assert response.status_code == 403
    assert not Comment.objects.exists()
