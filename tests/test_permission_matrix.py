"""Who may do what: every role against every admin page, action and the public comment POST.

The expected answers come from each role's permissions (``user.has_perm``) plus the few
refusals made for everyone by design, never from what the site happens to answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from newsroom import revisions
from newsroom.corrections import add_note
from newsroom.discussion import decisions
from newsroom.discussion.reports import report_comment
from newsroom.models import (
    Article,
    Author,
    Ban,
    Comment,
    CommentStatusChange,
    FrontPagePin,
    Image,
    ItemNote,
    Revision,
    Section,
)
from newsroom.roles import EDITORS, MODERATORS, REPORTERS
from quickquotes.models import QuickQuote
from tests.admin_forms import NOTES, add_note_row, change_form_data
from tests.form_tokens import sent_form_token

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "reader", "moderator", "reporter", "editor", "superuser"]
APPS = {"newsroom", "quickquotes", "taggit", "auth", "redirects", "sites"}
REGISTRY = {
    model._meta.label_lower: model_admin
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label in APPS
}
MODELS = sorted(REGISTRY)
PAGES = ["changelist", "add", "change", "delete", "history"]
# Any one of these permissions opens the page.
PAGE_NEEDS = {
    "changelist": ("view", "change"),
    "add": ("add",),
    "change": ("view", "change"),
    "delete": ("delete",),
    "history": ("view", "change"),
}
# Refused to everyone, superusers included: comments, bans and corrections and updates are
# kept for good (decided, lifted or retracted, never deleted), comments are readers' words
# (nobody adds one in the admin under a name of their choosing) and the moderation log is
# append-only.
REFUSED_FOR_EVERYONE = {
    ("newsroom.comment", "add"),
    ("newsroom.comment", "delete"),
    ("newsroom.ban", "delete"),
    ("newsroom.itemnote", "delete"),
    ("newsroom.commentstatuschange", "add"),
    ("newsroom.commentstatuschange", "change"),
    ("newsroom.commentstatuschange", "delete"),
    # A pin is made on its item's own change form.
    ("newsroom.frontpagepin", "add"),
}
# Pages a ModelAdmin adds to the standard five: URL name -> (model, permission needed).
EXTRA_PAGES = {
    "auth_user_password_change": ("auth.user", "change"),
    "newsroom_comment_redact": ("newsroom.comment", "moderate"),
    # A commenter's history, with their bans: who may moderate.
    "newsroom_comment_commenter": ("newsroom.comment", "moderate"),
    "taggit_tag_merge_tags": ("taggit.tag", "change"),
    # Two revisions compared: whoever may see the item (the matrix's roles that may
    # change an item may view it too).
    "newsroom_article_compare": ("newsroom.article", "view"),
    "quickquotes_quickquote_compare": ("quickquotes.quickquote", "view"),
    # An item as its unpublished changes would make it: whoever may see the item.
    "newsroom_article_preview": ("newsroom.article", "view"),
    "quickquotes_quickquote_preview": ("quickquotes.quickquote", "view"),
    # The editors' review list: who may publish.
    "newsroom_article_review": ("newsroom.article", "publish"),
    "quickquotes_quickquote_review": ("quickquotes.quickquote", "publish"),
}
# Those of them that are about one object.
OBJECT_PAGES = {
    "auth_user_password_change",
    "newsroom_comment_redact",
    "newsroom_comment_commenter",
    "newsroom_article_compare",
    "quickquotes_quickquote_compare",
    "newsroom_article_preview",
    "quickquotes_quickquote_preview",
}
# Pages that only take a POST (a GET is refused to everyone): URL name -> (model, permission).
POST_PAGES = {
    "newsroom_article_revert": ("newsroom.article", "change"),
    "quickquotes_quickquote_revert": ("quickquotes.quickquote", "change"),
}
# The moderator's desk, POST only: a card's decision, a ban from a commenter's history.
DESK_POST_PAGES = {
    "newsroom_comment_decide": {"status": "rejected", "reason": "Off topic"},
    "newsroom_comment_commenter_ban": {"kind": "email", "reason": "Trolling."},
}
# Discarding an item's unpublished changes, POST only: URL name -> (model, permission).
DISCARD_PAGES = {
    "newsroom_article_discard_draft": ("newsroom.article", "change"),
    "quickquotes_quickquote_discard_draft": ("quickquotes.quickquote", "change"),
}
# The review's decisions on an item in review, POST only: URL name -> (model, permission).
REVIEW_POST_PAGES = {
    f"{label.replace('.', '_')}_review_{decision}": (label, "publish")
    for label in ("newsroom.article", "quickquotes.quickquote")
    for decision in ("approve", "send_back")
}
# The change form's ping of who has the item open: a POST, for whoever may see the item.
PRESENCE_PAGES = {
    "newsroom_article_presence": ("newsroom.article", "view"),
    "quickquotes_quickquote_presence": ("quickquotes.quickquote", "view"),
}


# Roles


def make_user(django_user_model, role: str):
    if role == "anonymous":
        return None
    if role == "superuser":
        return django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    user = django_user_model.objects.create_user(role, password="pw", is_staff=role != "reader")
    group = {"moderator": MODERATORS, "editor": EDITORS, "reporter": REPORTERS}.get(role)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


@pytest.fixture
def user(role, django_user_model):
    return make_user(django_user_model, role)


@pytest.fixture
def web(user):
    """The role's browser; a crash shows as the 500 a visitor would get."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def is_staff(user) -> bool:
    return user is not None and user.is_active and user.is_staff


