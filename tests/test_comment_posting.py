import time

import pytest
from django.core import mail
from django.utils import timezone

from newsroom.discussion import decisions
from newsroom.discussion.forms import form_token
from newsroom.models import Article, Comment, CommentStatusChange
from tests.commenters import confirm_in
from tests.form_tokens import sent_form_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(make_article):
    return make_article(title="Aliyev Threatens War")


@pytest.fixture
def post(client):
    def send(article, *, age: float = 10, **fields):
        data = {
            "author_name": "Ann Reader",
            "author_email": "ann@example.org",
            "author_url": "",
            "body": "A thoughtful remark.",
            "honeypot": "",
            "token": sent_form_token(article, age),
        }
        data.update(fields)
        return client.post(f"/articles/{article.slug}/comments/", data)

    return send


def test_a_posted_comment_is_held_and_the_poster_redirected(client, article, post):
    response = post(article)
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/articles/{article.slug}/#comment-{comment.pk}"
    assert comment.status == "pending"
    assert comment.rules == " first_comment "
    assert comment.ip_hash and "127.0.0.1" not in comment.ip_hash
    entry = comment.status_changes.get()
    assert (entry.from_status, entry.to_status, entry.rule) == ("", "pending", "first_comment")

    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Your comment is awaiting moderation" in html
    assert "A thoughtful remark." in html
    assert "Awaiting moderation: only you can see this" in html


def test_nobody_else_sees_a_pending_comment(client, article, post, django_user_model):
    post(article)
    client.logout()
    client.cookies.clear()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "A thoughtful remark." not in html
    other = django_user_model.objects.create_user("other", password="pw")
    client.force_login(other)
    assert "A thoughtful remark." not in client.get(article.get_absolute_url()).content.decode()


def test_a_known_author_is_published_at_once(client, article, post, make_comment):
    make_comment(
        article,
        author_name="Ann Reader",
        author_email="ann@example.org",
        status=Comment.Status.APPROVED,
    )
    confirm_in(client, "ann@example.org")
    response = post(article, body="Another remark.")
    assert Comment.objects.get(body="Another remark.").status == "approved"
    html = client.get(response["Location"]).content.decode()
    assert "Your comment has been published" in html


def test_the_ip_address_is_never_stored(article, post):
    post(article)
    comment = Comment.objects.get()
    stored = " ".join(str(v) for v in Comment.objects.filter(pk=comment.pk).values().get().values())
    assert "127.0.0.1" not in stored
    assert len(comment.ip_hash) == 64


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"author_name": ""}, "author_name", "This field is required"),
        ({"author_name": "   "}, "author_name", "This field is required"),
        ({"body": ""}, "body", "This field is required"),
        ({"body": "x" * 5001}, "body", "at most 5000 characters"),
        ({"author_name": "x" * 101}, "author_name", "at most 100 characters"),
        ({"author_email": "not-an-email"}, "author_email", "valid email"),
        ({"author_url": "javascript:alert(1)"}, "author_url", "valid URL"),
        ({"honeypot": "http://spam.example"}, "honeypot", "must be left empty"),
        ({"token": "forged"}, "token", "damaged"),
        ({"token": ""}, "token", "required"),
    ],
)
def test_bad_input_is_shown_next_to_its_field(post, article, fields, field, message):
    response = post(article, **fields)
    assert response.status_code == 400
    form = response.context["comment_form"]
    assert message in " ".join(form.errors[field])
    assert not Comment.objects.exists()
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    # What was typed stays in the form.
    if field != "author_name":
        assert 'value="Ann Reader"' in html


def test_a_form_sent_too_quickly_is_refused(post, article):
    response = post(article, token=form_token(article, now=time.time()))
    assert response.status_code == 400
    assert "quicker than anyone can type" in response.context["comment_form"].errors["token"][0]


def test_an_expired_form_is_refused(post, article):
    response = post(article, age=5 * 60 * 60)
    assert "expired" in response.context["comment_form"].errors["token"][0]


def test_a_form_for_another_article_is_refused(post, article, make_article):
    other = make_article()
    response = post(article, token=form_token(other, now=time.time() - 10))
    assert "another article" in response.context["comment_form"].errors["token"][0]


def test_email_can_be_required(settings, post, article):
    settings.NEWSROOM_COMMENTS_REQUIRE_EMAIL = True
    response = post(article, author_email="")
    assert "required" in response.context["comment_form"].errors["author_email"][0]


def test_garbage_posts_never_error(client, article):
    for data in [{}, {"parent": "abc"}, {"parent": "99999"}, {"token": "x" * 10000}]:
        response = client.post(f"/articles/{article.slug}/comments/", data)
        assert response.status_code == 400


def test_the_same_comment_is_not_stored_twice(client, post, article):
    post(article)
    response = post(article, body="  A thoughtful   remark. ")
    assert Comment.objects.count() == 1
    html = client.get(response["Location"]).content.decode()
    assert "You have already posted this comment" in html


def test_the_same_text_from_another_author_is_stored(post, article):
    post(article)
    post(article, author_email="bob@example.org", author_name="Bob")
    assert Comment.objects.count() == 2


def test_rate_limit_per_client(settings, post, article):
    settings.NEWSROOM_COMMENT_RATE_LIMIT = 3
    for n in range(3):
        assert post(article, body=f"Remark {n}").status_code == 302
    response = post(article, body="One too many")
    assert response.status_code == 429
    assert "posting too quickly" in response.content.decode()
    assert Comment.objects.count() == 3


def test_rate_limit_is_counted_per_client(settings, client, post, article):
    settings.NEWSROOM_COMMENT_RATE_LIMIT = 1
    assert post(article, body="First").status_code == 302
    client.defaults["REMOTE_ADDR"] = "192.0.2.7"
    assert post(article, body="Second").status_code == 302


