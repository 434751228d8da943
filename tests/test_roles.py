import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from newsroom.models import Article, Comment
from newsroom.roles import EDITORS, MODERATORS

pytestmark = pytest.mark.django_db


def test_the_migrations_create_both_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {EDITORS, MODERATORS}


def test_moderator_can_read_but_not_change_an_article(moderator_client, make_article):
    article = make_article(title="Original")
    url = reverse("admin:newsroom_article_change", args=[article.pk])
    response = moderator_client.get(url)
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    response = moderator_client.post(url, {"title": "Changed", "slug": article.slug})
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "Original"
    assert moderator_client.get(reverse("admin:newsroom_article_add")).status_code == 403


def test_moderator_cannot_publish_in_bulk(moderator_client, make_article):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    moderator_client.post(
        reverse("admin:newsroom_article_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_moderator_reaches_the_moderation_queue(moderator_client):
    assert moderator_client.get(reverse("admin:newsroom_comment_changelist")).status_code == 200


def test_staff_without_moderate_permission_cannot_moderate(
    client, django_user_model, make_article, make_comment
):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_comment", "change_comment"])
    )
    client.force_login(user)
    comment = make_comment(make_article())
    response = client.post(
        reverse("admin:newsroom_comment_changelist"),
        {"action": "approve", "_selected_action": [comment.pk]},
    )
    assert response.status_code == 200  # the action is not offered: Django shows the list again
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_editor_can_change_an_article(editor_client, make_article):
    article = make_article()
    url = reverse("admin:newsroom_article_change", args=[article.pk])
    assert editor_client.get(url).context["has_change_permission"]


def test_non_staff_user_cannot_reach_the_admin(client, django_user_model):
    user = django_user_model.objects.create_user("reader", password="pw")
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    response = client.get(reverse("admin:newsroom_comment_changelist"))
    assert response.status_code == 302


def test_anonymous_gets_the_login_page(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
