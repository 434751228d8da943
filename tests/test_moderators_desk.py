"""The moderator's desk (newsroom.admin.desk): the queue's cards, a decision on one comment
with its reason, and a commenter's history with their bans."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from newsroom.discussion import decisions
from newsroom.discussion.policy import ModerationPolicy
from newsroom.models import Ban, Comment, CommentStatusChange

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:newsroom_comment_changelist")
ANN = {"author_name": "Ann", "author_email": "ann@example.org", "ip_hash": "a" * 64}


def decide_url(comment) -> str:
    return reverse("admin:newsroom_comment_decide", args=[comment.pk])


def commenter_url(comment) -> str:
    return reverse("admin:newsroom_comment_commenter", args=[comment.pk])


def card_of(html: str, comment) -> str:
    start = html.index(f'id="card-{comment.pk}"')
    return html[start : html.index("</article>", start)]


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# The cards


def test_a_card_shows_the_whole_comment_its_article_and_the_comment_it_answers(
    moderator_client, make_article, make_comment
):
    article = make_article(title="Talks <b>Resume</b>")
    parent = make_comment(article, author_name="Bo", body="The parent's words.")
    long_body = " ".join(f"word{n}" for n in range(400)) + " the very end"
    reply = make_comment(article, parent=parent, body=long_body, **ANN)

    html = moderator_client.get(QUEUE).content.decode()

    card = card_of(html, reply)
    assert "word0 " in card and "the very end" in card  # all of it
    assert card.count("word399") == 1  # once: the folded rest is no second copy
    assert "<details" in card
    assert "In reply to Bo:" in card and "The parent&#x27;s words." in card
    assert "Talks &lt;b&gt;Resume&lt;/b&gt;" in card and article.get_absolute_url() in card
    assert decide_url(reply) in html and commenter_url(reply) in card


def test_reasons_are_listed_once_with_their_evidence_marked(moderator_client, make_article):
    article = make_article()
    comment = Comment(article=article, author_name="Troll", body="idiot <i>idiot</i> again")
    decisions.apply_verdict(comment, ModerationPolicy(moderation_words=["idiot"]).check(comment))
    comment.moderation_reasons = [*comment.moderation_reasons, *comment.moderation_reasons]
    comment.save()

    card = card_of(moderator_client.get(QUEUE).content.decode(), comment)

    messages = [r["message"] for r in comment.moderation_reasons]
    assert card.count(f"<li>{messages[0]}") == 1
    assert "<mark>idiot</mark> &lt;i&gt;<mark>idiot</mark>&lt;/i&gt;" in card


def test_a_card_shows_the_commenters_record_and_ban(moderator_client, make_article, make_comment):
    article = make_article()
    for status in ["approved", "approved", "rejected", "spam"]:
        make_comment(article, status=status, **ANN)
    pending = make_comment(article, **ANN)
    stranger = make_comment(article, author_name="Cy", ip_hash="c" * 64)
    make_comment(article, author_name="Cy", ip_hash="c" * 64, status="spam")
    decisions.ban(Ban.Kind.IP_HASH, "c" * 64)

    html = moderator_client.get(QUEUE).content.decode()

    assert "By this email address:\n2 approved, 1 rejected, 1 spam" in card_of(html, pending)
    stranger_card = card_of(html, stranger)
    assert "From this client:\n0 approved, 0 rejected, 1 spam" in stranger_card
    assert "banned" in stranger_card and "banned" not in card_of(html, pending)


def test_the_queue_offers_the_policys_reasons(
    moderator_client, make_article, make_comment, settings
):
    settings.NEWSROOM_MODERATION_REASONS = ["Personal attack", "Off topic"]
    make_comment(make_article())
    html = moderator_client.get(QUEUE).content.decode()
    assert '<option value="Personal attack">Personal attack</option>' in html
    assert '<option value="Off topic">Off topic</option>' in html


# Deciding one comment


def test_a_rejection_from_a_card_is_logged_with_its_reason(
    moderator_client, moderator, make_article, make_comment
):
    comment = make_comment(make_article(), **ANN)
    next_url = f"{QUEUE}?status=pending&p=2"

    response = moderator_client.post(
        decide_url(comment),
        {
            "status": "rejected",
            "reason": "Personal attack",
            "note": "Calls a reader a fool.",
            "next": next_url,
        },
    )

    assert response.status_code == 302 and response["Location"] == next_url
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED
    entry = CommentStatusChange.objects.filter(comment=comment).last()
    assert (entry.to_status, entry.actor, entry.reason) == (
        "rejected",
        moderator,
        "Personal attack: Calls a reader a fool.",
    )
    assert texts(response) == ["The comment by Ann is rejected."]


def test_the_queues_script_gets_json(moderator_client, make_article, make_comment):
    comment = make_comment(make_article(), **ANN)
    response = moderator_client.post(
        decide_url(comment), {"status": "spam"}, HTTP_ACCEPT="application/json"
    )
    assert response.json() == {"status": "spam", "message": "The comment by Ann is marked as spam."}
    refused = moderator_client.post(
        decide_url(comment), {"status": "deleted"}, HTTP_ACCEPT="application/json"
    )
    assert refused.status_code == 400 and "status" in refused.json()["error"]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_a_decision_never_redirects_off_the_site(
    moderator_client, make_article, make_comment, target
):
    comment = make_comment(make_article())
    response = moderator_client.post(decide_url(comment), {"status": "approved", "next": target})
    assert response["Location"] == QUEUE


def test_a_decision_needs_post_and_a_csrf_token(moderator, make_article, make_comment):
    comment = make_comment(make_article())
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(moderator)
    assert strict.get(decide_url(comment)).status_code == 405
    assert strict.post(decide_url(comment), {"status": "approved"}).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_a_bulk_rejection_carries_its_reason(moderator_client, make_article, make_comment):
    article = make_article()
    chosen = [make_comment(article), make_comment(article)]
    moderator_client.post(
        QUEUE,
        {
            "action": "reject",
            "_selected_action": [c.pk for c in chosen],
            "reason": "Off topic",
            "note": "",
        },
    )
    reasons = CommentStatusChange.objects.filter(to_status="rejected").values_list(
        "reason", flat=True
    )
    assert list(reasons) == ["Off topic", "Off topic"]


# A commenter's history


def test_the_history_lists_every_comment_by_the_same_email_or_client(
    moderator_client, make_article, make_comment
):
    article = make_article(title="The Talks")
    mine = make_comment(article, body="First by Ann.", status="approved", **ANN)
    same_client = make_comment(
        article, author_name="Ann B", body="From Ann's laptop.", ip_hash="a" * 64
    )
    same_email = make_comment(
        article,
        author_name="Ann",
        author_email="ann@example.org",
        body="From Ann's phone.",
        status="spam",
        ip_hash="d" * 64,
    )
    make_comment(article, author_name="Cy", body="Someone else.", ip_hash="c" * 64)

    response = moderator_client.get(commenter_url(mine))

    html = response.content.decode()
    listed = [c.pk for c in response.context["page"].object_list]
    assert sorted(listed) == sorted([mine.pk, same_client.pk, same_email.pk])
    assert "Someone else." not in html
    assert "status-badge-spam" in html and "1 approved, 0 rejected, 1 spam" in html


def test_a_commenter_is_banned_and_the_ban_lifted_from_their_history(
    moderator_client, moderator, make_article, make_comment
):
    comment = make_comment(make_article(), **ANN)
    ban = reverse("admin:newsroom_comment_commenter_ban", args=[comment.pk])

    response = moderator_client.post(ban, {"kind": "email", "reason": "Repeated attacks."})

    assert response.status_code == 302
    the_ban = Ban.objects.active().get()
    assert (the_ban.kind, the_ban.value, the_ban.reason, the_ban.created_by) == (
        "email",
        "ann@example.org",
        "Repeated attacks.",
        moderator,
    )
    comment.refresh_from_db()
    assert "banned" in comment.rules
    assert (
        "Lift the ban on this email address"
        in moderator_client.get(commenter_url(comment)).content.decode()
    )

    moderator_client.post(ban, {"kind": "email", "lift": "1"})

    assert not Ban.objects.active().exists() and Ban.objects.count() == 1


def test_nothing_is_banned_by_what_the_commenter_lacks(
    moderator_client, make_article, make_comment
):
    comment = make_comment(make_article(), author_name="No email", ip_hash="e" * 64)
    ban = reverse("admin:newsroom_comment_commenter_ban", args=[comment.pk])
    moderator_client.post(ban, {"kind": "email"})
    moderator_client.post(ban, {"kind": "nonsense"})
    assert not Ban.objects.exists()


def test_a_comment_with_nothing_to_go_by_shows_no_record(
    moderator_client, make_article, make_comment
):
    bare = make_comment(make_article(), author_name="Imported")
    card = card_of(moderator_client.get(QUEUE).content.decode(), bare)
    assert "approved," not in card and "All their comments" not in card


def test_banning_from_the_history_asks_for_the_ban_permissions(
    moderator_client, moderator, make_article, make_comment
):
    from django.contrib.auth.models import Permission

    moderator.user_permissions.clear()
    for group in moderator.groups.all():
        group.permissions.remove(*Permission.objects.filter(codename__in=["add_ban"]))
    comment = make_comment(make_article(), **ANN)
    ban = reverse("admin:newsroom_comment_commenter_ban", args=[comment.pk])
    assert moderator_client.post(ban, {"kind": "email"}).status_code == 403
    assert not Ban.objects.exists()