def may(user, label: str, action: str) -> bool:
    """What the role's permissions give, less what is refused to everyone by design."""
    app_label, model_name = label.split(".")
    return (
        is_staff(user)
        and user.has_perm(f"{app_label}.{action}_{model_name}")
        and (label, action) not in REFUSED_FOR_EVERYONE
    )


def may_any(user, label: str, actions) -> bool:
    return any(may(user, label, action) for action in actions)


def sent_to_login(response, path: str) -> bool:
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    return location.path == reverse("admin:login") and parse_qs(location.query)["next"] == [path]


def problem_with(response, user, path: str, allowed: bool, refused: int = 403) -> str | None:
    """What is wrong with the answer to a GET, or None. Non-staff are sent to log in."""
    if not is_staff(user):
        return None if sent_to_login(response, path) else f"{response.status_code}, not login"
    expected = 200 if allowed else refused
    return None if response.status_code == expected else f"{response.status_code} != {expected}"


def check(web, user, path: str, allowed: bool, refused: int = 403) -> str | None:
    return problem_with(web.get(path), user, path, allowed, refused)


# One object of each registered model


@pytest.fixture
def objects(request, make_article, make_quote, make_comment, django_user_model):
    # The role's own items: a reporter may change only theirs (others' are checked below).
    owner = request.getfixturevalue("user") if "user" in request.fixturenames else None
    article = make_article(status=Article.Status.DRAFT, published_at=None, created_by=owner)
    comment = make_comment(make_article(), author_email="troll@example.org", ip_hash="f" * 64)
    decisions.record_new(comment, reason="For the matrix.")
    the_ban, _held = decisions.ban(Ban.Kind.EMAIL, "spammer@example.org")
    made = {
        "auth.group": Group.objects.create(name="Interns"),
        "auth.user": django_user_model.objects.create_user("target", password="pw"),
        "sites.site": Site.objects.create(domain="other.example", name="Other"),
        "redirects.redirect": Redirect.objects.create(site_id=1, old_path="/old/", new_path="/"),
        "taggit.tag": Tag.objects.create(name="Diplomacy", slug="diplomacy"),
        "newsroom.section": Section.objects.create(name="Region", slug="region"),
        "newsroom.author": Author.objects.create(name="Ann Writer", slug="ann-writer"),
        "newsroom.article": article,
        "newsroom.comment": comment,
        "newsroom.ban": the_ban,
        "newsroom.commentstatuschange": comment.status_changes.get(),
        "newsroom.frontpagepin": FrontPagePin.objects.create(
            content_type=ContentType.objects.get_for_model(Article), object_id=article.pk
        ),
        "newsroom.image": Image.objects.create(source_url="https://old.example/a.jpg"),
        "quickquotes.quickquote": make_quote(
            status=QuickQuote.Status.DRAFT, published_at=None, created_by=owner
        ),
    }
    assert set(made) == set(MODELS), "a model was registered: give it an object here"
    return made


