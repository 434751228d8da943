"""No lost edits: two editors saving the same item, one after the other, from forms opened
before either save (newsroom.admin.concurrency, newsroom.revisions.merge)."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models.query import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from newsroom import revisions
from newsroom.admin import presence
from newsroom.models import Article, Revision
from newsroom.revisions.merge import merge, merge_paragraphs, paragraphs
from tests.admin_forms import change_form_data
from tests.conftest import _staff_in

pytestmark = pytest.mark.django_db

BODY = "First paragraph.\n\nSecond paragraph.\n\nThird paragraph."


@pytest.fixture
def other_client(django_user_model) -> Client:
    client = Client()
    client.force_login(_staff_in(django_user_model, "bo", "Editors"))
    return client


@pytest.fixture
def article(make_article) -> Article:
    article = make_article(title="Talks", description="Old words.", dateline="PARIS", body=BODY)
    revisions.record(article, via=Revision.Via.FORM)
    return article


def change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def posted(response) -> dict:
    """The re-rendered form's data, as the browser would send it back."""
    return dict(response.context["adminform"].form.data.lists())


def open_both(article, editor_client, other_client) -> tuple[dict, dict]:
    url = change_url(article)
    return change_form_data(editor_client, url), change_form_data(other_client, url)


# Merged


def test_two_editors_changing_different_fields_are_both_saved(article, editor_client, other_client):
    mine, theirs = open_both(article, editor_client, other_client)
    assert mine["base_revision"] == str(Revision.objects.of(article).get().pk)
    url = change_url(article)
    assert other_client.post(url, {**theirs, "description": "New words."}).status_code == 302

    response = editor_client.post(url, {**mine, "dateline": "BERLIN"})

    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert (article.description, article.dateline) == ("New words.", "BERLIN")
    [message] = texts(response)[:1]
    assert "bo saved this item after you opened it" in message
    assert "description" in message and "dateline" not in message
    newest = Revision.objects.of(article).first()
    assert Revision.objects.of(article).count() == 3
    assert (newest.snapshot["fields"]["description"], newest.snapshot["fields"]["dateline"]) == (
        "New words.",
        "BERLIN",
    )


def test_bylines_and_tags_changed_by_the_other_editor_are_kept(
    article, editor_client, other_client
):
    mine, theirs = open_both(article, editor_client, other_client)
    url = change_url(article)
    other_client.post(url, {**theirs, "tags": "Energy, Diplomacy"})

    response = editor_client.post(url, {**mine, "title": "Talks resume"})

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Talks resume"
    assert sorted(article.tags.names()) == ["Diplomacy", "Energy"]
    assert "tags" in texts(response)[0]


def test_different_paragraphs_of_the_body_are_merged(article, editor_client, other_client):
    mine, theirs = open_both(article, editor_client, other_client)
    url = change_url(article)
    their_body = BODY.replace("First paragraph.", "First paragraph, theirs.")
    assert other_client.post(url, {**theirs, "body": their_body}).status_code == 302
    # A browser sends CRLF line ends.
    my_body = BODY.replace("Third paragraph.", "Third paragraph, mine.").replace("\n", "\r\n")

    response = editor_client.post(url, {**mine, "body": my_body})

    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.body == (
        "First paragraph, theirs.\n\nSecond paragraph.\n\nThird paragraph, mine."
    )
    assert "Third paragraph, mine." in article.body_html
    assert "First paragraph, theirs." in article.body_html
    assert "paragraphs each of you changed in body" in texts(response)[0]


# Colliding


def test_the_same_paragraph_changed_by_both_shows_both_and_saves_nothing(
    article, editor_client, other_client
):
    mine, theirs = open_both(article, editor_client, other_client)
    url = change_url(article)
    their_body = BODY.replace("Second paragraph.", "Second <script>alert(1)</script> theirs.")
    other_client.post(url, {**theirs, "body": their_body, "dateline": "ROME"})
    newest = Revision.objects.of(article).first()
    my_body = BODY.replace("Second paragraph.", "Second <b>paragraph</b>, mine.")

    response = editor_client.post(url, {**mine, "body": my_body, "title": "Mine"})

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors.as_data()["__all__"][0].code == "edit_conflict"
    assert [change.name for change in form.conflicts] == ["body"]
    html = response.content.decode()
    assert "Second &lt;script&gt;alert(1)&lt;/script&gt; theirs." in html
    assert "Second &lt;b&gt;paragraph&lt;/b&gt;, mine." in html
    assert "<script>alert(1)" not in html
    # The editor's text stays in the form; the other's change elsewhere is in it too.
    assert form["body"].value() == my_body
    assert (form["title"].value(), form["dateline"].value()) == ("Mine", "ROME")
    assert form["base_revision"].value() == str(newest.pk)
    article.refresh_from_db()
    assert (article.body, article.title) == (their_body, "Talks")
    assert Revision.objects.of(article).first() == newest

    # Having read theirs, the editor keeps their own paragraph and saves again.
    response = editor_client.post(url, posted(response))

    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert (article.body, article.title, article.dateline) == (my_body, "Mine", "ROME")
    assert Revision.objects.of(article).count() == 3


