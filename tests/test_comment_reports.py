"""Readers' reports: the form without JavaScript, one report per client, the rate limit,
the threshold that sends a comment back to the queue (logged), and the moderator's
decision that settles them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from newsroom.discussion import decisions
from newsroom.discussion.reports import report_comment
from newsroom.models import Comment, CommentReport, CommentStatusChange, DeletionRefused
from newsroom.pagecache import CACHE_HIT_HEADER

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(make_article):
    return make_article(title="Reported Article")


@pytest.fixture
def comment(article, make_comment):
    return make_comment(article, body="A comment <b>readers</b> dislike.", status="approved")


def report_url(comment) -> str:
    return f"/articles/{comment.article.slug}/comments/{comment.pk}/report/"


def reader(number: int) -> Client:
    """A reader at an address of their own (the site counts one report per client)."""
    return Client(REMOTE_ADDR=f"203.0.113.{number}")


def send(client: Client, comment, reason: str = "personal_attack", text: str = ""):
    return client.post(report_url(comment), {"reason": reason, "text": text})


def test_each_approved_comment_links_to_its_report_form(client, article, comment, make_comment):
    pending = make_comment(article, body="Not public yet.", status="pending")
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'href="{report_url(comment)}"' in html
    assert report_url(pending) not in html


def test_the_report_form_is_a_plain_form_with_the_policys_reasons(client, comment):
    response = client.get(report_url(comment))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    html = response.content.decode()
    assert 'method="post"' in html and 'name="csrfmiddlewaretoken"' in html
    assert 'type="radio" name="reason" value="personal_attack"' in html
    assert "A personal attack" in html and "<script" not in html
    # The reader's text is shown escaped.
    assert "A comment &lt;b&gt;readers&lt;/b&gt; dislike." in html


def test_a_report_is_stored_and_the_reader_thanked(comment):
    browser = reader(1)
    response = send(browser, comment, "spam", "Selling \x07things.")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    report = CommentReport.objects.get()
    assert (report.comment, report.reason, report.text) == (comment, "spam", "Selling things.")
    assert len(report.client) == 64 and "203.0.113" not in report.client
    html = browser.get(response["Location"]).content.decode()
    assert "Thank you: a moderator will look at this comment." in html


@pytest.mark.parametrize(
    "data", [{}, {"reason": "nonsense"}, {"reason": "spam", "text": "x" * 501}]
)
def test_a_bad_report_shows_the_form_again(comment, data):
    response = reader(1).post(report_url(comment), data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not CommentReport.objects.exists()


def test_only_approved_comments_of_published_articles_are_reported(article, make_comment):
    for status in ["pending", "rejected", "spam"]:
        hidden = make_comment(article, status=status)
        assert send(reader(1), hidden).status_code == 404
    assert not CommentReport.objects.exists()


def test_a_client_reports_a_comment_once(comment):
    assert send(reader(1), comment).status_code == 302
    # Another session from the same address, and the same session again.
    again = reader(1)
    response = send(again, comment, "spam")
    assert response.status_code == 302
    assert (
        "You have already reported this comment."
        in again.get(response["Location"]).content.decode()
    )
    assert CommentReport.objects.count() == 1


def test_the_same_session_reports_once_even_from_another_address(comment):
    browser = reader(1)
    send(browser, comment)
    browser.defaults["REMOTE_ADDR"] = "203.0.113.99"
    send(browser, comment)
    assert CommentReport.objects.count() == 1


def test_reports_are_rate_limited_per_client(settings, article, make_comment):
    settings.NEWSROOM_REPORT_RATE_LIMIT = 2
    comments = [make_comment(article, status="approved") for _ in range(3)]
    browser = reader(1)
    answers = [send(browser, c).status_code for c in comments]
    assert answers == [302, 302, 429]
    assert CommentReport.objects.count() == 2
    # Another client is not held back, and the comment limit is counted apart.
    assert send(reader(2), comments[2]).status_code == 302


def test_enough_reports_send_the_comment_back_to_the_queue_as_reported(settings, comment):
    settings.NEWSROOM_REPORTS_TO_REVIEW = 3
    send(reader(1), comment, "personal_attack")
    send(reader(2), comment, "personal_attack")
    assert Comment.objects.get(pk=comment.pk).status == "approved"
    response = send(reader(3), comment, "spam")
    comment.refresh_from_db()
    assert comment.status == "reported"
    assert comment.decided_rule == "reader_reports"
    assert comment.decision_reason == (
        "3 reader reports: A personal attack (2), Spam or advertising (1)."
    )
    entry = comment.status_changes.last()
    assert (entry.from_status, entry.to_status, entry.rule) == (
        "approved",
        "reported",
        "reader_reports",
    )
    # Hidden from readers meanwhile (the default), and the reporter lands on the comments.
    assert response["Location"].endswith("#comments")
    html = Client().get(comment.article.get_absolute_url()).content.decode()
    assert "readers</b> dislike" not in html and "readers&lt;/b&gt; dislike" not in html
    assert comment.reports.open().reasons() == [
        {"reason": "personal_attack", "count": 2, "label": "A personal attack"},
        {"reason": "spam", "count": 1, "label": "Spam or advertising"},
    ]


def test_a_reported_comment_may_stay_on_the_page(settings, comment):
    settings.NEWSROOM_REPORTS_TO_REVIEW = 1
    settings.NEWSROOM_REPORTED_COMMENTS_SHOWN = True
    send(reader(1), comment)
    assert Comment.objects.get(pk=comment.pk).status == "reported"
    html = Client().get(comment.article.get_absolute_url()).content.decode()
    assert "readers&lt;/b&gt; dislike" in html
    # No more reports while it waits for a moderator.
    assert report_url(comment) not in html
    assert send(reader(2), comment).status_code == 404


def test_a_moderators_decision_settles_the_reports_and_keeps_them(settings, comment, moderator):
    settings.NEWSROOM_REPORTS_TO_REVIEW = 2
    send(reader(1), comment)
    send(reader(2), comment)
    decisions.approve([Comment.objects.get(pk=comment.pk)], actor=moderator)
    reports = list(CommentReport.objects.all())
    assert len(reports) == 2
    assert {(r.outcome, r.settled_by) for r in reports} == {("approved", moderator)}
    assert not comment.reports.open().exists()
    # Approved again, it takes new reports from other clients; the old ones do not count.
    send(reader(3), comment)
    assert Comment.objects.get(pk=comment.pk).status == "approved"
    with pytest.raises(DeletionRefused):
        reports[0].delete()
    with pytest.raises(DeletionRefused):
        CommentReport.objects.all().delete()


def test_a_decision_on_an_approved_comment_settles_its_open_reports_too(comment, moderator):
    report_comment(comment, client="a" * 64, reason="spam")
    decisions.reject([comment], actor=moderator)
    assert CommentReport.objects.get().outcome == "rejected"


def test_the_threshold_does_not_reopen_a_comment_a_moderator_has_rejected(settings, comment):
    settings.NEWSROOM_REPORTS_TO_REVIEW = 1
    Comment.objects.filter(pk=comment.pk).update(status="rejected")
    outcome = report_comment(comment, client="a" * 64, reason="spam")
    assert not outcome.sent_back
    assert Comment.objects.get(pk=comment.pk).status == "rejected"
    assert not CommentStatusChange.objects.filter(to_status="reported").exists()


def test_reporting_needs_a_csrf_token(comment):
    strict = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.7")
    strict.get(report_url(comment))
    assert send(strict, comment).status_code == 403
    token = strict.cookies["csrftoken"].value
    response = strict.post(report_url(comment), {"reason": "spam", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert CommentReport.objects.count() == 1


def test_the_reports_show_on_the_comments_admin_page(settings, comment, moderator_client):
    settings.NEWSROOM_REPORTS_TO_REVIEW = 1
    send(reader(1), comment, "hate", "<script>alert(1)</script>")
    html = moderator_client.get(f"/admin/newsroom/comment/{comment.pk}/change/").content.decode()
    assert "readers&#x27; reports" in html.lower()
    assert "Hateful or threatening" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    queue = moderator_client.get("/admin/newsroom/comment/?status=reported").content.decode()
    assert "1 reader report: Hateful or threatening (1)." in queue
    # The comment's card in the queue lists its open reports.
    assert "Readers' reports:</strong> Hateful or threatening (1)" in queue


def test_the_cached_page_with_its_report_links_is_served_without_queries(
    comment, django_assert_num_queries
):
    url = comment.article.get_absolute_url()
    first = Client().get(url)
    assert first[CACHE_HIT_HEADER] == "miss"
    with django_assert_num_queries(0):
        hit = Client().get(url)
    assert hit[CACHE_HIT_HEADER] == "hit"
    assert report_url(comment) in hit.content.decode()


def test_a_comment_sent_back_leaves_the_cached_page(
    settings, comment, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_REPORTS_TO_REVIEW = 1
    url = comment.article.get_absolute_url()
    Client().get(url)
    with django_capture_on_commit_callbacks(execute=True):
        send(reader(1), comment)
    page = Client().get(url)
    assert page[CACHE_HIT_HEADER] == "miss"
    assert report_url(comment) not in page.content.decode()


def test_the_queue_gets_the_reasons_of_a_page_of_comments_in_one_query(
    article, make_comment, django_assert_num_queries
):
    comments = [make_comment(article, status="approved") for _ in range(3)]
    for n, reason in enumerate(["spam", "spam", "hate"]):
        report_comment(comments[0], client=f"{n}" * 64, reason=reason)
    report_comment(comments[1], client="9" * 64, reason="other")
    with django_assert_num_queries(1):
        found = CommentReport.objects.open().reasons_by_comment(c.pk for c in comments)
    assert found == {
        comments[0].pk: [
            {"reason": "spam", "count": 2, "label": "Spam or advertising"},
            {"reason": "hate", "count": 1, "label": "Hateful or threatening"},
        ],
        comments[1].pk: [{"reason": "other", "count": 1, "label": "Other inappropriate material"}],
    }


def test_the_moderators_are_emailed_when_a_comment_is_sent_back(
    settings, comment, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_REPORTS_TO_REVIEW = 2
    settings.NEWSROOM_MODERATOR_EMAILS = ["desk@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        send(reader(1), comment, "spam")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        send(reader(2), comment, "hate", "Bcc: victim@example.org\r\n<script>")
    (message,) = mail.outbox
    assert message.to == ["desk@example.org"]
    assert message.subject == "Comment reported on “Reported Article”"
    assert "2 reader reports: Hateful or threatening (1), Spam or advertising (1)." in message.body
    assert f"http://testserver/admin/newsroom/comment/{comment.pk}/change/" in message.body
    assert "A comment <b>readers</b> dislike." in message.body  # plain text, as written
    assert message.bcc == []


def test_addresses_of_one_ipv6_network_are_one_reader(settings, comment):
    settings.NEWSROOM_REPORTS_TO_REVIEW = 2
    for host in ("1", "2", "ffff:1"):
        send(Client(REMOTE_ADDR=f"2001:db8:1:2::{host}"), comment, "spam")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED  # one report from one /64
    assert comment.reports.count() == 1
    send(Client(REMOTE_ADDR="2001:db8:1:3::1"), comment, "spam")  # another network
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REPORTED


def test_a_report_with_no_client_to_go_by_is_refused(comment):
    response = send(Client(REMOTE_ADDR=""), comment, "spam")
    assert response.status_code == 400
    assert "cannot be taken from this connection" in response.content.decode()
    assert not comment.reports.exists()