def page_url(label: str, page: str, obj=None) -> str:
    name = "admin:{}_{}_{}".format(*label.split("."), page)
    return reverse(name) if page in {"changelist", "add"} else reverse(name, args=[obj.pk])


# Pages


@pytest.mark.parametrize("label", MODELS)
def test_each_role_gets_what_its_permissions_give_on_every_model_page(web, user, objects, label):
    problems = {}
    for page in PAGES:
        path = page_url(label, page, objects[label])
        response = web.get(path)
        problem = problem_with(response, user, path, may_any(user, label, PAGE_NEEDS[page]))
        if problem is None and page == "change" and response.status_code == 200:
            # Seen with the view permission alone, the page is read-only.
            editable = response.context["has_change_permission"]
            if editable is not may(user, label, "change"):
                problem = f"editable: {editable}"
        if problem:
            problems[page] = problem
    assert problems == {}


def test_every_admin_page_is_in_the_matrix():
    standard = {f"{label.replace('.', '_')}_{page}" for label in MODELS for page in PAGES}
    names = {
        pattern.name
        for model_admin in REGISTRY.values()
        for pattern in model_admin.urls
        if pattern.name
    }
    extra = {
        *EXTRA_PAGES,
        *POST_PAGES,
        *DISCARD_PAGES,
        *DESK_POST_PAGES,
        *REVIEW_POST_PAGES,
        *PRESENCE_PAGES,
    }
    assert names - standard - extra == set()


@pytest.mark.parametrize(
    ("name", "role"),
    [(name, role) for name in sorted(EXTRA_PAGES) for role in ROLES],
    indirect=["role"],
)
def test_extra_admin_pages_follow_the_permissions(web, user, objects, name):
    label, action = EXTRA_PAGES[name]
    args = [objects[label].pk] if name in OBJECT_PAGES else []
    path = reverse(f"admin:{name}", args=args)
    if name == "taggit_tag_merge_tags" and user is not None:
        # The merge page follows the "Merge selected tags" action, which chose the tags.
        session = web.session
        session["selected_tag_ids"] = str(objects["taggit.tag"].pk)
        session.save()
    assert check(web, user, path, may(user, label, action)) is None


@pytest.mark.parametrize(
    ("name", "role"),
    [(name, role) for name in sorted(POST_PAGES) for role in ROLES],
    indirect=["role"],
)
def test_reverting_to_a_revision_follows_the_change_permission(web, user, objects, name):
    label, action = POST_PAGES[name]
    obj = objects[label]
    first = revisions.record(obj, via=Revision.Via.FORM)
    obj.title = "Changed since"
    obj.save()
    path = reverse(f"admin:{name}", args=[obj.pk, first.pk])
    # A GET changes nothing for anyone: login first, then 405.
    assert check(web, user, path, allowed=False, refused=405) is None
    response = web.post(path)
    reverted = type(obj).objects.get(pk=obj.pk).title != "Changed since"
    assert reverted is may(user, label, action)
    if not is_staff(user):
        assert sent_to_login(response, path)
    else:
        assert response.status_code == (302 if reverted else 403)