def test_closed_article_says_so_and_refuses_posts(client, make_article, post):
    article = make_article(comment_mode=Article.CommentMode.CLOSED)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Comments are closed." in html
    assert "<form" not in html.split('id="comments"')[1]
    response = post(article)
    assert response.status_code == 403
    assert "Comments are closed on this article" in response.content.decode()
    assert not Comment.objects.exists()


def test_close_after_days(settings, make_article, post):
    settings.NEWSROOM_MODERATION = {"close_after_days": 7}
    article = make_article(published_at=timezone.now() - timezone.timedelta(days=8))
    assert post(article).status_code == 403


def test_unpublished_article_takes_no_comments(make_article, post):
    draft = make_article(status=Article.Status.DRAFT)
    assert post(draft).status_code == 404


def test_get_is_not_allowed(client, article):
    assert client.get(f"/articles/{article.slug}/comments/").status_code == 405


def test_posting_requires_csrf(article):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    data = {
        "author_name": "Ann",
        "body": "Hi",
        "token": sent_form_token(article),
    }
    assert strict.post(f"/articles/{article.slug}/comments/", data).status_code == 403
    assert not Comment.objects.exists()


def test_the_page_carries_a_csrf_token(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'name="csrfmiddlewaretoken"' in html


def test_replies_nest_one_level(client, post, article, make_comment):
    parent = make_comment(article, status=Comment.Status.APPROVED, body="Top level")
    post(article, parent=str(parent.pk), body="A reply")
    reply = Comment.objects.get(body="A reply")
    assert reply.parent == parent
    decisions.approve([reply])
    make_comment(article, parent=reply, status=Comment.Status.APPROVED, body="Deep")
    response = post(article, parent=str(reply.pk), body="Too deep")
    assert response.status_code == 400
    assert "cannot nest that deep" in response.context["comment_form"].errors["parent"][0]


def test_reply_depth_is_a_setting(settings, post, article, make_comment):
    settings.NEWSROOM_COMMENT_REPLY_DEPTH = 2
    top = make_comment(article, status=Comment.Status.APPROVED)
    middle = make_comment(article, status=Comment.Status.APPROVED, parent=top)
    assert post(article, parent=str(middle.pk)).status_code == 302


def test_cannot_reply_to_a_comment_of_another_article(post, article, make_article, make_comment):
    elsewhere = make_comment(make_article(), status=Comment.Status.APPROVED)
    response = post(article, parent=str(elsewhere.pk))
    assert "not on this page" in response.context["comment_form"].errors["parent"][0]


def test_replies_are_shown_under_their_parent(client, article, make_comment):
    top = make_comment(article, status=Comment.Status.APPROVED, body="Top level")
    make_comment(article, status=Comment.Status.APPROVED, parent=top, body="Nested reply")
    html = client.get(article.get_absolute_url()).content.decode()
    top_start = html.index(f'id="comment-{top.pk}"')
    assert html.index("comment-list--replies", top_start) < html.index("Nested reply", top_start)


def test_blocked_words_send_a_comment_to_spam(settings, post, article):
    settings.NEWSROOM_MODERATION = {"blocked_words": ["casino"]}
    post(article, body="Visit my c4sino")
    comment = Comment.objects.get()
    assert comment.status == "spam"
    assert comment.moderation_reasons[0]["evidence"] == "c4sino"
    assert not mail.outbox


def test_moderators_are_emailed_when_a_comment_is_held(
    settings, post, article, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_MODERATOR_EMAILS = ["desk@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        post(article, author_name="Eve\r\nBcc: victim@example.org")
    (message,) = mail.outbox
    comment = Comment.objects.get()
    assert message.to == ["desk@example.org"]
    assert "Aliyev Threatens War" in message.subject
    assert f"http://testserver/admin/newsroom/comment/{comment.pk}/change/" in message.body
    assert "First comment from this author" in message.body
    assert "victim@example.org" not in message.message().get("Bcc", "")
    assert message.bcc == []


def test_policy_and_counts_are_shown(client, article, make_comment, settings):
    settings.NEWSROOM_DISCUSSION_POLICY = "Be kind."
    make_comment(article, status=Comment.Status.APPROVED)
    make_comment(article, status=Comment.Status.APPROVED)
    make_comment(article)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Be kind." in html
    assert "2 comments" in html


def test_article_policy_overrides_the_site_policy(client, make_article):
    article = make_article(discussion_policy="No politics here.")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "No politics here." in html


def test_pingbacks_are_listed_apart(client, article, make_comment):
    make_comment(
        article,
        kind=Comment.Kind.PINGBACK,
        author_name="Vacations To Places - Passportdiva",
        status=Comment.Status.APPROVED,
    )
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert "Pingback: Vacations To Places - Passportdiva" in html
    assert response.context["comment_count"] == 0


@pytest.mark.parametrize("count", [1, 200])
def test_article_page_query_count_does_not_grow_with_comments(
    client, article, make_comment, count, django_assert_num_queries
):
    for n in range(count):
        parent = make_comment(article, status=Comment.Status.APPROVED, body=f"c{n}")
        if n % 10 == 0:
            make_comment(article, status=Comment.Status.APPROVED, parent=parent)
    # the article (with section), its tags, its bylines; the comment page: its counts, its
    # top level, their replies, the replies' replies (none), the pings; the section menu
    with django_assert_num_queries(9):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200


def test_the_log_records_each_post(post, article):
    post(article)
    post(article, body="Second", author_email="b@example.org")
    assert CommentStatusChange.objects.filter(from_status="").count() == 2
