"""What a reader wrote stays as written: the admin cannot rewrite it, only redact it.

Every staff role is tried against the comment's change form with altered values, and the
redaction (reason required, logged with the original, shown to readers at once) is tried
through the admin page with CSRF checks on.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsroom.discussion import decisions
from newsroom.models import Comment, CommentStatusChange
from newsroom.pagecache import CACHE_HIT_HEADER
from newsroom.roles import EDITORS, MODERATORS

pytestmark = pytest.mark.django_db

STAFF_ROLES = ["superuser", "editor", "moderator"]
# Everything a reader wrote or the system derived when the comment came in.
KEPT_FIELDS = [
    "body",
    "author_name",
    "author_email",
    "author_url",
    "article_id",
    "parent_id",
    "user_id",
    "kind",
    "submitted_at",
    "position",
    "ip_hash",
    "fingerprint",
]
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ORIGINAL = "My neighbour at 12 Elm Street is a fraud."
REASON = "Personal details of a third party."
NOTICE = f"This comment was removed by a moderator: {REASON}"


def make_staff(django_user_model, role: str):
    if role == "superuser":
        return django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    user = django_user_model.objects.create_user(role, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name={"editor": EDITORS, "moderator": MODERATORS}[role]))
    return user


@pytest.fixture(params=STAFF_ROLES)
def staff(request, django_user_model):
    return make_staff(django_user_model, request.param)


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def article(make_article):
    return make_article(title="Town hall")


@pytest.fixture
def comment(article, make_comment, django_user_model):
    """An approved reply with every field filled in, as a reader's comment has them."""
    parent = make_comment(article, status=Comment.Status.APPROVED)
    reader = django_user_model.objects.create_user("ann", password="pw")
    reply = make_comment(
        article,
        parent=parent,
        user=reader,
        author_name="Ann Reader",
        author_email="ann@example.org",
        author_url="https://ann.example/",
        body=ORIGINAL,
        status=Comment.Status.APPROVED,
        submitted_at=timezone.now() - timedelta(hours=2),
        position=3,
        ip_hash="a" * 64,
        fingerprint="b" * 64,
    )
    CommentStatusChange.objects.create(comment=reply, to_status=reply.status, rule="clean")
    return reply


def snapshot(comment: Comment) -> dict:
    fresh = Comment.objects.get(pk=comment.pk)
    return {name: getattr(fresh, name) for name in KEPT_FIELDS}


def change_url(comment: Comment) -> str:
    return reverse("admin:newsroom_comment_change", args=[comment.pk])


def redact_url(comment: Comment) -> str:
    return reverse("admin:newsroom_comment_redact", args=[comment.pk])


def altered_post(comment: Comment, make_article, make_comment, django_user_model, **extra):
    """The change form's fields, every one of them set to something else."""
    elsewhere = make_article(title="Elsewhere")
    other_parent = make_comment(elsewhere, status=Comment.Status.APPROVED)
    impostor = django_user_model.objects.create_user("impostor", password="pw")
    when = timezone.now() - timedelta(days=30)
    return {
        "body": "Rewritten by staff.",
        "author_name": "Somebody Else",
        "author_email": "else@example.org",
        "author_url": "https://evil.example/",
        "article": elsewhere.pk,
        "parent": other_parent.pk,
        "user": impostor.pk,
        "kind": Comment.Kind.PINGBACK,
        "submitted_at_0": when.strftime("%Y-%m-%d"),
        "submitted_at_1": when.strftime("%H:%M:%S"),
        "position": 99,
        "ip_hash": "c" * 64,
        "fingerprint": "d" * 64,
        "status": comment.status,
        "status_changes-TOTAL_FORMS": 0,
        "status_changes-INITIAL_FORMS": 0,
        "reports-TOTAL_FORMS": 0,
        "reports-INITIAL_FORMS": 0,
        **extra,
    }


# The change form


def test_the_change_form_offers_only_the_status(staff_client, comment):
    response = staff_client.get(change_url(comment))
    assert response.status_code == 200
    assert set(response.context["adminform"].form.fields) == {"status"}


def test_posting_altered_fields_changes_nothing(
    staff_client, comment, make_article, make_comment, django_user_model
):
    before = snapshot(comment)
    entries = CommentStatusChange.objects.count()
    data = altered_post(comment, make_article, make_comment, django_user_model)
    response = staff_client.post(change_url(comment), data)
    assert response.status_code in (200, 302)
    assert snapshot(comment) == before
    assert CommentStatusChange.objects.count() == entries


def test_a_status_change_posted_with_altered_fields_changes_only_the_status(
    staff_client, staff, comment, make_article, make_comment, django_user_model
):
    before = snapshot(comment)
    data = altered_post(
        comment, make_article, make_comment, django_user_model, status=Comment.Status.REJECTED
    )
    response = staff_client.post(change_url(comment), data)
    assert response.status_code == 302
    assert snapshot(comment) == before
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.REJECTED
    entry = comment.status_changes.last()
    assert (entry.from_status, entry.to_status, entry.actor) == ("approved", "rejected", staff)


def test_the_moved_comment_stays_on_its_own_article_page(
    staff_client, comment, article, make_article, make_comment, django_user_model
):
    data = altered_post(comment, make_article, make_comment, django_user_model)
    staff_client.post(change_url(comment), data)
    assert ORIGINAL in Client().get(article.get_absolute_url()).content.decode()


# Redaction