@pytest.mark.parametrize(
    ("name", "role"),
    [(name, role) for name in sorted(DESK_POST_PAGES) for role in ROLES],
    indirect=["role"],
)
def test_the_moderators_desk_decides_only_for_roles_that_may_moderate(web, user, objects, name):
    comment = objects["newsroom.comment"]
    path = reverse(f"admin:{name}", args=[comment.pk])
    assert check(web, user, path, allowed=False, refused=405) is None
    response = web.post(path, DESK_POST_PAGES[name])
    comment.refresh_from_db()
    acted = (
        comment.status == Comment.Status.REJECTED
        or Ban.objects.filter(kind="email", value=comment.author_email).exists()
    )
    allowed = may(user, "newsroom.comment", "moderate")
    if name == "newsroom_comment_commenter_ban":
        allowed = allowed and may(user, "newsroom.ban", "add")  # as the ban list asks
    assert acted is allowed
    if not is_staff(user):
        assert sent_to_login(response, path)
    else:
        assert response.status_code == (302 if acted else 403)


@pytest.mark.parametrize(
    ("name", "role"),
    [(name, role) for name in sorted(DISCARD_PAGES) for role in ROLES],
    indirect=["role"],
)
def test_discarding_a_draft_follows_the_change_permission(web, user, objects, name):
    label, action = DISCARD_PAGES[name]
    obj = objects[label]
    draft = revisions.record(obj, via=Revision.Via.FORM, is_draft=True)
    type(obj).objects.filter(pk=obj.pk).update(draft_revision=draft)
    path = reverse(f"admin:{name}", args=[obj.pk])
    assert check(web, user, path, allowed=False, refused=405) is None
    response = web.post(path)
    discarded = type(obj).objects.get(pk=obj.pk).draft_revision_id is None
    assert discarded is may(user, label, action)
    if not is_staff(user):
        assert sent_to_login(response, path)
    else:
        assert response.status_code == (302 if discarded else 403)


@pytest.mark.parametrize(
    ("name", "role"),
    [(name, role) for name in sorted(REVIEW_POST_PAGES) for role in ROLES],
    indirect=["role"],
)
def test_review_decisions_are_taken_only_by_roles_that_may_publish(web, user, objects, name):
    label, action = REVIEW_POST_PAGES[name]
    obj = objects[label]
    obj.submitted_at = timezone.now()
    obj.save()
    path = reverse(f"admin:{name}", args=[obj.pk])
    assert check(web, user, path, allowed=False, refused=405) is None
    response = web.post(path, {"comment": "Shorter, please."})
    after = type(obj).objects.get(pk=obj.pk)
    decided = after.submitted_at is None
    assert decided is may(user, label, action)
    assert (after.status == "published") is (decided and name.endswith("_approve"))
    if not is_staff(user):
        assert sent_to_login(response, path)
    else:
        assert response.status_code == (302 if decided else 403)


@pytest.mark.parametrize("label", ["newsroom.article", "quickquotes.quickquote"])
@pytest.mark.parametrize("role", ROLES, indirect=True)
def test_a_role_without_publish_never_reaches_other_peoples_items(
    web, user, objects, label, django_user_model
):
    """The matrix's items are the role's own; here the draft is another reporter's."""
    obj = objects[label]
    someone = make_user(django_user_model, "reporter-2")
    someone.groups.add(Group.objects.get(name=REPORTERS))
    type(obj).objects.filter(pk=obj.pk).update(created_by=someone)
    revision = revisions.record(obj, via=Revision.Via.FORM)
    if not is_staff(user):
        return  # sent to log in, as everywhere in the matrix
    # Those who only view (moderators) see everything; who change without publishing do not.
    reporting = may(user, label, "change") and not may(user, label, "publish")
    seen = may_any(user, label, ("view", "change")) and not reporting
    info = label.replace(".", "_")
    compare = reverse(f"admin:{info}_compare", args=[obj.pk])
    answers = {
        "listed": obj.title in web.get(page_url(label, "changelist")).content.decode(),
        "opened": web.get(page_url(label, "change", obj)).status_code == 200,
        "history": web.get(page_url(label, "history", obj)).status_code == 200,
        "compared": web.get(f"{compare}?a={revision.pk}&b={revision.pk}").status_code == 200,
        "previewed": web.get(reverse(f"admin:{info}_preview", args=[obj.pk])).status_code == 200,
    }
    assert answers == dict.fromkeys(answers, seen)
    if reporting:
        web.post(page_url(label, "change", obj), {"title": "Taken over", "slug": obj.slug})
        web.post(reverse(f"admin:{info}_revert", args=[obj.pk, revision.pk]))
        assert type(obj).objects.get(pk=obj.pk).title == obj.title
        assert Revision.objects.of(obj).count() == 1


