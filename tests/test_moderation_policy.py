from datetime import timedelta

import pytest
from django.utils import timezone

from newsroom.discussion import decisions
from newsroom.discussion.policy import ModerationPolicy, get_policy
from newsroom.models import Article, Ban, Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(make_article):
    return make_article()


def new_comment(article, **fields) -> Comment:
    """A new comment whose poster proved the address is theirs (see
    ``test_an_unconfirmed_address_is_not_a_known_author``)."""
    fields.setdefault("email_confirmed", True)
    fields.setdefault("author_name", "Ann")
    fields.setdefault("author_email", "ann@example.org")
    fields.setdefault("body", "A thoughtful remark.")
    return Comment(article=article, **fields)


def rules(verdict) -> set[str]:
    return {reason.rule for reason in verdict.reasons}


def test_first_comment_is_held_by_default(article):
    verdict = ModerationPolicy().check(new_comment(article))
    assert verdict.status == "pending"
    assert rules(verdict) == {"first_comment"}


def test_clean_comment_is_approved_when_new_authors_are_trusted(article):
    verdict = ModerationPolicy(approve_new_authors=True).check(new_comment(article))
    assert verdict.status == "approved"


def test_known_author_is_approved_at_once(article, make_comment):
    make_comment(
        article, author_name="Ann", author_email="ann@example.org", status=Comment.Status.APPROVED
    )
    verdict = ModerationPolicy().check(new_comment(article, author_email="ANN@example.org"))
    assert verdict.status == "approved"
    assert verdict.reasons[0].rule == "known_author"
    assert verdict.reasons[0].evidence == "ANN@example.org"


def test_an_unconfirmed_address_is_not_a_known_author(article, make_comment):
    make_comment(
        article, author_name="Ann", author_email="ann@example.org", status=Comment.Status.APPROVED
    )
    verdict = ModerationPolicy().check(new_comment(article, email_confirmed=False))
    assert verdict.status == "pending"
    assert rules(verdict) == {"first_comment"}


def test_known_author_rule_never_applies_to_pingbacks(article, make_comment):
    make_comment(
        article, author_name="Ann", author_email="ann@example.org", status=Comment.Status.APPROVED
    )
    ping = new_comment(article, kind=Comment.Kind.PINGBACK)
    assert ModerationPolicy().check(ping).status == "pending"


def test_known_author_rule_can_be_switched_off(article, make_comment):
    make_comment(
        article, author_name="Ann", author_email="ann@example.org", status=Comment.Status.APPROVED
    )
    policy = ModerationPolicy(approve_known_authors=False)
    assert policy.check(new_comment(article)).status == "pending"


def test_a_rejected_earlier_comment_does_not_make_a_known_author(article, make_comment):
    make_comment(article, author_email="ann@example.org", status=Comment.Status.REJECTED)
    assert ModerationPolicy().check(new_comment(article)).status == "pending"


def test_blocked_word_is_spam_with_evidence(article):
    policy = ModerationPolicy(blocked_words=["viagra"], approve_new_authors=True)
    verdict = policy.check(new_comment(article, body="Cheap V1AGRA here"))
    assert verdict.status == "spam"
    (reason,) = verdict.reasons
    assert reason.rule == "blocked_words"
    assert reason.evidence == "V1AGRA"
    assert "viagra" in reason.message and "V1AGRA" in reason.message


def test_blocked_word_in_the_name_counts(article):
    policy = ModerationPolicy(blocked_words=["casino"], approve_new_authors=True)
    assert policy.check(new_comment(article, author_name="Casino King")).status == "spam"


def test_moderation_word_holds(article):
    policy = ModerationPolicy(moderation_words=["idiot"], approve_new_authors=True)
    verdict = policy.check(new_comment(article, body="What an 1d10t."))
    assert verdict.status == "pending"
    assert rules(verdict) == {"moderation_words"}


def test_moderation_word_does_not_fire_inside_other_words(article):
    policy = ModerationPolicy(moderation_words=["ass"], approve_new_authors=True)
    assert policy.check(new_comment(article, body="A classic assessment.")).status == "approved"


def test_known_author_is_still_held_by_a_moderation_word(article, make_comment):
    make_comment(
        article, author_name="Ann", author_email="ann@example.org", status=Comment.Status.APPROVED
    )
    policy = ModerationPolicy(moderation_words=["idiot"])
    assert policy.check(new_comment(article, body="idiot")).status == "pending"


def test_links_hold_at_the_threshold(article):
    policy = ModerationPolicy(hold_links=2, approve_new_authors=True)
    one = new_comment(article, body="See https://a.example")
    two = new_comment(article, body="See https://a.example and www.b.example")
    assert policy.check(one).status == "approved"
    verdict = policy.check(two)
    assert verdict.status == "pending"
    assert verdict.reasons[0].rule == "links"
    assert verdict.reasons[0].evidence == "2"


