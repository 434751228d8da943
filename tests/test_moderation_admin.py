import pytest
from django.urls import reverse

from newsroom.discussion import decisions
from newsroom.discussion.policy import ModerationPolicy
from newsroom.discussion.posting import hash_ip
from newsroom.models import Ban, Comment, CommentStatusChange, DeletionRefused

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:newsroom_comment_changelist")


def judged(article, policy: ModerationPolicy, **fields) -> Comment:
    comment = Comment(article=article, author_name="Ann", **fields)
    decisions.apply_verdict(comment, policy.check(comment))
    comment.save()
    return comment


def test_queue_shows_counts_per_status(moderator_client, make_article, make_comment):
    article = make_article()
    for _ in range(3):
        make_comment(article)
    make_comment(article, status=Comment.Status.SPAM)
    response = moderator_client.get(QUEUE)
    counts = {value: count for value, _label, count in response.context["status_counts"]}
    assert counts == {"pending": 3, "approved": 0, "rejected": 0, "spam": 1, "reported": 0}
    assert "Pending: <strong>3</strong>" in response.content.decode()


def test_queue_filters_by_rule(moderator_client, make_article):
    article = make_article()
    policy = ModerationPolicy(moderation_words=["idiot"], approve_new_authors=True)
    worded = judged(article, policy, body="you idiot")
    linked = judged(article, policy, body="https://a.example https://b.example")
    response = moderator_client.get(QUEUE, {"rule": "moderation_words"})
    assert list(response.context["cl"].result_list) == [worded]
    response = moderator_client.get(QUEUE, {"rule": "links"})
    assert list(response.context["cl"].result_list) == [linked]


def test_matched_words_are_highlighted_and_text_escaped(moderator_client, make_article):
    article = make_article()
    policy = ModerationPolicy(blocked_words=["casino"])
    comment = judged(article, policy, body="<b>Play</b> at my C4sino <script>x</script>")
    html = moderator_client.get(QUEUE, {"status": "all"}).content.decode()
    assert "<mark>C4sino</mark>" in html
    assert "&lt;b&gt;Play&lt;/b&gt;" in html
    assert "<script>x</script>" not in html
    change = moderator_client.get(reverse("admin:newsroom_comment_change", args=[comment.pk]))
    assert "<mark>C4sino</mark>" in change.content.decode()
    assert "Blocked word “casino” (as “C4sino”)" in change.content.decode()


def test_ban_action_bans_email_and_client_and_flags_pending(
    moderator_client, moderator, make_article, make_comment
):
    article = make_article()
    target = make_comment(article, author_email="troll@example.org", ip_hash="f" * 64)
    other_pending = make_comment(article, author_email="troll@example.org")
    response = moderator_client.post(
        QUEUE, {"action": "ban_authors", "_selected_action": [target.pk]}
    )
    assert response.status_code == 302
    assert set(Ban.objects.values_list("kind", "value")) == {
        ("email", "troll@example.org"),
        ("ip_hash", "f" * 64),
    }
    assert Ban.objects.filter(created_by=moderator).count() == 2
    other_pending.refresh_from_db()
    assert other_pending.status == "pending" and "banned" in other_pending.rules
    response = moderator_client.get(QUEUE, {"rule": "banned"})
    assert set(response.context["cl"].result_list) == {target, other_pending}


def test_ban_by_typed_ip_address_stores_only_its_hash(moderator_client):
    response = moderator_client.post(
        reverse("admin:newsroom_ban_add"),
        {"kind": "ip_hash", "value": "203.0.113.9", "reason": "Flooding"},
    )
    assert response.status_code == 302
    ban = Ban.objects.get()
    assert ban.value == hash_ip("203.0.113.9")
    assert "203.0.113.9" not in ban.value