@pytest.mark.parametrize(
    ("name", "role"),
    [(name, role) for name in sorted(PRESENCE_PAGES) for role in ROLES],
    indirect=["role"],
)
def test_the_presence_ping_follows_the_view_permission(web, user, objects, name):
    label, action = PRESENCE_PAGES[name]
    path = reverse(f"admin:{name}", args=[objects[label].pk])
    assert check(web, user, path, allowed=False, refused=405) is None
    response = web.post(path)
    if not is_staff(user):
        assert sent_to_login(response, path)
    else:
        assert response.status_code == (200 if may(user, label, action) else 403)


def test_site_wide_admin_pages(web, user):
    problems = {}
    for path in [reverse("admin:index"), reverse("admin:password_change")]:
        problem = check(web, user, path, allowed=True)
        if problem:
            problems[path] = problem
    for app_label in sorted(APPS):
        labels = [label for label in MODELS if label.startswith(f"{app_label}.")]
        visible = any(may_any(user, label, ("add", "change", "delete", "view")) for label in labels)
        path = reverse("admin:app_list", args=[app_label])
        # An app the role has no permission in does not exist for it.
        problem = check(web, user, path, visible, refused=404)
        if problem:
            problems[path] = problem
    assert problems == {}


@pytest.mark.parametrize(
    ("source", "field", "target"),
    [
        ("newsroom.article", "section", "newsroom.section"),
        ("newsroom.article", "authors", "newsroom.author"),
        ("quickquotes.quickquote", "section", "newsroom.section"),
    ],
)
def test_autocomplete_follows_the_view_permission_on_the_target(web, user, source, field, target):
    app_label, model_name = source.split(".")
    query = f"?app_label={app_label}&model_name={model_name}&field_name={field}"
    path = reverse("admin:autocomplete") + query
    response = web.get(path)
    if not is_staff(user):
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == reverse("admin:login")
        return
    expected = 200 if may_any(user, target, ("view", "change")) else 403
    assert response.status_code == expected


def test_by_design_refusals_hold_for_a_superuser_posting(admin_client, objects):
    comment, the_ban = objects["newsroom.comment"], objects["newsroom.ban"]
    entry = objects["newsroom.commentstatuschange"]
    posts = [
        page_url("newsroom.comment", "delete", comment),
        page_url("newsroom.ban", "delete", the_ban),
        page_url("newsroom.commentstatuschange", "delete", entry),
        page_url("newsroom.commentstatuschange", "change", entry),
        page_url("newsroom.commentstatuschange", "add"),
    ]
    answers = {
        path: admin_client.post(path, {"post": "yes", "reason": "x"}).status_code for path in posts
    }
    assert answers == dict.fromkeys(posts, 403)
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert Ban.objects.filter(pk=the_ban.pk).exists()
    entry_after = CommentStatusChange.objects.get(pk=entry.pk)
    assert (entry_after.reason, entry_after.to_status) == (entry.reason, entry.to_status)


# Actions


@dataclass(frozen=True)
class ActionCase:
    label: str
    action: str
    needs: str  # the permission that allows the action
    make: Callable[[dict], object]
    changed: Callable[[object], bool]

    def __str__(self) -> str:
        return f"{self.label}:{self.action}"


def _status(obj) -> str:
    return type(obj).objects.get(pk=obj.pk).status


def _gone(obj) -> bool:
    return not type(obj).objects.filter(pk=obj.pk).exists()


def _draft(model):
    return lambda made: made[model._meta.label_lower]


def _published(model):
    def make(made):
        obj = made[model._meta.label_lower]
        obj.status, obj.published_at = model.Status.PUBLISHED, timezone.now()
        obj.save()
        return obj

    return make


