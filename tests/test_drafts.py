"""Draft changes to a live item (newsroom.admin.drafts): "Save draft" keeps the live page,
staff preview the draft, "Publish changes" makes it live, and nothing of a draft is lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse

from newsroom import revisions
from newsroom.corrections import notes_for
from newsroom.models import Article, Author, Revision
from newsroom.pagecache import CACHE_HIT_HEADER
from quickquotes.models import QuickQuote
from tests.admin_forms import add_note_row, change_form_data
from tests.conftest import _staff_in
from tests.test_import_sources import FIXTURES, QUOTE, run

pytestmark = pytest.mark.django_db


def url(obj, page: str = "change", *args) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{page}", args=[obj.pk, *args])


@pytest.fixture
def article(make_article) -> Article:
    article = make_article(title="Live title", body="Live paragraph.", description="Live words.")
    article.authors.add(Author.objects.create(name="Ann Live", slug="ann-live"))
    article.tags.add("Politics")
    revisions.record(article, via=Revision.Via.FORM)
    return article


@pytest.fixture
def settled():
    """Run and forget the commit hooks the setup left (the test's transaction never commits):
    the cache's invalidation is registered once per transaction, so one left pending would
    hide those of the requests under test."""
    connection = transaction.get_connection()
    for _savepoints, hook, _robust in connection.run_on_commit:
        hook()
    connection.run_on_commit.clear()


def save_draft(client, obj, **changes) -> tuple:
    data = {**change_form_data(client, url(obj)), **changes, "_save_draft": "1"}
    return client.post(url(obj), data), data


def test_save_draft_keeps_the_live_item_and_stores_the_change_as_the_newest_revision(
    editor_client, article
):
    ann = article.authors.get()
    bo = Author.objects.create(name="Bo Draft", slug="bo-draft")
    response, _data = save_draft(
        editor_client,
        article,
        title="Draft title",
        body="Draft paragraph.",
        authors=[str(bo.pk)],
        tags="Elections",
    )

    assert response.status_code == 302 and response["Location"] == url(article)
    article.refresh_from_db()
    # The item, its bylines and its tags: as readers see them.
    assert (article.title, article.body) == ("Live title", "Live paragraph.")
    assert "Live paragraph." in article.body_html
    assert list(article.authors.all()) == [ann]
    assert list(article.tags.names()) == ["Politics"]
    draft = Revision.objects.of(article).first()
    assert article.draft_revision == draft and draft.is_draft
    assert draft.snapshot["fields"]["title"] == "Draft title"
    assert draft.snapshot["authors"] == [[bo.pk, "Bo Draft"]]
    assert draft.snapshot["tags"] == ["Elections"]
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "saved as a draft" in message and "readers still see" in message
    log = LogEntry.objects.get(object_id=str(article.pk))
    assert "Saved as a draft" in log.get_change_message() and "Title" in log.get_change_message()


def test_readers_see_the_published_version_and_its_cached_page_stays(
    editor_client, article, settled, django_capture_on_commit_callbacks
):
    first = Client().get(article.get_absolute_url())
    assert first[CACHE_HIT_HEADER] == "miss"

    # (The cache is invalidated once a save is committed: those callbacks run here.)
    with django_capture_on_commit_callbacks(execute=True):
        save_draft(editor_client, article, title="Draft title", body="Draft paragraph.")

    again = Client().get(article.get_absolute_url())
    assert again[CACHE_HIT_HEADER] == "hit"  # nothing was invalidated
    html = again.content.decode()
    assert "Live title" in html and "Draft" not in html
    # Uncached, the live page still says what was published.
    fresh = editor_client.get(article.get_absolute_url()).content.decode()
    assert "Live paragraph." in fresh and "Draft paragraph." not in fresh


def test_the_change_form_holds_the_draft_and_says_so(editor_client, article):
    bo = Author.objects.create(name="Bo Draft", slug="bo-draft")
    save_draft(editor_client, article, title="Draft title", authors=[str(bo.pk)], tags="Elections")

    response = editor_client.get(url(article))

    form = response.context["adminform"].form
    assert form["title"].value() == "Draft title"
    assert form["authors"].value() == [bo.pk]
    assert [tag.name for tag in form.initial["tags"]] == ["Elections"]
    html = response.content.decode()
    assert 'id="draft-notice"' in html
    assert url(article, "preview") in html
    assert 'name="_save_draft"' in html and "Publish changes" in html
    live = Revision.objects.of(article).filter(is_draft=False).first()
    assert f"?a={live.pk}&amp;b={article.__class__.objects.get().draft_revision_id}" in html


def test_a_second_draft_builds_on_the_first(editor_client, article):
    save_draft(editor_client, article, title="Draft title")
    save_draft(editor_client, article, body="Draft paragraph.")

    article.refresh_from_db()
    assert article.title == "Live title"
    fields = article.draft_revision.snapshot["fields"]
    assert (fields["title"], fields["body"]) == ("Draft title", "Draft paragraph.")
    assert Revision.objects.of(article).filter(is_draft=True).count() == 2


def test_publish_changes_makes_the_draft_live_and_rebuilds_the_page(
    editor_client, article, settled, django_capture_on_commit_callbacks
):
    assert Client().get(article.get_absolute_url())[CACHE_HIT_HEADER] == "miss"
    save_draft(editor_client, article, title="Draft title", tags="Elections")

    data = change_form_data(editor_client, url(article))
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(url(article), {**data, "_save": "Publish changes"})

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Draft title" and article.draft_revision is None
    assert list(article.tags.names()) == ["Elections"]
    newest = Revision.objects.of(article).first()
    assert not newest.is_draft and newest.snapshot["fields"]["title"] == "Draft title"
    page = Client().get(article.get_absolute_url())
    assert page[CACHE_HIT_HEADER] == "miss" and "Draft title" in page.content.decode()


def test_the_list_marks_and_filters_items_with_unpublished_changes(
    editor_client, article, make_article
):
    plain = make_article(title="Nothing pending")
    save_draft(editor_client, article, title="Draft title")
    changelist = reverse("admin:newsroom_article_changelist")

    response = editor_client.get(changelist)
    rows = {
        obj.title: obj.draft_revision_id is not None for obj in response.context["cl"].result_list
    }
    assert rows == {"Live title": True, "Nothing pending": False}
    assert "unpublished changes" in response.content.decode()
    filtered = editor_client.get(changelist, {"draft": "yes"}).context["cl"].result_list
    assert [obj.pk for obj in filtered] == [article.pk]
    assert plain.pk not in [obj.pk for obj in filtered]


def test_the_preview_shows_the_draft_to_staff_only(editor_client, article):
    save_draft(editor_client, article, title="Draft title", body="Draft *paragraph*.")
    preview = url(article, "preview")

    response = editor_client.get(preview)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Draft title" in html and "Draft <em>paragraph</em>." in html
    assert "Preview of unpublished changes" in html
    assert "no-store" in response["Cache-Control"]
    # Readers are sent to log in; the live page's cached parts were not touched.
    assert Client().get(preview).status_code == 302
    assert "Live paragraph." in Client().get(article.get_absolute_url()).content.decode()


def test_the_preview_of_a_quick_quote_shows_its_draft(editor_client, make_quote):
    quote = make_quote(title="Live quote title")
    revisions.record(quote, via=Revision.Via.FORM)
    save_draft(editor_client, quote, title="Draft quote title")

    html = editor_client.get(url(quote, "preview")).content.decode()

    assert "Draft quote title" in html and "Preview of unpublished changes" in html
    assert QuickQuote.objects.get().title == "Live quote title"


def test_save_draft_on_an_item_that_is_not_live_is_a_plain_save(editor_client, make_article):
    draft = make_article(status=Article.Status.DRAFT, published_at=None, title="Unpublished")
    response, _data = save_draft(editor_client, draft, title="Changed")

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Changed" and draft.draft_revision is None
    assert not Revision.objects.of(draft).first().is_draft


def test_discarding_a_draft_keeps_it_in_the_history(editor_client, article):
    save_draft(editor_client, article, title="Draft title")
    draft_id = Article.objects.get().draft_revision_id
    discard = url(article, "discard_draft")

    assert editor_client.get(discard).status_code == 405
    response = editor_client.post(discard)

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.draft_revision is None and article.title == "Live title"
    assert Revision.objects.filter(pk=draft_id, is_draft=True).exists()
    assert editor_client.get(url(article)).context["adminform"].form["title"].value() == (
        "Live title"
    )


def test_reverting_ends_a_pending_draft(editor_client, article):
    first = Revision.objects.of(article).get()
    save_draft(editor_client, article, title="Draft title")

    editor_client.post(url(article, "revert", first.pk))

    article.refresh_from_db()
    assert article.draft_revision is None and article.title == "Live title"


def test_a_draft_merges_with_a_save_made_since_the_form_was_opened(
    editor_client, article, django_user_model
):
    other = Client()
    other.force_login(_staff_in(django_user_model, "bo", "Editors"))
    mine = change_form_data(editor_client, url(article))
    theirs = change_form_data(other, url(article))
    other.post(url(article), {**theirs, "description": "Their live words."})

    editor_client.post(url(article), {**mine, "title": "Draft title", "_save_draft": "1"})

    article.refresh_from_db()
    assert (article.title, article.description) == ("Live title", "Their live words.")
    fields = article.draft_revision.snapshot["fields"]
    assert (fields["title"], fields["description"]) == ("Draft title", "Their live words.")


def test_a_note_saved_with_a_draft_is_saved(editor_client, article):
    data = {**change_form_data(editor_client, url(article)), "title": "Draft title"}
    add_note_row(data, "An earlier version misspelt a name.")
    editor_client.post(url(article), {**data, "_save_draft": "1"})

    article.refresh_from_db()
    assert article.title == "Live title" and article.draft_revision is not None
    assert [note.text for note in notes_for(article)] == ["An earlier version misspelt a name."]


def test_the_importer_leaves_an_item_with_a_draft_alone_without_overwrite(tmp_path, editor_client):
    archive = tmp_path / "archive"
    shutil.copytree(FIXTURES, archive)
    run(archive)
    quote = QuickQuote.objects.get()
    save_draft(editor_client, quote, title="Desk's draft title")
    path: Path = archive / QUOTE
    path.write_text(path.read_text().replace("citation: ''", "citation: 'Reuters'"))

    output = run(archive)

    assert f"conflict  {QUOTE}" in output and "unpublished changes" in output
    quote.refresh_from_db()
    assert quote.citation == "" and quote.draft_revision is not None
    output = run(archive, "--overwrite")
    quote.refresh_from_db()
    assert quote.citation == "Reuters" and quote.draft_revision is None
    assert "kept in the item's history" in output


def test_the_history_marks_the_draft(editor_client, article):
    save_draft(editor_client, article, title="Draft title")

    html = editor_client.get(url(article, "history")).content.decode()

    assert html.count("draft, not published") == 1


def test_unpublishing_ends_the_draft_and_the_next_save_keeps_the_item_down(editor_client, article):
    save_draft(editor_client, article, title="Draft title")
    changelist = reverse("admin:newsroom_article_changelist")
    editor_client.post(
        changelist, {"action": "unpublish", "_selected_action": [article.pk], "post": "yes"}
    )
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT and article.draft_revision is None

    data = change_form_data(editor_client, url(article))
    assert data["status"] == Article.Status.DRAFT
    editor_client.post(url(article), {**data, "description": "A typo fixed."})

    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT and article.title == "Live title"


def test_a_form_opened_on_a_draft_keeps_the_items_own_publishing_fields(editor_client, article):
    save_draft(editor_client, article, title="Draft title")
    draft = Article.objects.get().draft_revision
    draft.snapshot["fields"]["status"] = "draft"  # as a draft saved before an unpublish
    Revision.objects.filter(pk=draft.pk).update(snapshot=draft.snapshot)
    form = editor_client.get(url(article)).context["adminform"].form
    assert form["title"].value() == "Draft title"
    assert form["status"].value() == Article.Status.PUBLISHED


def test_publishing_over_someone_elses_draft_asks_first(editor_client, article, django_user_model):
    other = Client()
    other.force_login(_staff_in(django_user_model, "bo", "Editors"))
    mine = change_form_data(editor_client, url(article))
    save_draft(other, article, title="Bo's draft title")

    response = editor_client.post(url(article), {**mine, "description": "My live words."})

    assert response.status_code == 200
    assert "saved unpublished changes to this item after you opened it" in response.content.decode()
    article.refresh_from_db()
    assert (article.title, article.description) == ("Live title", "Live words.")
    assert article.draft_revision is not None
    shown = response.context["adminform"].form
    assert shown["title"].value() == "Bo's draft title"
    assert shown["description"].value() == "My live words."

    editor_client.post(url(article), {**shown.data.dict(), "_save": "Publish changes"})

    article.refresh_from_db()
    assert (article.title, article.description) == ("Bo's draft title", "My live words.")
    assert article.draft_revision is None


def test_a_preview_keeps_nothing_in_the_shared_cache(
    editor_client, article, make_article, make_comment
):
    make_comment(article, status="approved", body="A comment on the live article.")
    save_draft(editor_client, article, slug="a-slug-taken-later")
    other = make_article(slug="a-slug-taken-later", title="Another article")

    preview = editor_client.get(url(article, "preview")).content.decode()

    assert "A comment on the live article." in preview
    page = Client().get(other.get_absolute_url()).content.decode()
    assert "Another article" in page and "A comment on the live article." not in page