def test_bans_are_lifted_not_deleted(moderator_client):
    ban = Ban.objects.create(kind=Ban.Kind.EMAIL, value="x@example.org")
    changelist = reverse("admin:newsroom_ban_changelist")
    moderator_client.post(changelist, {"action": "lift", "_selected_action": [ban.pk]})
    ban.refresh_from_db()
    assert ban.lifted_at is not None
    delete_url = reverse("admin:newsroom_ban_delete", args=[ban.pk])
    assert moderator_client.post(delete_url, {"post": "yes"}).status_code == 403
    with pytest.raises(DeletionRefused):
        ban.delete()


def test_moderator_decisions_never_delete(moderator_client, make_article, make_comment):
    article = make_article()
    comments = [make_comment(article) for _ in range(4)]
    for action in ["approve", "reject", "mark_spam", "approve"]:
        moderator_client.post(
            QUEUE, {"action": action, "_selected_action": [c.pk for c in comments]}
        )
    assert Comment.objects.count() == 4
    assert CommentStatusChange.objects.count() == 16


def test_a_reader_cannot_moderate(client, django_user_model, make_article, make_comment):
    reader = django_user_model.objects.create_user("reader", password="pw")
    client.force_login(reader)
    comment = make_comment(make_article())
    response = client.post(QUEUE, {"action": "approve", "_selected_action": [comment.pk]})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_rule_filter_and_lists_show_readable_rule_names(moderator_client, make_article):
    article = make_article()
    comment = Comment(article=article, author_name="Ann", body="I know where you live.")
    verdict = ModerationPolicy().check(comment)
    decisions.apply_verdict(comment, verdict)
    decisions.record_new(comment, rule=verdict.rule, reason=verdict.summary)
    response = moderator_client.get(QUEUE)
    choices = dict(response.context["cl"].filter_specs[1].lookup_choices)
    assert choices["threats"] == "threats of violence"
    assert choices["blocked_words"] == "blocked words"
    assert all("_" not in str(label) for label in choices.values())
    assert '<a href="?rule=threats">threats of violence</a>' in response.content.decode()
    log = reverse("admin:newsroom_commentstatuschange_changelist")
    html = moderator_client.get(log).content.decode()
    assert '<td class="field-rule_name">threats of violence</td>' in html
    # The log's search takes the name as the filter shows it.
    found = moderator_client.get(log, {"q": "Threats of violence"}).context["cl"].result_list
    assert [entry.comment_id for entry in found] == [comment.pk]
    change = moderator_client.get(reverse("admin:newsroom_comment_change", args=[comment.pk]))
    assert "threats of violence" in change.content.decode()
    assert "<mark>know where you live</mark>" in change.content.decode()


def test_reasons_are_listed_once_and_joined_cleanly(moderator_client, make_article):
    article = make_article()
    policy = ModerationPolicy(moderation_words=["idiot", "savage"], approve_new_authors=True)
    comment = judged(article, policy, body="you idiot, savage idiot")
    # As stored before reasons were joined cleanly: the verdict's messages with ".;".
    messages = [reason["message"] for reason in comment.moderation_reasons]
    Comment.objects.filter(pk=comment.pk).update(decision_reason="; ".join(messages))
    page = reverse("admin:newsroom_comment_change", args=[comment.pk])

    def reasons_field() -> str:
        html = moderator_client.get(page).content.decode()
        start = html.index("field-reasons")
        return html[start : html.index("</div>", html.index('class="readonly"', start))]

    cell = reasons_field()
    assert ".;" not in cell
    assert cell.count("Moderation word “idiot”") == 1
    assert cell.count("Moderation word “savage”") == 1
    # The queue's card lists each reason once too.
    queue = moderator_client.get(QUEUE).content.decode()
    assert queue.count("Moderation word “idiot”") == 1
    # A moderator's own reason is still shown, after the policy's.
    Comment.objects.filter(pk=comment.pk).update(decision_reason="Rude to another reader.")
    assert "“you idiot”; Rude to another reader." in reasons_field()