def _pending_comment(made):
    return made["newsroom.comment"]


PUBLISHING_CASES = [
    ActionCase(
        model._meta.label_lower,
        "publish",
        "publish",
        _draft(model),
        lambda obj: _status(obj) == "published",
    )
    for model in (Article, QuickQuote)
] + [
    ActionCase(
        model._meta.label_lower,
        "unpublish",
        "publish",
        _published(model),
        lambda obj: _status(obj) == "draft",
    )
    for model in (Article, QuickQuote)
]
MODERATION_CASES = [
    ActionCase(
        "newsroom.comment",
        action,
        "moderate",
        _pending_comment,
        lambda obj, s=status: _status(obj) == s,
    )
    for action, status in [("approve", "approved"), ("reject", "rejected"), ("mark_spam", "spam")]
] + [
    ActionCase(
        "newsroom.comment",
        "ban_authors",
        "moderate",
        _pending_comment,
        lambda obj: (
            Ban.objects.active().filter(value__in=["troll@example.org", "f" * 64]).count() == 2
        ),
    ),
    ActionCase(
        "newsroom.ban",
        "lift",
        "change",
        lambda made: made["newsroom.ban"],
        lambda obj: Ban.objects.get(pk=obj.pk).lifted_at is not None,
    ),
]
DELETE_CASES = [
    ActionCase(label, "delete_selected", "delete", lambda made, lbl=label: made[lbl], _gone)
    for label in MODELS
]
ACTION_CASES = PUBLISHING_CASES + MODERATION_CASES + DELETE_CASES


def offered_actions(label: str) -> set[str]:
    """Every action the ModelAdmin declares, whoever it is then offered to."""
    return {name for _func, name, _description in REGISTRY[label]._get_base_actions()}


def test_every_admin_action_is_in_the_matrix():
    declared = {(label, name) for label in MODELS for name in offered_actions(label)}
    covered = {(case.label, case.action) for case in ACTION_CASES}
    # taggit's merge is a page of its own, checked with the extra pages and below.
    assert declared - covered == {("taggit.tag", "render_tag_form")}


def action_allowed(user, case: ActionCase) -> bool:
    """Whoever can open the list and holds the action's permission (after the by-design
    refusals, which take the delete action away from comments, bans and the log)."""
    return may_any(user, case.label, ("view", "change")) and may(user, case.label, case.needs)


@pytest.mark.parametrize("case", ACTION_CASES, ids=str)
def test_an_action_changes_data_only_for_roles_allowed_to_run_it(web, user, objects, case):
    obj = case.make(objects)
    path = page_url(case.label, "changelist")
    response = web.post(path, {"action": case.action, "_selected_action": [obj.pk], "post": "yes"})
    assert response.status_code in (200, 302, 403)
    assert case.changed(obj) is action_allowed(user, case)


@pytest.mark.parametrize(
    "role",
    ROLES,
    indirect=True,
)
def test_merging_tags_changes_data_only_for_roles_that_may_change_tags(
    web, user, objects, make_article
):
    old = objects["taggit.tag"]
    article = make_article()
    article.tags.add(old)
    changelist = page_url("taggit.tag", "changelist")
    web.post(changelist, {"action": "render_tag_form", "_selected_action": [old.pk]})
    web.post(reverse("admin:taggit_tag_merge_tags"), {"new_tag_name": "Talks"})
    merged = not TaggedItem.objects.filter(tag=old).exists()
    changed = merged or Tag.objects.filter(name="Talks").exists()
    assert changed is may(user, "taggit.tag", "change")


# Corrections and updates: an inline on each kind's change form (ItemNote has no admin
# page of its own); adding or retracting a note also takes changing the item.

ITEM_KINDS = ["newsroom.article", "quickquotes.quickquote"]


