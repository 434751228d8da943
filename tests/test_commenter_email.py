"""Verified commenters: the confirmation link (valid, expired, tampered), the browser it
was followed in trusted as the address's owner, reply emails queued only for confirmed
commenters who asked, and the one-click unsubscribe link."""

from __future__ import annotations

import re
import time
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import Client

from newsroom import conf
from newsroom.discussion import confirmation, decisions
from newsroom.discussion.policy import ModerationPolicy
from newsroom.models import Comment, ConfirmedAddress
from newsroom.pagecache import CACHE_HIT_HEADER
from tests.form_tokens import sent_form_token

pytestmark = pytest.mark.django_db

# Links made in a request name its host; those made by an admin decision, the Site's.
LINK = re.compile(r"https?://[^/\s]+(/comments/(?:confirm|unsubscribe)/[^/\s]+/)")


@pytest.fixture
def article(make_article):
    return make_article(title="Aliyev Threatens War")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def post(client, article, on_commit, **fields):
    data = {
        "author_name": "Ann Reader",
        "author_email": "ann@example.org",
        "body": "A thoughtful remark.",
        "honeypot": "",
        "token": sent_form_token(article),
    }
    data.update(fields)
    with on_commit():
        return client.post(f"/articles/{article.slug}/comments/", data)


def link_in(message) -> str:
    paths = LINK.findall(message.body)
    assert len(paths) == 1, message.body
    return paths[0]


def confirmed_reader(client, article, on_commit) -> Comment:
    """Ann posts asking for replies, and follows the link she is emailed."""
    post(client, article, on_commit, wants_replies="on")
    comment = Comment.objects.get(author_email="ann@example.org")
    (message,) = mail.outbox
    client.post(link_in(message))
    mail.outbox.clear()
    comment.refresh_from_db()
    return comment


def test_asking_for_replies_emails_a_confirmation_link(client, article, on_commit):
    response = post(client, article, on_commit, wants_replies="on")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert not comment.notify_replies and not comment.email_confirmed
    (message,) = mail.outbox
    assert message.to == ["ann@example.org"]
    assert "Confirm your email address" in message.subject
    assert "ann@example.org" not in link_in(message)
    html = client.get(response["Location"]).content.decode()
    assert "We have emailed you a link to confirm your address" in html


def test_no_link_without_the_box_ticked_and_the_box_needs_an_address(client, article, on_commit):
    post(client, article, on_commit)
    assert not mail.outbox
    response = post(client, article, on_commit, author_email="", wants_replies="on")
    assert response.status_code == 400
    assert "Give your email address" in response.content.decode()


def test_one_link_per_address_per_quarter_hour(client, article, on_commit):
    post(client, article, on_commit, wants_replies="on")
    post(client, article, on_commit, wants_replies="on", body="Another one.")
    assert len(mail.outbox) == 1


def test_the_link_shows_a_button_then_confirms_and_remembers_the_browser(
    client, article, on_commit
):
    post(client, article, on_commit, wants_replies="on")
    path = link_in(mail.outbox[0])
    page = client.get(path)
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    assert not ConfirmedAddress.objects.exists()  # opening the link confirms nothing
    response = client.post(path)
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.email_confirmed and comment.notify_replies
    (address,) = ConfirmedAddress.objects.all()
    assert address.address_hash == confirmation.address_hash("ANN@example.org ")
    assert "ann@example.org" not in str(ConfirmedAddress.objects.values().get())
    cookie = response.cookies[confirmation.COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_confirming_needs_a_csrf_token(article, on_commit):
    browser = Client(enforce_csrf_checks=True)
    post(Client(), article, on_commit, wants_replies="on")
    path = link_in(mail.outbox[0])
    browser.get(path)
    assert browser.post(path).status_code == 403
    token = browser.cookies["csrftoken"].value
    assert browser.post(path, {"csrfmiddlewaretoken": token}).status_code == 302
    assert ConfirmedAddress.objects.count() == 1


def test_a_tampered_link_is_refused_with_a_page(client, article, on_commit):
    post(client, article, on_commit, wants_replies="on")
    path = link_in(mail.outbox[0])
    token = path.split("/")[-2]
    other = Comment.objects.create(
        article=article, author_name="Mallory", author_email="mallory@example.org", body="x"
    )
    forged = [
        token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),
        "not-a-token",
        # A real signature over another comment's number and Ann's hash.
        signing.dumps(
            {"c": other.pk, "h": confirmation.address_hash("ann@example.org")},
            salt=confirmation.CONFIRM_SALT,
        ),
        # A valid unsubscribe token is no confirmation token (each has its salt).
        confirmation.unsubscribe_token(other),
    ]
    for bad in forged:
        for method in (client.get, client.post):
            response = method(f"/comments/confirm/{bad}/")
            assert response.status_code == 400, bad
            assert "This link is not one we sent" in response.content.decode()
    assert not ConfirmedAddress.objects.exists()


