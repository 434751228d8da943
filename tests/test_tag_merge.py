"""Merging tags in the admin (newsroom.tagging): every item ends with the new tag once, in
a few statements, each changed item gets a revision, and cached pages are refreshed."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from taggit.models import Tag, TaggedItem

from newsroom.models import Revision
from newsroom.tagging import merge_tags

pytestmark = pytest.mark.django_db


def merge_in_admin(client, tags, name):
    changelist = reverse("admin:taggit_tag_changelist")
    client.post(changelist, {"action": "render_tag_form", "_selected_action": [t.pk for t in tags]})
    return client.post(reverse("admin:taggit_tag_merge_tags"), {"new_tag_name": name})


def test_every_item_ends_with_the_new_tag_once(editor_client, editor, make_article, make_quote):
    only_old = make_article()
    only_old.tags.add("Talks")
    both_old = make_article()
    both_old.tags.add("Talks", "Negotiations")
    already = make_quote()
    already.tags.add("Talks", "Diplomacy")
    untouched = make_article()
    untouched.tags.add("Sport")
    tags = list(Tag.objects.filter(name__in=["Talks", "Negotiations"]))

    response = merge_in_admin(editor_client, tags, "Diplomacy")

    assert response.status_code == 302
    for item in (only_old, both_old, already):
        assert list(item.tags.names()) == ["Diplomacy"]
    assert list(untouched.tags.names()) == ["Sport"]
    changed = Revision.objects.filter(via=Revision.Via.ACTION, user=editor)
    assert changed.count() == 3
    for item in (only_old, both_old, already):
        assert Revision.objects.of(item).get().snapshot["tags"] == ["Diplomacy"]


def test_a_merge_takes_the_same_statements_for_2_and_200_items(make_article):
    counts = []
    for size in (2, 200):
        old = Tag.objects.create(name=f"Old {size}", slug=f"old-{size}")
        for _ in range(size):
            make_article().tags.add(old)
        with CaptureQueriesContext(connection) as queries:
            assert merge_tags([old], f"New {size}") == size
        # Besides the revisions' insert, which the database may take in batches.
        statements = [q["sql"] for q in queries.captured_queries]
        counts.append(len([sql for sql in statements if 'INTO "newsroom_revision"' not in sql]))
    assert counts[0] == counts[1]
    assert TaggedItem.objects.filter(tag__name="New 200").count() == 200


def test_a_merge_refreshes_the_cached_pages(make_article, django_capture_on_commit_callbacks):
    article = make_article()
    article.tags.add("Talks")
    connection.run_on_commit.clear()  # what the set-up left pending, never committed
    with django_capture_on_commit_callbacks() as callbacks:
        merge_tags(list(Tag.objects.filter(name="Talks")), "Diplomacy")
    assert [callback.__name__ for callback in callbacks] == ["bump_site"]


def test_merging_a_tag_into_itself_changes_nothing(make_article):
    article = make_article()
    article.tags.add("Talks")
    with transaction.atomic():
        assert merge_tags(list(Tag.objects.filter(name="Talks")), "Talks") == 0
    assert list(article.tags.names()) == ["Talks"] and not Revision.objects.exists()


def test_merging_into_a_name_of_another_case_takes_that_tag(make_article):
    article = make_article()
    article.tags.add("Climate", "Global warming")
    climate = Tag.objects.get(name="Climate")
    merge_tags(list(Tag.objects.all()), "climate")
    assert list(Tag.objects.filter(name__iexact="climate").values_list("pk", "name", "slug")) == [
        (climate.pk, "climate", "climate")
    ]
    assert list(article.tags.names()) == ["climate"]


def test_a_pending_draft_gets_the_merge_too(editor_client, make_article):
    from tests.test_drafts import save_draft

    article = make_article()
    article.tags.add("Politics")
    save_draft(editor_client, article, title="Draft title", tags="Politics, Budget")
    merge_tags(list(Tag.objects.filter(name="Politics")), "Government")

    article.refresh_from_db()
    assert article.draft_revision.snapshot["tags"] == ["Budget", "Government"]
    assert article.draft_revision.snapshot["fields"]["title"] == "Draft title"
