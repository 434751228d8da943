"""Corrections and updates: notes at the foot of an item's page (articles and quick quotes),
in its JSON-LD and feeds, refreshing the page cache, kept for good, and added or retracted
in the admin by those whose role allows it."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import feedparser
import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import linebreaksbr
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsroom.corrections import add_note, notes_for, retract_note
from newsroom.models import Article, DeletionRefused, ItemNote
from newsroom.pagecache import CACHE_HIT_HEADER
from newsroom.roles import EDITORS, MODERATORS
from quickquotes.models import QuickQuote
from tests.admin_forms import NOTES, add_note_row, change_form_data
from tests.test_rendering import ElementCollector
from tests.xss_vectors import BASE_VECTORS

pytestmark = pytest.mark.django_db

CORRECTION, UPDATE = ItemNote.Kind.CORRECTION, ItemNote.Kind.UPDATE
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(params=["article", "quote"])
def item(request, make_article, make_quote):
    """A published article or quick quote, last changed a day ago."""
    make = make_article if request.param == "article" else make_quote
    made = make(published_at=timezone.now() - timedelta(days=2))
    type(made).objects.filter(pk=made.pk).update(updated_at=timezone.now() - timedelta(days=1))
    made.refresh_from_db()
    return made


def commit_so_far() -> None:
    """Run the commit hooks that the test's data left pending, as its commit would have, and
    drop them: the test's transaction never commits, and the page cache invalidates once
    per transaction, so a hook still pending would swallow the next change's."""
    connection = transaction.get_connection()
    pending, connection.run_on_commit[:] = list(connection.run_on_commit), []
    for _savepoints, hook, _robust in pending:
        hook()


def notes_section(html: str) -> str:
    match = re.search(r'<section class="notes".*?</section>', html, re.S)
    return match.group(0) if match else ""


def json_ld(html: str) -> dict:
    return json.loads(JSON_LD.search(html).group(1))


def iso(moment) -> str:
    return timezone.localtime(moment).isoformat()


# --- on the page ------------------------------------------------------------------------------


def test_notes_show_at_the_foot_of_the_page_dated_and_newest_first(client, item):
    now = timezone.now()
    add_note(item, "An earlier figure was wrong.", noted_at=now - timedelta(hours=3))
    add_note(item, "Talks resumed on Monday.", kind=UPDATE, noted_at=now - timedelta(hours=1))
    html = client.get(item.get_absolute_url()).content.decode()
    section = notes_section(html)
    assert "Corrections and updates" in section
    assert section.index("Talks resumed") < section.index("An earlier figure")
    assert "<strong>Update</strong>" in section and "<strong>Correction</strong>" in section
    assert section.count("<time datetime=") == 2
    # At the foot of the item: after its body, before the comments.
    assert html.index('<div class="body">') < html.index('<section class="notes"')
    if "comments" in html:
        assert html.index('<section class="notes"') < html.index('id="comments"')


def test_a_page_without_notes_has_no_notes_section_and_no_notes_query(
    client, make_article, django_assert_num_queries
):
    article = make_article()
    with django_assert_num_queries(0):
        assert notes_for(article) == []  # the item has no note readers see
    assert '<section class="notes"' not in client.get(article.get_absolute_url()).content.decode()


# A NUL character is refused (see test_notes_are_validated); every other vector is stored.
STORABLE_VECTORS = [vector for vector in BASE_VECTORS if "\x00" not in vector]


def test_note_text_is_escaped_on_the_page(client, make_article):
    article = make_article()
    for vector in STORABLE_VECTORS:
        add_note(article, vector)
    html = client.get(article.get_absolute_url()).content.decode()
    section = notes_section(html)
    for vector in STORABLE_VECTORS:
        assert linebreaksbr(vector, autoescape=True) in section, vector
    collector = ElementCollector()
    collector.feed(section)
    assert collector.problems == []
    assert "<script>alert(1)</script>" not in html


def test_line_breaks_in_a_note_are_kept(client, make_quote):
    quote = make_quote()
    add_note(quote, "First line.\nSecond <line>.")
    section = notes_section(client.get(quote.get_absolute_url()).content.decode())
    assert "First line.<br>Second &lt;line&gt;." in section