def test_an_expired_link_says_so(client, article, on_commit):
    post(client, article, on_commit, wants_replies="on")
    path = link_in(mail.outbox[0])
    later = time.time() + conf.get("CONFIRMATION_MAX_AGE") + 10
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.post(path)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert not ConfirmedAddress.objects.exists()


# Trust: the known-author rule


def test_a_confirmed_regular_is_trusted_from_their_browser_only(client, article, on_commit):
    first = confirmed_reader(client, article, on_commit)
    decisions.approve([first])
    post(client, article, on_commit, body="Trusted now.")
    assert Comment.objects.get(body="Trusted now.").status == "approved"
    # Someone else typing Ann's name and confirmed address is held.
    post(Client(), article, on_commit, body="Posing as Ann.")
    impostor = Comment.objects.get(body="Posing as Ann.")
    assert impostor.status == "pending" and not impostor.email_confirmed
    assert "known_author" not in impostor.rules


def test_the_browser_proves_only_the_address_it_confirmed(client, article, on_commit):
    first = confirmed_reader(client, article, on_commit)
    decisions.approve([first])
    Comment.objects.create(
        article=article,
        author_name="Bob",
        author_email="bob@example.org",
        body="Hi.",
        status="approved",
    )
    post(client, article, on_commit, author_email="bob@example.org", body="As Bob.")
    assert Comment.objects.get(body="As Bob.").status == "pending"


def test_a_withdrawn_confirmation_is_trusted_no_more(client, article, on_commit):
    first = confirmed_reader(client, article, on_commit)
    decisions.approve([first])
    ConfirmedAddress.objects.update(withdrawn_at=first.submitted_at)
    post(client, article, on_commit, body="After withdrawal.")
    assert Comment.objects.get(body="After withdrawal.").status == "pending"


def test_the_policy_trusts_only_confirmed_addresses(article, make_comment):
    make_comment(article, author_name="Ann", author_email="ann@example.org", status="approved")
    policy = ModerationPolicy()
    typed = Comment(article=article, author_name="Ann", author_email="ann@example.org", body="Hi")
    assert policy.check(typed).status == "pending"
    proven = Comment(
        article=article,
        author_name="Ann B.",
        author_email="ANN@example.org",
        body="Hi",
        email_confirmed=True,
    )
    verdict = policy.check(proven)
    assert verdict.status == "approved" and verdict.reasons[0].rule == "known_author"


# Reply emails


def reply_to(parent, on_commit, **fields) -> Comment:
    reply = Comment(
        article=parent.article,
        parent=parent,
        author_name=fields.pop("author_name", "Bob <b>Replier</b>"),
        author_email=fields.pop("author_email", "bob@example.org"),
        body=fields.pop("body", "I disagree <script>alert(1)</script>."),
        **fields,
    )
    with on_commit():
        decisions.record_new(reply)
        decisions.approve([reply])
    return reply


