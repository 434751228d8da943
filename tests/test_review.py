"""Reporters and the editors' review (newsroom.admin.review, newsroom.reviewing): what a
reporter may do with their own drafts and nobody else's, and the review's three steps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsroom.models import Article, DeletionRefused, ReviewStep
from newsroom.reviewing import decisions
from newsroom.roles import REPORTERS
from quickquotes.models import QuickQuote
from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db

HOSTILE_TITLE = 'Rates <script>alert("x")</script>\nBcc: victim@example.org'


def change_url(item) -> str:
    meta = item._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[item.pk])


def review_url(model=Article) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_review")


@pytest.fixture
def editor_web(editor) -> Client:
    web = Client()
    web.force_login(editor)
    return web


@pytest.fixture
def own_draft(make_article, reporter):
    return make_article(
        title="Own draft", status=Article.Status.DRAFT, published_at=None, created_by=reporter
    )


def test_the_migrations_create_the_reporters_group():
    from django.contrib.auth.models import Group

    reporters = Group.objects.get(name=REPORTERS)
    codenames = set(reporters.permissions.values_list("codename", flat=True))
    assert {"add_article", "change_article", "add_quickquote", "change_quickquote"} <= codenames
    assert not codenames & {"publish_article", "publish_quickquote", "delete_article"}
    editors = Group.objects.get(name="Editors")
    assert editors.permissions.filter(codename="publish_article").exists()


def test_a_reporters_new_item_is_their_draft_whatever_the_post_says(reporter_client, reporter):
    data = {
        "title": "Fresh",
        "slug": "fresh",
        "quote": "We will.",
        "status": "published",
        "published_at_0": "2020-01-01",
        "published_at_1": "10:00:00",
        "tags": "",
        "newsroom-itemnote-content_type-object_id-TOTAL_FORMS": 0,
        "newsroom-itemnote-content_type-object_id-INITIAL_FORMS": 0,
    }
    response = reporter_client.post(reverse("admin:quickquotes_quickquote_add"), data)
    assert response.status_code == 302
    quote = QuickQuote.objects.get(slug="fresh")
    assert (quote.created_by, quote.status, quote.published_at) == (reporter, "draft", None)


def test_a_crafted_post_by_a_reporter_does_not_publish(reporter_client, own_draft):
    form = reporter_client.get(change_url(own_draft)).context["adminform"].form
    assert "status" not in form.fields and "published_at" not in form.fields
    data = change_form_data(reporter_client, change_url(own_draft))
    data.update(
        {
            "title": "Own draft, edited",
            "status": "published",
            "published_at_0": "2020-01-01",
            "published_at_1": "10:00:00",
        }
    )
    assert reporter_client.post(change_url(own_draft), data).status_code == 302
    own_draft.refresh_from_db()
    assert own_draft.title == "Own draft, edited"
    assert (own_draft.status, own_draft.published_at) == ("draft", None)


def test_a_reporter_cannot_publish_in_bulk(reporter_client, own_draft):
    reporter_client.post(
        reverse("admin:newsroom_article_changelist"),
        {"action": "publish", "_selected_action": [own_draft.pk], "post": "yes"},
    )
    own_draft.refresh_from_db()
    assert own_draft.status == "draft"


def test_a_reporter_cannot_open_another_reporters_item(
    reporter_client, make_article, django_user_model
):
    other = django_user_model.objects.create_user("other-reporter", is_staff=True)
    theirs = make_article(status=Article.Status.DRAFT, published_at=None, created_by=other)
    response = reporter_client.get(change_url(theirs))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    listing = reporter_client.get(reverse("admin:newsroom_article_changelist"))
    assert theirs.title not in listing.content.decode()
    reporter_client.post(change_url(theirs), {"title": "Mine now", "slug": theirs.slug})
    theirs.refresh_from_db()
    assert theirs.title != "Mine now"


def test_a_reporters_published_item_is_read_only_to_them(reporter_client, own_draft):
    own_draft.status, own_draft.published_at = Article.Status.PUBLISHED, timezone.now()
    own_draft.save()
    response = reporter_client.get(change_url(own_draft))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    data = {"title": "Changed after publication", "slug": own_draft.slug}
    assert reporter_client.post(change_url(own_draft), data).status_code == 403


def test_submitting_puts_the_draft_in_the_review_list_and_emails_the_editors(
    reporter_client, editor_web, own_draft, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_EDITOR_EMAILS = ["desk@example.org"]
    own_draft.title = HOSTILE_TITLE
    own_draft.save()
    data = {**change_form_data(reporter_client, change_url(own_draft)), "_submit_for_review": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        assert reporter_client.post(change_url(own_draft), data).status_code == 302
    own_draft.refresh_from_db()
    assert own_draft.submitted_at is not None
    step = ReviewStep.objects.for_item(own_draft).get()
    assert (step.action, step.user.username) == ("submitted", "reporter")

    [email] = mail.outbox
    assert email.to == ["desk@example.org"]
    assert "\n" not in email.subject and "Bcc" not in email.extra_headers
    assert "Rates <script>" in email.subject  # plain text: shown as written, on one line
    assert review_url() in email.body

    page = editor_web.get(review_url()).content.decode()
    assert "Rates &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<script>alert" not in page


def test_a_reporter_withdraws_their_draft_from_review(reporter_client, editor_web, own_draft):
    data = {**change_form_data(reporter_client, change_url(own_draft)), "_submit_for_review": "1"}
    reporter_client.post(change_url(own_draft), data)
    form = reporter_client.get(change_url(own_draft)).content.decode()
    assert 'name="_withdraw_from_review"' in form

    data = {
        **change_form_data(reporter_client, change_url(own_draft)),
        "title": "Own draft, second thoughts",
        "_withdraw_from_review": "1",
    }
    assert reporter_client.post(change_url(own_draft), data).status_code == 302

    own_draft.refresh_from_db()
    assert own_draft.submitted_at is None and own_draft.title == "Own draft, second thoughts"
    steps = [step.action for step in ReviewStep.objects.for_item(own_draft)]
    assert steps == ["withdrawn", "submitted"]  # newest first
    assert "Own draft" not in editor_web.get(review_url()).content.decode()
    # Withdrawn already: a second withdrawal is refused, and says so.
    again = reporter_client.post(
        change_url(own_draft),
        {**change_form_data(reporter_client, change_url(own_draft)), "_withdraw_from_review": "1"},
        follow=True,
    )
    assert "Only a draft in review is withdrawn." in again.content.decode()


def test_nobody_to_tell_means_no_email(
    own_draft, reporter, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_EDITOR_EMAILS = []
    settings.MANAGERS = []
    with django_capture_on_commit_callbacks(execute=True):
        decisions.submit(own_draft, reporter)
    assert mail.outbox == []


def test_the_review_list_is_for_editors_only(reporter_client, own_draft, reporter):
    decisions.submit(own_draft, reporter)
    assert reporter_client.get(review_url()).status_code == 403


def test_the_review_list_costs_the_same_queries_for_one_item_and_many(
    editor_web, make_article, reporter, django_assert_num_queries
):
    def items(count):
        for _ in range(count):
            draft = make_article(
                status=Article.Status.DRAFT, published_at=None, created_by=reporter
            )
            decisions.submit(draft, reporter)

    items(1)
    editor_web.get(review_url())  # the session and permissions, read once
    with django_assert_num_queries(5) as one:
        assert editor_web.get(review_url()).status_code == 200
    items(20)
    with django_assert_num_queries(len(one.captured_queries)):
        editor_web.get(review_url())


def test_approving_publishes_now(editor_web, own_draft, reporter):
    decisions.submit(own_draft, reporter)
    url = reverse("admin:newsroom_article_review_approve", args=[own_draft.pk])
    assert editor_web.post(url, {"publish_at": ""}).status_code == 302
    own_draft.refresh_from_db()
    assert own_draft.status == "published" and own_draft.submitted_at is None
    assert Article.objects.published().filter(pk=own_draft.pk).exists()
    actions = list(ReviewStep.objects.for_item(own_draft).values_list("action", flat=True))
    assert actions == ["approved", "submitted"]


def test_approving_with_a_time_schedules(editor_web, own_draft, reporter):
    decisions.submit(own_draft, reporter)
    later = timezone.localtime() + timedelta(days=2)
    url = reverse("admin:newsroom_article_review_approve", args=[own_draft.pk])
    editor_web.post(url, {"publish_at": later.strftime("%Y-%m-%dT%H:%M")})
    own_draft.refresh_from_db()
    assert Article.objects.scheduled().filter(pk=own_draft.pk).exists()
    assert ReviewStep.objects.for_item(own_draft).first().action == "scheduled"


def test_sent_back_the_reporter_sees_the_comment(reporter_client, editor_web, own_draft, reporter):
    decisions.submit(own_draft, reporter)
    url = reverse("admin:newsroom_article_review_send_back", args=[own_draft.pk])
    comment = "Cite the <b>source</b>, please."
    assert editor_web.post(url, {"comment": comment}).status_code == 302
    own_draft.refresh_from_db()
    assert own_draft.submitted_at is None and own_draft.status == "draft"
    page = reporter_client.get(change_url(own_draft)).content.decode()
    assert "Cite the &lt;b&gt;source&lt;/b&gt;, please." in page
    assert "Save and submit for review" in page  # and they may submit it again


def test_sending_back_needs_a_comment(editor_web, own_draft, reporter):
    decisions.submit(own_draft, reporter)
    url = reverse("admin:newsroom_article_review_send_back", args=[own_draft.pk])
    editor_web.post(url, {"comment": "  "})
    own_draft.refresh_from_db()
    assert own_draft.submitted_at is not None


def test_a_reporter_cannot_revert_to_a_published_revision(reporter_client, own_draft):
    from newsroom import revisions
    from newsroom.models import Revision

    own_draft.status, own_draft.published_at = Article.Status.PUBLISHED, timezone.now()
    own_draft.save()
    published = revisions.record(own_draft, via=Revision.Via.FORM)
    own_draft.status = Article.Status.DRAFT
    own_draft.save()
    url = reverse("admin:newsroom_article_revert", args=[own_draft.pk, published.pk])
    assert reporter_client.post(url).status_code == 403
    own_draft.refresh_from_db()
    assert own_draft.status == "draft"


def test_review_steps_are_never_deleted(own_draft, reporter):
    step = decisions.submit(own_draft, reporter)
    with pytest.raises(DeletionRefused):
        step.delete()
    with pytest.raises(DeletionRefused):
        ReviewStep.objects.all().delete()