def unchanged_form(objects, label: str, django_user_model) -> tuple[str, dict]:
    """The item's change page and what its form posts, as a superuser sees it: what a role
    sends is checked by the server whatever its own form showed."""
    root = django_user_model.objects.create_superuser("matrix-root", "m@example.org", "pw")
    client = Client()
    client.force_login(root)
    path = page_url(label, "change", objects[label])
    return path, change_form_data(client, path)


def may_write_notes(user, label: str, action: str) -> bool:
    return may(user, label, "change") and may(user, "newsroom.itemnote", action)


@pytest.mark.parametrize("label", ITEM_KINDS)
def test_the_notes_inline_shows_to_roles_that_may_see_notes(web, user, objects, label):
    response = web.get(page_url(label, "change", objects[label]))
    if response.status_code != 200:
        return  # the page itself is in the matrix above
    shown = "Corrections and updates" in response.content.decode()
    assert shown is may_any(user, "newsroom.itemnote", ("view", "change", "add"))


def test_readers_reports_show_on_a_comment_to_roles_that_may_see_them(web, user, objects):
    comment = objects["newsroom.comment"]
    report_comment(comment, client="c" * 64, reason="spam", text="Matrix report.")
    response = web.get(page_url("newsroom.comment", "change", comment))
    if response.status_code != 200:
        return  # the page itself is in the matrix above
    shown = "Matrix report." in response.content.decode()
    assert shown is may(user, "newsroom.commentreport", "view")
    # Moderators decide, editors too, nobody else.
    assert shown is (user.is_superuser or user.username in {"moderator", "editor"})


@pytest.mark.parametrize("label", ITEM_KINDS)
def test_a_note_is_added_only_by_roles_allowed_to(web, user, objects, label, django_user_model):
    path, data = unchanged_form(objects, label, django_user_model)
    add_note_row(data, "A matrix correction.")
    web.post(path, data)
    added = ItemNote.objects.filter(text="A matrix correction.").exists()
    assert added is may_write_notes(user, label, "add")


@pytest.mark.parametrize("label", ITEM_KINDS)
def test_a_note_is_retracted_only_by_roles_allowed_to(web, user, objects, label, django_user_model):
    note = add_note(objects[label], "A matrix correction.")
    path, data = unchanged_form(objects, label, django_user_model)
    data[f"{NOTES}-0-retraction_reason"] = "Superseded."
    web.post(path, data)
    retracted = ItemNote.objects.get(pk=note.pk).is_retracted
    assert retracted is may_write_notes(user, label, "change")


@pytest.mark.parametrize("label", ITEM_KINDS)
def test_no_role_deletes_a_note(web, user, objects, label, django_user_model):
    note = add_note(objects[label], "A matrix correction.")
    path, data = unchanged_form(objects, label, django_user_model)
    data[f"{NOTES}-0-DELETE"] = "on"
    web.post(path, data)
    assert ItemNote.objects.filter(pk=note.pk, retracted_at=None).exists()


# The public comment POST


@pytest.fixture
def strict_web(user):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def comment_data(article, body: str) -> dict:
    return {
        "author_name": "Ann Reader",
        "author_email": "ann@example.org",
        "body": body,
        "token": sent_form_token(article),
    }


def test_every_role_may_comment_with_a_csrf_token(strict_web, user, make_article):
    article = make_article()
    assert strict_web.get(article.get_absolute_url()).status_code == 200
    token = strict_web.cookies["csrftoken"].value
    data = {**comment_data(article, "With a token."), "csrfmiddlewaretoken": token}
    response = strict_web.post(f"/articles/{article.slug}/comments/", data)
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.user == user


@pytest.mark.parametrize("token", [None, "", "forged-token-" + "x" * 20])
def test_no_role_may_comment_without_a_csrf_token(strict_web, make_article, token):
    article = make_article()
    strict_web.get(article.get_absolute_url())
    data = comment_data(article, "Without a token.")
    if token is not None:
        data["csrfmiddlewaretoken"] = token
    response = strict_web.post(f"/articles/{article.slug}/comments/", data)
    assert response.status_code == 403
    assert not Comment.objects.exists()