def test_a_reply_is_emailed_to_a_confirmed_commenter_who_asked(client, article, on_commit):
    parent = confirmed_reader(client, article, on_commit)
    decisions.approve([parent])
    reply = reply_to(parent, on_commit)
    (message,) = mail.outbox
    assert message.to == ["ann@example.org"]
    assert "A reply to your comment" in message.subject
    assert "bob@example.org" not in message.body
    # Plain text: the reader's words arrive as they were typed, inert.
    assert message.content_subtype == "plain" and not getattr(message, "alternatives", None)
    assert "I disagree <script>alert(1)</script>." in message.body
    assert f"/articles/{article.slug}/comments/{reply.pk}/" in message.body
    unsubscribe = link_in(message)
    assert message.extra_headers["List-Unsubscribe"] == f"<https://example.com{unsubscribe}>"
    # Approved again after a report, the reply is no news.
    decisions.decide([reply], "reported")
    with on_commit():
        decisions.approve([reply])
    assert len(mail.outbox) == 1


def test_a_reply_name_cannot_add_headers(client, article, on_commit):
    parent = confirmed_reader(client, article, on_commit)
    decisions.approve([parent])
    reply_to(parent, on_commit, author_name="Eve\r\nBcc: victim@example.org")
    (message,) = mail.outbox
    assert message.bcc == [] and "Bcc" not in message.message()


@pytest.mark.parametrize("case", ["not asked", "not confirmed", "own reply", "held", "withdrawn"])
def test_no_reply_email_unless_confirmed_asked_and_published(
    client, article, on_commit, make_comment, case
):
    if case == "not confirmed":
        parent = make_comment(
            article, author_email="ann@example.org", status="approved", notify_replies=True
        )
    else:
        parent = confirmed_reader(client, article, on_commit)
        decisions.approve([parent])
    if case == "not asked":
        Comment.objects.filter(pk=parent.pk).update(notify_replies=False)
    if case == "withdrawn":
        ConfirmedAddress.objects.update(withdrawn_at=parent.submitted_at)
    parent.refresh_from_db()
    if case == "held":
        with on_commit():
            decisions.record_new(Comment(article=article, parent=parent, author_name="B", body="b"))
    else:
        email = "ann@example.org" if case == "own reply" else "bob@example.org"
        reply_to(parent, on_commit, author_email=email)
    assert mail.outbox == []


def test_unsubscribing_takes_one_click_and_is_kept(client, article, on_commit):
    parent = confirmed_reader(client, article, on_commit)
    decisions.approve([parent])
    reply_to(parent, on_commit)
    path = link_in(mail.outbox[0])
    mail.outbox.clear()
    response = Client().get(path)
    assert response.status_code == 200
    assert "You will not be emailed about replies" in response.content.decode()
    assert not Comment.objects.get(pk=parent.pk).notify_replies
    assert Client().get(path).status_code == 200  # again: harmless
    reply_to(parent, on_commit, body="Another reply.")
    assert mail.outbox == []


def test_tampered_and_expired_unsubscribe_links(client, article, on_commit, make_comment):
    parent = make_comment(article, status="approved", notify_replies=True)
    token = confirmation.unsubscribe_token(parent)
    assert client.get(f"/comments/unsubscribe/{token}x/").status_code == 400
    forged = signing.dumps({"c": parent.pk}, salt="another-salt")
    assert client.get(f"/comments/unsubscribe/{forged}/").status_code == 400
    later = time.time() + 366 * 86400
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.get(f"/comments/unsubscribe/{token}/")
    assert response.status_code == 410
    assert Comment.objects.get(pk=parent.pk).notify_replies
    assert client.post(f"/comments/unsubscribe/{token}/").status_code == 405


def test_no_address_reaches_the_reader_pages(client, article, on_commit):
    parent = confirmed_reader(client, article, on_commit)
    decisions.approve([parent])
    for page in [
        article.get_absolute_url(),
        f"/articles/{article.slug}/comments/{parent.pk}/report/",
    ]:
        assert "ann@example.org" not in Client().get(page).content.decode()


def test_a_confirmed_browser_still_gets_the_cached_page_without_queries(
    client, article, on_commit, django_assert_num_queries
):
    confirmed_reader(client, article, on_commit)
    browser = Client()
    browser.cookies[confirmation.COOKIE_NAME] = client.cookies[confirmation.COOKIE_NAME].value
    Client().get(article.get_absolute_url())
    with django_assert_num_queries(0):
        hit = browser.get(article.get_absolute_url())
    assert hit[CACHE_HIT_HEADER] == "hit"