def test_premoderated_article_holds_everything(make_article, make_comment):
    article = make_article(comment_mode=Article.CommentMode.PREMODERATED)
    make_comment(
        article, author_name="Ann", author_email="ann@example.org", status=Comment.Status.APPROVED
    )
    verdict = ModerationPolicy().check(new_comment(article))
    assert verdict.status == "pending"
    assert "premoderated" in rules(verdict)


def test_closed_mode_and_close_after_days(make_article):
    closed = make_article(comment_mode=Article.CommentMode.CLOSED)
    old = make_article(published_at=timezone.now() - timedelta(days=31))
    fresh = make_article(published_at=timezone.now() - timedelta(days=1))
    policy = ModerationPolicy(close_after_days=30)
    assert not policy.comments_open(closed)
    assert not policy.comments_open(old)
    assert policy.comments_open(fresh)
    assert ModerationPolicy().comments_open(old)


def test_surge_switch_holds_new_comments_for_a_while(article, make_comment):
    make_comment(
        article, author_name="Ann", author_email="ann@example.org", status=Comment.Status.APPROVED
    )
    policy = ModerationPolicy(surge_threshold=3, surge_window=60, surge_hold=600)
    assert policy.check(new_comment(article)).status == "approved"
    for _ in range(3):
        policy.note_submission(article)
    verdict = policy.check(new_comment(article))
    assert verdict.status == "pending"
    assert "surge" in rules(verdict)


def test_surge_is_per_article(make_article, make_comment):
    busy, quiet = make_article(), make_article()
    make_comment(
        quiet, author_name="Ann", author_email="ann@example.org", status=Comment.Status.APPROVED
    )
    policy = ModerationPolicy(surge_threshold=2)
    policy.note_submission(busy)
    policy.note_submission(busy)
    assert policy.check(new_comment(quiet)).status == "approved"


def test_banned_author_is_held_even_when_known(article, make_comment):
    make_comment(
        article, author_name="Ann", author_email="ann@example.org", status=Comment.Status.APPROVED
    )
    Ban.objects.create(kind=Ban.Kind.EMAIL, value="Ann@Example.org")
    verdict = ModerationPolicy().check(new_comment(article))
    assert verdict.status == "pending"
    assert "banned" in rules(verdict)


def test_banned_client_fingerprint(article):
    Ban.objects.create(kind=Ban.Kind.IP_HASH, value="abc123")
    verdict = ModerationPolicy().check(new_comment(article, ip_hash="abc123"))
    assert "banned" in rules(verdict)


def test_lifted_ban_no_longer_applies(article):
    ban = Ban.objects.create(kind=Ban.Kind.EMAIL, value="ann@example.org")
    decisions.lift_ban(ban)
    verdict = ModerationPolicy().check(new_comment(article))
    assert "banned" not in rules(verdict)


def test_imported_comments_skip_the_context_rules(make_article):
    article = make_article(comment_mode=Article.CommentMode.PREMODERATED)
    policy = ModerationPolicy(moderation_words=["idiot"])
    assert policy.check(new_comment(article), imported=True).status == "approved"
    held = policy.check(new_comment(article, body="idiot"), imported=True)
    assert held.status == "pending"


def test_every_reason_names_its_rule_and_the_rule_that_settled_it(article):
    policy = ModerationPolicy(blocked_words=["casino"], moderation_words=["idiot"])
    verdict = policy.check(new_comment(article, body="casino idiot https://x https://y"))
    assert verdict.status == "spam"
    assert rules(verdict) >= {"blocked_words", "moderation_words", "links"}
    assert verdict.rule == "blocked_words"


def test_policy_settings_come_from_django_settings(settings):
    settings.NEWSROOM_MODERATION = {"hold_links": 5, "blocked_words": ["casino"]}
    policy = get_policy()
    assert policy.hold_links == 5
    assert policy.blocked_words == ["casino"]


def test_unknown_policy_setting_is_refused():
    with pytest.raises(TypeError, match="no setting 'hold_link'"):
        ModerationPolicy(hold_link=3)


def test_ban_flags_pending_comments_and_leaves_the_others(article, make_comment, moderator):
    pending = make_comment(article, author_email="troll@example.org")
    approved = make_comment(
        article, author_email="troll@example.org", status=Comment.Status.APPROVED
    )
    ban, flagged = decisions.ban(Ban.Kind.EMAIL, "Troll@example.org", actor=moderator)
    assert flagged == 1
    pending.refresh_from_db()
    approved.refresh_from_db()
    assert pending.status == "pending"
    assert "banned" in pending.rules.split()
    assert pending.moderation_reasons[-1]["rule"] == "banned"
    assert approved.status == "approved"
    again, _ = decisions.ban(Ban.Kind.EMAIL, "troll@example.org")
    assert again == ban