def test_the_page_shows_the_item_updated_at_its_latest_note(client, item):
    noted_at = timezone.now() - timedelta(minutes=30)
    add_note(item, "A correction.", noted_at=noted_at)
    html = client.get(item.get_absolute_url()).content.decode()
    stamp = timezone.localtime(noted_at).strftime("%Y-%m-%dT%H:%M:%S")
    assert re.search(rf'Updated <time datetime="{stamp}', html), html
    assert f'<meta property="article:modified_time" content="{iso(noted_at)}">' in html


def test_a_note_dated_before_the_last_change_leaves_the_modified_time(item):
    before = item.updated_at
    add_note(item, "Backdated.", noted_at=before - timedelta(hours=1))
    item.refresh_from_db()
    assert item.updated_at == before
    assert item.modified_at == before
    assert item.last_note_at == before - timedelta(hours=1)


# --- JSON-LD and feeds --------------------------------------------------------------------------


def test_json_ld_carries_corrections_and_updates_move_date_modified(client, item):
    now = timezone.now()
    correction = add_note(
        item,
        'Not "50" but 15. </script><script>alert(1)</script>',
        noted_at=now - timedelta(hours=2),
    )
    update = add_note(item, "More news.", kind=UPDATE, noted_at=now - timedelta(hours=1))
    data = json_ld(client.get(item.get_absolute_url()).content.decode())
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": correction.text,
            "datePublished": str(correction.noted_at),
        }
    ]
    assert data["dateModified"] == str(update.noted_at)


def test_json_ld_leaves_out_retracted_corrections(client, item):
    note = add_note(item, "Wrong correction.")
    retract_note(note, "Superseded by the next one.")
    add_note(item, "Right correction.")
    data = json_ld(client.get(item.get_absolute_url()).content.decode())
    assert [c["text"] for c in data["correction"]] == ["Right correction."]


def test_feeds_mark_the_item_updated(client, item):
    noted_at = timezone.now() - timedelta(minutes=5)
    add_note(item, "An update.", kind=UPDATE, noted_at=noted_at)
    atom = feedparser.parse(client.get("/feeds/atom/").content)
    (entry,) = atom.entries
    assert entry.updated_parsed[:6] == noted_at.utctimetuple()[:6]
    rss = feedparser.parse(client.get("/feeds/rss/").content)
    assert rss.feed.updated_parsed[:6] == noted_at.utctimetuple()[:6]  # <lastBuildDate>


def test_the_sitemap_shows_the_item_modified_at_its_note(client, item):
    noted_at = timezone.now()
    add_note(item, "Today's update.", kind=UPDATE, noted_at=noted_at)
    part = "/sitemap-articles.xml" if isinstance(item, Article) else "/sitemap-quotes.xml"
    xml = client.get(part).content.decode()
    assert f"<lastmod>{timezone.localtime(noted_at).strftime('%Y-%m-%d')}</lastmod>" in xml


# --- the page cache ----------------------------------------------------------------------------


def test_a_cached_page_shows_a_note_added_after_it_was_cached(
    item, django_capture_on_commit_callbacks
):
    commit_so_far()
    url = item.get_absolute_url()
    assert Client().get(url)[CACHE_HIT_HEADER] == "miss"
    assert Client().get(url)[CACHE_HIT_HEADER] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        add_note(item, "Added after caching.")
    page = Client().get(url)
    assert page[CACHE_HIT_HEADER] == "miss"
    assert "Added after caching." in page.content.decode()
    assert "Added after caching." in json.dumps(json_ld(page.content.decode()))