def test_the_same_field_changed_differently_is_a_collision(article, editor_client, other_client):
    mine, theirs = open_both(article, editor_client, other_client)
    url = change_url(article)
    other_client.post(url, {**theirs, "description": "Their words."})

    response = editor_client.post(url, {**mine, "description": "My words."})

    assert response.status_code == 200
    [change] = response.context["adminform"].form.conflicts
    assert (change.name, change.old, change.new) == ("description", "Their words.", "My words.")
    assert Article.objects.get().description == "Their words."


def test_the_same_change_made_by_both_is_no_collision(article, editor_client, other_client):
    mine, theirs = open_both(article, editor_client, other_client)
    url = change_url(article)
    other_client.post(url, {**theirs, "description": "Same words."})

    response = editor_client.post(url, {**mine, "description": "Same words."})

    assert response.status_code == 302
    assert Article.objects.get().description == "Same words."


def test_the_change_saved_second_by_a_third_editor_is_checked_again(
    article, editor_client, other_client, django_user_model
):
    mine, theirs = open_both(article, editor_client, other_client)
    url = change_url(article)
    other_client.post(url, {**theirs, "description": "Their words."})
    response = editor_client.post(url, {**mine, "description": "My words."})
    resolved = posted(response)
    third = Client()
    third.force_login(_staff_in(django_user_model, "cy", "Editors"))
    third.post(url, {**change_form_data(third, url), "description": "Third words."})

    response = editor_client.post(url, resolved)

    assert response.status_code == 200
    [change] = response.context["adminform"].form.conflicts
    assert (change.old, change.new) == ("Third words.", "My words.")


# Forms without the field, and a single editor


def test_a_form_posted_without_its_revision_shows_every_change_as_a_collision(
    article, editor_client
):
    data = change_form_data(editor_client, change_url(article))
    del data["base_revision"]

    response = editor_client.post(change_url(article), {**data, "title": "Changed"})

    assert response.status_code == 200
    assert [change.name for change in response.context["adminform"].form.conflicts] == ["title"]
    assert Article.objects.get().title == "Talks"
    response = editor_client.post(change_url(article), posted(response))
    assert response.status_code == 302
    assert Article.objects.get().title == "Changed"


def test_an_item_without_revisions_saves_without_the_field(make_article, editor_client):
    article = make_article(title="Old")
    data = change_form_data(editor_client, change_url(article))
    assert data["base_revision"] == ""
    del data["base_revision"]

    response = editor_client.post(change_url(article), {**data, "title": "New"})

    assert response.status_code == 302
    assert Article.objects.get().title == "New"


def test_an_unchanged_form_without_its_revision_saves(article, editor_client):
    data = change_form_data(editor_client, change_url(article))
    del data["base_revision"]
    assert editor_client.post(change_url(article), data).status_code == 302


def test_a_single_editor_saves_as_before(article, editor_client, moderator):
    url = change_url(article)
    data = change_form_data(editor_client, url)

    response = editor_client.post(url, {**data, "description": "Mine alone."})

    assert response.status_code == 302
    assert not any("after you opened it" in text for text in texts(response))
    assert Article.objects.get().description == "Mine alone."
    assert Revision.objects.of(article).count() == 2
    moderator_client = Client()
    moderator_client.force_login(moderator)
    assert moderator_client.post(url, {**data, "description": "No."}).status_code == 403
    assert Article.objects.get().description == "Mine alone."


def test_a_save_costs_the_same_queries_however_many_revisions(article, editor_client):
    url = change_url(article)

    def save() -> int:
        data = change_form_data(editor_client, url)
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.post(url, {**data, "dateline": "X"}).status_code == 302
        return len(captured)

    first = save()
    for _ in range(20):
        revisions.record(article, via=Revision.Via.FORM)
    assert save() == first


