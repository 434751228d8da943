import pytest
from django.contrib import admin
from django.urls import reverse

from newsroom.models import Article, Comment, CommentStatusChange
from quickquotes.models import QuickQuote

pytestmark = pytest.mark.django_db

OUR_MODELS = [m for m in admin.site._registry if m._meta.app_label in {"newsroom", "quickquotes"}]


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_every_changelist_answers_for_a_superuser(admin_client, model):
    assert admin_client.get(changelist(model)).status_code == 200


@pytest.mark.parametrize(
    "model",
    [m for m in OUR_MODELS if admin.site._registry[m].has_add_permission.__func__
     is admin.ModelAdmin.has_add_permission],
    ids=lambda m: m._meta.label,
)  # fmt: skip
def test_every_add_form_answers_for_a_superuser(admin_client, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    assert admin_client.get(url).status_code == 200


def test_the_moderation_log_cannot_be_added_to_by_hand(admin_client):
    assert admin_client.get(reverse("admin:newsroom_commentstatuschange_add")).status_code == 403


def _seed_articles(make_article, make_comment, section, count: int) -> None:
    for _ in range(count):
        article = make_article(section=section)
        article.tags.add("news", "world")
        make_comment(article)
        make_comment(article, status=Comment.Status.APPROVED)


# Session, user, then the changelist's own: counts, rows, filters' choices and the first and
# last publication years.
ARTICLE_CHANGELIST_QUERIES = 7


@pytest.mark.parametrize("rows", [1, 100])
def test_article_changelist_query_count_does_not_grow_with_rows(
    admin_client, make_article, make_comment, section, rows, django_assert_num_queries
):
    _seed_articles(make_article, make_comment, section, rows)
    with django_assert_num_queries(ARTICLE_CHANGELIST_QUERIES):
        response = admin_client.get(changelist(Article))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == rows


def test_article_changelist_shows_annotated_comment_counts(
    admin_client, make_article, make_comment
):
    article = make_article()
    for _ in range(3):
        make_comment(article)
    make_comment(article, status=Comment.Status.APPROVED)
    response = admin_client.get(changelist(Article))
    row = response.context["cl"].result_list[0]
    assert (row.comment_total, row.comment_pending) == (4, 3)


COMMENT_CHANGELIST_QUERIES = 9


@pytest.mark.parametrize("rows", [1, 100])
def test_comment_changelist_query_count_does_not_grow_with_rows(
    admin_client, make_article, make_comment, rows, django_assert_num_queries
):
    article = make_article()
    for _ in range(rows):
        make_comment(article)
    with django_assert_num_queries(COMMENT_CHANGELIST_QUERIES):
        response = admin_client.get(changelist(Comment))
    assert response.status_code == 200


QUOTE_CHANGELIST_QUERIES = 7


@pytest.mark.parametrize("rows", [1, 100])
def test_quote_changelist_query_count_does_not_grow_with_rows(
    admin_client, make_quote, section, rows, django_assert_num_queries
):
    for _ in range(rows):
        make_quote(section=section)
    with django_assert_num_queries(QUOTE_CHANGELIST_QUERIES):
        response = admin_client.get(changelist(QuickQuote))
    assert response.status_code == 200


def test_moderation_queue_opens_on_pending_and_all_stays_reachable(
    admin_client, make_article, make_comment
):
    article = make_article()
    approved = make_comment(article, status=Comment.Status.APPROVED)
    pending = make_comment(article)
    spam = make_comment(article, status=Comment.Status.SPAM)
    response = admin_client.get(changelist(Comment))
    assert list(response.context["cl"].result_list) == [pending]
    response = admin_client.get(changelist(Comment), {"status": "all"})
    assert list(response.context["cl"].result_list) == [spam, pending, approved]
    assert '?status=all"' in response.content.decode()


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve", "approved"), ("reject", "rejected"), ("mark_spam", "spam")],
)
def test_bulk_moderation_actions_write_the_log(
    moderator_client, make_article, make_comment, action, status
):
    article = make_article()
    comments = [make_comment(article) for _ in range(3)]
    response = moderator_client.post(
        changelist(Comment),
        {"action": action, "_selected_action": [c.pk for c in comments]},
    )
    assert response.status_code == 302
    assert set(Comment.objects.values_list("status", flat=True)) == {status}
    log = CommentStatusChange.objects.filter(to_status=status, actor_name="moderator")
    assert log.count() == 3


def test_editing_the_status_in_the_form_goes_through_the_log(
    admin_client, admin_user, make_article, make_comment
):
    comment = make_comment(make_article())
    url = reverse("admin:newsroom_comment_change", args=[comment.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "status": "approved",
            "article": comment.article_id,
            "status_changes-TOTAL_FORMS": 0,
            "status_changes-INITIAL_FORMS": 0,
            "reports-TOTAL_FORMS": 0,
            "reports-INITIAL_FORMS": 0,
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    comment.refresh_from_db()
    assert comment.status == "approved"
    entry = comment.status_changes.get()
    assert (entry.from_status, entry.to_status, entry.actor) == ("pending", "approved", admin_user)


def test_comment_change_page_shows_its_history(admin_client, make_article, make_comment):
    from newsroom.discussion import decisions

    comment = make_comment(make_article())
    decisions.mark_spam([comment], rule="blocked_words", reason="matched “viagra”")
    url = reverse("admin:newsroom_comment_change", args=[comment.pk])
    response = admin_client.get(url)
    assert "matched “viagra”" in response.content.decode()
    assert "blocked words" in response.content.decode()  # the rule's readable name
    assert "blocked_words" not in response.content.decode()


def test_no_delete_action_or_page_for_comments(admin_client, make_article, make_comment):
    comment = make_comment(make_article())
    response = admin_client.get(changelist(Comment))
    assert "delete_selected" not in response.context["action_form"].fields["action"].choices[1:][0]
    url = reverse("admin:newsroom_comment_delete", args=[comment.pk])
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_publish_and_unpublish_actions(editor_client, make_article):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    live = make_article()
    editor_client.post(changelist(Article), {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_published
    editor_client.post(changelist(Article), {"action": "unpublish", "_selected_action": [live.pk]})
    live.refresh_from_db()
    assert live.status == Article.Status.DRAFT


def test_visibility_filter(admin_client, make_article):
    from datetime import timedelta

    from django.utils import timezone

    scheduled = make_article(published_at=timezone.now() + timedelta(days=2))
    make_article()
    response = admin_client.get(changelist(Article), {"visibility": "scheduled"})
    assert list(response.context["cl"].result_list) == [scheduled]


def test_article_admin_offers_view_on_site(admin_client, make_article):
    article = make_article()
    response = admin_client.get(reverse("admin:newsroom_article_change", args=[article.pk]))
    assert response.context["has_absolute_url"]