def test_cached_article_parts_show_a_note_added_after_they_were_kept(
    make_article, django_capture_on_commit_callbacks
):
    """A reader with a session is served from the article's cached parts, not the page."""
    article = make_article()
    commit_so_far()
    reader = Client()
    reader.cookies["sessionid"] = "not-a-session"
    assert "Added later." not in reader.get(article.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        add_note(article, "Added later.")
    assert "Added later." in reader.get(article.get_absolute_url()).content.decode()


def test_a_cached_feed_shows_the_item_updated_after_a_note(
    item, django_capture_on_commit_callbacks
):
    commit_so_far()
    first = feedparser.parse(Client().get("/feeds/atom/").content).entries[0].updated_parsed
    assert Client().get("/feeds/atom/")[CACHE_HIT_HEADER] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        add_note(item, "Update.", kind=UPDATE)
    page = Client().get("/feeds/atom/")
    assert page[CACHE_HIT_HEADER] == "miss"
    assert feedparser.parse(page.content).entries[0].updated_parsed > first


def test_retracting_a_note_refreshes_the_page(item, django_capture_on_commit_callbacks):
    note = add_note(item, "Soon retracted.")
    commit_so_far()
    assert "Soon retracted." in Client().get(item.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        retract_note(note, "It was wrong itself.")
    html = Client().get(item.get_absolute_url()).content.decode()
    assert "Soon retracted." not in html and '<section class="notes"' not in html


def test_a_page_with_notes_costs_one_query_more(client, make_article):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plain, noted = make_article(), make_article()
    for n in range(5):
        add_note(noted, f"Note {n}.")
    counts = []
    for article in (plain, noted):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(article.get_absolute_url()).status_code == 200
        counts.append(len(captured.captured_queries))
    # The notes' query, however many notes there are; none for an article without notes.
    assert counts[1] == counts[0] + 1


# --- kept for good ------------------------------------------------------------------------------


def test_a_note_cannot_be_deleted(item):
    note = add_note(item, "Kept.")
    with pytest.raises(DeletionRefused):
        note.delete()
    with pytest.raises(DeletionRefused):
        ItemNote.objects.all().delete()
    with pytest.raises(DeletionRefused):
        ItemNote.objects.filter(pk=note.pk).update(text="Rewritten.")
    assert ItemNote.objects.get().text == "Kept."


def test_a_saved_note_cannot_be_rewritten(item):
    note = add_note(item, "As published.")
    note = ItemNote.objects.get(pk=note.pk)
    note.text = "Quietly changed."
    with pytest.raises(DeletionRefused):
        note.save()
    note = ItemNote.objects.get(pk=note.pk)
    note.noted_at -= timedelta(days=1)
    with pytest.raises(DeletionRefused):
        note.save()
    assert ItemNote.objects.get(pk=note.pk).text == "As published."


def test_a_retraction_needs_a_reason_and_is_final(item, admin_user):
    note = add_note(item, "To retract.")
    with pytest.raises(ValidationError) as raised:
        retract_note(note, "   ")
    assert raised.value.code == "reason_required"
    retract_note(note, "Superseded.", by=admin_user)
    note = ItemNote.objects.get(pk=note.pk)
    assert note.is_retracted and note.retracted_by == admin_user
    assert note.retraction_reason == "Superseded."
    with pytest.raises(ValidationError):
        retract_note(note, "Again.")
    note.retraction_reason = "A different story."
    with pytest.raises(DeletionRefused):
        note.save()
    item.refresh_from_db()
    assert item.last_note_at is None  # readers see no note any more


def test_notes_are_validated(item):
    with pytest.raises(ValidationError) as raised:
        add_note(item, "From the future.", noted_at=timezone.now() + timedelta(days=1))
    assert raised.value.error_dict["noted_at"][0].code == "note_in_future"
    with pytest.raises(ValidationError):
        add_note(item, "")
    with pytest.raises(ValidationError):
        add_note(item, "Odd kind.", kind="rumour")
    with pytest.raises(ValidationError) as raised:
        add_note(item, "<script\x00>alert(1)</script>")  # PostgreSQL could not store it
    assert raised.value.error_dict["text"][0].code == "null_characters_not_allowed"
    assert not ItemNote.objects.exists()


def test_only_publishable_kinds_take_notes(section):
    note = ItemNote(item=section, text="A section is no item.")
    with pytest.raises(ValidationError) as raised:
        note.full_clean()
    assert raised.value.error_dict["__all__"][0].code == "not_an_item"


# --- the admin -----------------------------------------------------------------------------------


def change_url(item) -> str:
    return reverse(f"admin:{item._meta.app_label}_{item._meta.model_name}_change", args=[item.pk])


def test_an_editor_adds_a_note_on_the_change_form(editor_client, editor, item):
    url = change_url(item)
    assert "Corrections and updates" in editor_client.get(url).content.decode()
    data = change_form_data(editor_client, url)
    add_note_row(data, "The vote was on Tuesday, not Monday.")
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    note = ItemNote.objects.get()
    assert note.item == item and note.created_by == editor
    assert note.text == "The vote was on Tuesday, not Monday."
    assert "Tuesday, not Monday" in Client().get(item.get_absolute_url()).content.decode()


def test_the_change_form_refuses_a_note_dated_in_the_future(admin_client, item):
    url = change_url(item)
    data = change_form_data(admin_client, url)
    add_note_row(data, "Tomorrow's news.", kind=UPDATE, noted_at=timezone.now() + timedelta(days=2))
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "cannot be dated in the future" in response.content.decode()
    assert not ItemNote.objects.exists()


def test_the_change_form_keeps_a_saved_note_and_takes_only_a_retraction(
    editor_client, editor, item
):
    note = add_note(item, "As readers saw it.")
    url = change_url(item)
    data = change_form_data(editor_client, url)
    data.update(
        {
            f"{NOTES}-0-text": "Rewritten through the form.",
            f"{NOTES}-0-kind": UPDATE,
            f"{NOTES}-0-DELETE": "on",
            f"{NOTES}-0-retraction_reason": "Superseded by a fuller correction.",
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    note = ItemNote.objects.get(pk=note.pk)
    assert note.text == "As readers saw it." and note.kind == CORRECTION
    assert note.is_retracted and note.retracted_by == editor
    assert note.retraction_reason == "Superseded by a fuller correction."
    # Staff still see it, with the reason; readers no longer do.
    html = editor_client.get(url).content.decode()
    assert "As readers saw it." in html and "Superseded by a fuller correction." in html
    assert "Retracted, no longer shown" in html
    assert "As readers saw it." not in Client().get(item.get_absolute_url()).content.decode()


def test_an_item_with_notes_is_not_deleted_in_the_admin(admin_client, item):
    add_note(item, "Keeps its item.")
    delete_url = reverse(
        f"admin:{item._meta.app_label}_{item._meta.model_name}_delete", args=[item.pk]
    )
    page = admin_client.get(delete_url).content.decode()
    assert "Keeps its item." in page
    admin_client.post(delete_url, {"post": "yes"})
    assert type(item).objects.filter(pk=item.pk).exists()
    changelist = reverse(f"admin:{item._meta.app_label}_{item._meta.model_name}_changelist")
    admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [item.pk], "post": "yes"}
    )
    assert type(item).objects.filter(pk=item.pk).exists()
    assert ItemNote.objects.count() == 1


def test_changing_an_item_is_not_enough_to_add_or_retract_a_note(
    client, django_user_model, make_article
):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("desk", password="pw", is_staff=True)
    user.user_permissions.add(
        # With "publish": changing without it reaches only one's own drafts (a reporter's).
        *Permission.objects.filter(
            codename__in=["view_article", "change_article", "publish_article"]
        )
    )
    client.force_login(user)
    article = make_article()
    note = add_note(article, "Standing note.")
    url = change_url(article)
    data = change_form_data(client, url)
    assert f"{NOTES}-TOTAL_FORMS" not in data  # no inline: the user may not see notes
    data.update(
        {
            f"{NOTES}-TOTAL_FORMS": 2,
            f"{NOTES}-INITIAL_FORMS": 1,
            f"{NOTES}-0-id": note.pk,
            f"{NOTES}-0-retraction_reason": "Sneaked in.",
            f"{NOTES}-1-kind": CORRECTION,
            f"{NOTES}-1-text": "Sneaked in.",
        }
    )
    assert client.post(url, data).status_code == 302  # the article's own change is saved
    assert list(ItemNote.objects.values_list("text", "retracted_at")) == [("Standing note.", None)]


def test_the_roles_give_editors_the_notes_and_moderators_a_view(editor, moderator):
    assert (
        Group.objects.get(name=EDITORS).permissions.filter(content_type__model="itemnote").count()
        == 3
    )
    assert {
        editor.has_perm(f"newsroom.{action}_itemnote") for action in ("add", "change", "view")
    } == {True}
    assert not editor.has_perm("newsroom.delete_itemnote")
    assert moderator.has_perm("newsroom.view_itemnote")
    assert not moderator.has_perm("newsroom.add_itemnote")
    assert (
        Group.objects.get(name=MODERATORS)
        .permissions.filter(content_type__model="itemnote")
        .count()
        == 1
    )


def test_a_quote_and_an_article_keep_their_notes_apart(make_article, make_quote):
    article, quote = make_article(), make_quote()
    # The same primary key in two tables: the content type tells them apart.
    QuickQuote.objects.filter(pk=quote.pk).update(id=article.pk)
    quote = QuickQuote.objects.get(pk=article.pk)
    add_note(article, "About the article.")
    add_note(quote, "About the quote.")
    assert [n.text for n in notes_for(article)] == ["About the article."]
    assert [n.text for n in notes_for(quote)] == ["About the quote."]