def test_the_save_locks_the_items_row(article, editor_client, monkeypatch):
    locked = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        locked.append(self.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    data = change_form_data(editor_client, change_url(article))
    assert locked == []
    assert editor_client.post(change_url(article), data).status_code == 302
    assert locked == [Article]


def test_quick_quotes_merge_too(make_quote, editor_client, other_client):
    quote = make_quote(quote="We will win.", speaker="A. Coach")
    revisions.record(quote, via=Revision.Via.FORM)
    mine, theirs = open_both(quote, editor_client, other_client)
    url = change_url(quote)
    other_client.post(url, {**theirs, "speaker": "B. Coach"})

    response = editor_client.post(url, {**mine, "quote": "We shall win."})

    assert response.status_code == 302, response.context["adminform"].form.errors
    quote.refresh_from_db()
    assert (quote.quote, quote.speaker) == ("We shall win.", "B. Coach")


# The merge itself


def test_paragraphs_split_on_blank_lines():
    assert paragraphs("One.\r\n\r\nTwo,\nstill two.\n \n\nThree.\n") == [
        "One.",
        "Two,\nstill two.",
        "Three.",
    ]
    assert paragraphs("") == []


@pytest.mark.parametrize(
    ("theirs", "mine", "merged"),
    [
        ("A1\n\nB\n\nC", "A\n\nB2\n\nC", "A1\n\nB2\n\nC"),  # neighbours
        ("A\n\nB\n\nC\n\nD", "X\n\nA\n\nB\n\nC", "X\n\nA\n\nB\n\nC\n\nD"),  # both ends
        ("A\n\nC", "A\n\nB\n\nC\n\nE", "A\n\nC\n\nE"),  # one removed, one added
        ("A2\n\nB\n\nC", "A2\n\nB\n\nC", "A2\n\nB\n\nC"),  # the same change
        ("A1\n\nB\n\nC", "A2\n\nB\n\nC", None),  # the same paragraph
        ("A\n\nX\n\nB\n\nC", "A\n\nY\n\nB\n\nC", None),  # added at the same place
        ("A\n\nB1\n\nC", "A\n\nB\n\nN\n\nC", None),  # added next to a changed one
    ],
)
def test_merging_paragraphs(theirs, mine, merged):
    assert merge_paragraphs("A\n\nB\n\nC", theirs, mine) == merged


def test_a_merge_without_a_base_collides_wherever_it_differs():
    theirs = {"fields": {"title": "A", "body": "x"}, "authors": [], "tags": ["T"]}
    mine = {"fields": {"title": "B", "body": "x"}, "authors": [], "tags": ["T"]}
    result = merge(None, theirs, mine, paragraph_fields=["body"])
    assert result.collisions == ["title"]


# Who else has the item open


def test_the_change_form_names_who_else_has_the_item_open(article, editor_client, other_client):
    url = change_url(article)
    first = editor_client.get(url).content.decode()
    assert 'id="presence-notice"' in first and "hidden>" in first

    response = other_client.get(url)

    assert response.context["others_here"] == ["editor"]
    assert '<span class="presence-names">editor</span>' in response.content.decode()
    ping = reverse("admin:newsroom_article_presence", args=[article.pk])
    assert editor_client.post(ping).json() == {"others": ["bo"]}


def test_someone_not_heard_from_for_a_minute_has_left(article, editor_client, other_client):
    editor_client.get(change_url(article))
    later = time.time() + presence.SEEN_SECONDS + 1
    with mock.patch.object(presence.time, "time", return_value=later):
        assert other_client.get(change_url(article)).context["others_here"] == []


def test_the_presence_ping_is_a_checked_post(article, editor, django_user_model):
    ping = reverse("admin:newsroom_article_presence", args=[article.pk])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(ping).status_code == 403  # no CSRF token
    assert strict.get(ping).status_code == 405
    nobody = Client()
    nobody.force_login(django_user_model.objects.create_user("x", password="pw", is_staff=True))
    assert nobody.post(ping).status_code == 403  # may not view articles
    assert Client().post(ping).status_code == 302  # to the login page
    signed_in = Client()
    signed_in.force_login(editor)
    missing = reverse("admin:newsroom_article_presence", args=[article.pk + 1])
    assert signed_in.post(missing).status_code == 404
