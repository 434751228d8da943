import pytest
from django.contrib.auth.models import Group

from newsroom.models import Comment
from newsroom.roles import MODERATORS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCRIPT_BODY = (
    'Great piece! <script>alert("xss")</script>'
    '<img src=x onerror="document.body.dataset.pwned=1"> See you.'
)


def test_reader_posts_moderator_approves_reader_sees_it(
    live_server, new_page, make_article, django_user_model, settings, staff_roles
):
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0
    article = make_article(title="Aliyev Threatens War via Twitter")
    moderator = django_user_model.objects.create_user(
        "moderator", password="moderator-pass", is_staff=True
    )
    moderator.groups.add(Group.objects.get(name=MODERATORS))
    url = live_server.url + article.get_absolute_url()

    reader = new_page()
    reader.goto(url)
    reader.fill("#id_author_name", "Ann Reader")
    reader.fill("#id_author_email", "ann@example.org")
    reader.fill("#id_body", SCRIPT_BODY)
    reader.click(".comment-form button[type=submit]")
    reader.wait_for_load_state()
    assert "Your comment is awaiting moderation" in reader.inner_text(".messages")
    pending = reader.locator(".comment--pending")
    assert pending.count() == 1
    assert 'Great piece! <script>alert("xss")</script>' in pending.inner_text()
    assert reader.evaluate("document.body.dataset.pwned") is None

    passer_by = new_page()
    passer_by.goto(url)
    assert passer_by.locator(".comment").count() == 0

    mod = new_page()
    mod.goto(live_server.url + "/admin/login/?next=/admin/newsroom/comment/")
    mod.fill("#id_username", "moderator")
    mod.fill("#id_password", "moderator-pass")
    mod.click("input[type=submit]")
    mod.wait_for_url("**/admin/newsroom/comment/")
    assert "pending: 1" in mod.inner_text(".queue-counts").lower()
    assert mod.evaluate("document.body.dataset.pwned") is None
    mod.check("input[name=_selected_action]")
    mod.select_option("select[name=action]", "approve")
    mod.click("button[name=index]")
    mod.wait_for_load_state()
    assert "1 comment approved" in mod.inner_text(".messagelist")

    comment = Comment.objects.get()
    assert comment.status == "approved"
    assert comment.status_changes.last().actor == moderator

    reader.reload()
    published = reader.locator(f"#comment-{comment.pk}")
    assert "Awaiting moderation" not in published.inner_text()
    assert "Ann Reader" in published.inner_text()
    assert reader.locator(".comment-list script").count() == 0
    assert reader.locator(".comment-list img").count() == 0
    assert reader.evaluate("document.body.dataset.pwned") is None
    passer_by.reload()
    assert passer_by.locator(".comment").count() == 1