def csrf_post(client: Client, url: str, data: dict):
    """POST as a browser does: with the token from the form page."""
    page = client.get(url)
    assert page.status_code == 200
    token = CSRF_INPUT.search(page.content.decode()).group(1)
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


@pytest.fixture
def strict_staff_client(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    return client


def test_redaction_requires_a_reason(strict_staff_client, comment):
    before = snapshot(comment)
    for reason in ["", "   "]:
        response = csrf_post(strict_staff_client, redact_url(comment), {"reason": reason})
        assert response.status_code == 200
        assert response.context["form"].errors.as_data()["reason"][0].code == "required"
    assert snapshot(comment) == before
    assert not comment.status_changes.filter(action="redaction").exists()


def test_the_decision_function_requires_a_reason(comment, admin_user):
    with pytest.raises(ValidationError) as raised:
        decisions.redact(comment, reason="  ", actor=admin_user)
    assert raised.value.code == "reason_required"
    assert Comment.objects.get(pk=comment.pk).body == ORIGINAL


def test_redaction_needs_the_csrf_token(staff, comment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.post(redact_url(comment), {"reason": REASON}).status_code == 403
    assert Comment.objects.get(pk=comment.pk).body == ORIGINAL


@pytest.mark.parametrize("page_cache", ["cached", "uncached"])
def test_redaction_replaces_the_text_for_readers_at_once(
    strict_staff_client, comment, article, settings, page_cache,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    if page_cache == "uncached":
        settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # the page's parts are still kept
    url = article.get_absolute_url()
    for _ in range(2):
        page = Client().get(url)
        assert ORIGINAL in page.content.decode()
    if page_cache == "cached":
        assert page[CACHE_HIT_HEADER] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_post(strict_staff_client, redact_url(comment), {"reason": REASON})
    assert response.status_code == 302

    html = Client().get(url).content.decode()
    assert ORIGINAL not in html  # in the comment list and in the JSON-LD
    assert NOTICE in html
    assert html.count(NOTICE) == 2  # the comment list and the JSON-LD's "text"
    assert "Ann Reader" in html  # the name is kept
    for feed in ["/feeds/rss/", "/feeds/atom/"]:
        assert ORIGINAL not in Client().get(feed).content.decode()


def test_redaction_keeps_the_original_in_the_log(strict_staff_client, staff, comment):
    csrf_post(strict_staff_client, redact_url(comment), {"reason": REASON})
    redacted = Comment.objects.get(pk=comment.pk)
    assert redacted.body == ""
    assert redacted.redacted_reason == REASON
    assert redacted.status == Comment.Status.APPROVED
    entry = redacted.status_changes.get(action="redaction")
    assert entry.original_body == ORIGINAL
    assert (entry.reason, entry.actor, entry.actor_name) == (REASON, staff, staff.get_username())
    assert (entry.from_status, entry.to_status) == ("approved", "approved")


def test_the_redaction_is_listed_on_the_comments_admin_page(strict_staff_client, comment):
    csrf_post(strict_staff_client, redact_url(comment), {"reason": REASON})
    response = strict_staff_client.get(change_url(comment))
    html = response.content.decode()
    assert response.status_code == 200
    assert ORIGINAL in html  # the original text, in the history
    assert NOTICE in html  # what readers see instead
    (history,) = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "status_changes"
    ]
    shown = [form.original for form in history]
    assert [entry.action for entry in shown] == ["status", "redaction"]
    assert (shown[-1].original_body, shown[-1].reason) == (ORIGINAL, REASON)
    assert re.search(r'<td class="field-action">\s*<p>Redaction</p>\s*</td>', html)


def test_a_redacted_comment_is_not_redacted_again(strict_staff_client, comment):
    csrf_post(strict_staff_client, redact_url(comment), {"reason": REASON})
    token = strict_staff_client.cookies["csrftoken"].value
    again = {"reason": "Second thoughts.", "csrfmiddlewaretoken": token}
    response = strict_staff_client.post(redact_url(comment), again)
    assert response.status_code == 302
    assert response["Location"] == change_url(comment)
    assert comment.status_changes.filter(action="redaction").count() == 1
    assert Comment.objects.get(pk=comment.pk).redacted_reason == REASON


def test_the_change_page_links_to_the_redaction_form(staff_client, comment):
    html = staff_client.get(change_url(comment)).content.decode()
    assert f'href="{redact_url(comment)}"' in html


def _staff_with(django_user_model, *codenames: str):
    user = django_user_model.objects.create_user("limited", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="newsroom", codename__in=codenames)
    )
    return user


@pytest.mark.parametrize(
    "who",
    ["anonymous", "reader", "view only", "change without moderate", "moderate without change"],
)
def test_who_may_not_redact_cannot(who, comment, django_user_model):
    client = Client()
    users = {
        "reader": lambda: django_user_model.objects.create_user("reader", password="pw"),
        "view only": lambda: _staff_with(django_user_model, "view_comment"),
        "change without moderate": lambda: _staff_with(django_user_model, "change_comment"),
        "moderate without change": lambda: _staff_with(
            django_user_model, "view_comment", "moderate_comment"
        ),
    }
    if who in users:
        client.force_login(users[who]())
    response = client.post(redact_url(comment), {"reason": REASON})
    if who in {"anonymous", "reader"}:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == 403
        change_page = client.get(change_url(comment)).content.decode()
        assert f'href="{redact_url(comment)}"' not in change_page
    assert Comment.objects.get(pk=comment.pk).body == ORIGINAL
    assert not CommentStatusChange.objects.filter(action="redaction").exists()
