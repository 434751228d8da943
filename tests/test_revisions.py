"""Revisions: one per save of an article or quick quote (admin form, actions, importer, revert),
the history page, the comparison of two, and reverting to one."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from newsroom import revisions
from newsroom.models import Article, Author, Revision, RevisionsKept, Section
from newsroom.revisions.compare import WORD_DIFF_LIMIT, word_diff
from quickquotes.models import QuickQuote
from tests.admin_forms import NOTES, PINS
from tests.xss_vectors import VECTORS

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Markup that would run if the page did not escape it (NUL: PostgreSQL refuses it in text).
MARKUP_VECTORS = [v for v in VECTORS if "<" in v and "\x00" not in v]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def hostile_markup(html: str) -> list[str]:
    """Elements and attributes in the page that could run script or load something (the
    admin's own are compared against a page of calm text, ``calm_markup``)."""
    parser = _Tags()
    parser.feed(html)
    problems = []
    for tag, attrs in parser.found:
        if tag in {"img", "svg", "math", "iframe", "object", "embed", "base", "style", "x"}:
            problems.append(tag)
        if tag == "script" and not dict(attrs).get("src", "").startswith("/static/"):
            problems.append(tag)
        problems += [f"{tag} {name}" for name, _value in attrs if name.startswith("on")]
        problems += [
            f"{tag} {name}"
            for name, value in attrs
            if value and "javascript:" in value.lower().replace(" ", "")
        ]
    return problems


@pytest.fixture
def calm_markup(editor_client, make_article) -> list[str]:
    article = make_article(title="Calm", body="Calm words.")
    old = revisions.record(article, via=Revision.Via.FORM)
    article.body = "Other calm words."
    new = revisions.record(article, via=Revision.Via.FORM)
    response = editor_client.get(url(article, "compare"), {"a": old.pk, "b": new.pk})
    return hostile_markup(response.content.decode())


def url(obj, page: str, *args) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{page}", args=[obj.pk, *args])


def form_data(article: Article, **changes) -> dict:
    """The article's change form as a browser would send it, with ``changes``."""
    published = timezone.localtime(article.published_at) if article.published_at else None
    # The revision the form was opened from (none for an item without revisions).
    newest = Revision.objects.of(article).values_list("pk", flat=True).first()
    data = {
        "base_revision": "" if newest is None else str(newest),
        "title": article.title,
        "slug": article.slug,
        "section": article.section_id or "",
        "authors": [a.pk for a in article.authors.all()],
        "tags": ", ".join(t.name for t in article.tags.all()),
        "description": article.description,
        "dateline": article.dateline,
        "body": article.body,
        "status": article.status,
        "published_at_0": published.strftime("%Y-%m-%d") if published else "",
        "published_at_1": published.strftime("%H:%M:%S") if published else "",
        "featured_image": article.featured_image_id or "",
        "comment_mode": article.comment_mode,
        "discussion_policy": article.discussion_policy,
        "_save": "Save",
        # The corrections and updates inline, with no note.
        f"{NOTES}-TOTAL_FORMS": 0,
        f"{NOTES}-INITIAL_FORMS": 0,
        f"{NOTES}-MIN_NUM_FORMS": 0,
        f"{NOTES}-MAX_NUM_FORMS": 1000,
        # The front page pin inline, with no pin.
        f"{PINS}-TOTAL_FORMS": 0,
        f"{PINS}-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


@pytest.fixture
def writers(db):
    return [
        Author.objects.create(name="Ann Writer", slug="ann-writer"),
        Author.objects.create(name="Bo Reporter", slug="bo-reporter"),
    ]


# Recording


def test_an_admin_save_records_a_revision_with_its_user_and_fields(
    editor_client, editor, make_article, section, writers
):
    article = make_article(title="Before")
    response = editor_client.post(
        url(article, "change"),
        form_data(
            article,
            title="After",
            body="New *body*.",
            section=section.pk,
            authors=[writers[0].pk],
            tags="Diplomacy, Energy",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    [revision] = Revision.objects.of(article)
    assert (revision.via, revision.user, revision.source_path) == ("form", editor, "")
    fields = revision.snapshot["fields"]
    assert (fields["title"], fields["body"], fields["section"]) == (
        "After",
        "New *body*.",
        [section.pk, "World"],
    )
    assert fields["status"] == "published"
    assert "body_html" not in fields and "source_extra" not in fields
    assert revision.snapshot["authors"] == [[writers[0].pk, "Ann Writer"]]
    assert revision.snapshot["tags"] == ["Diplomacy", "Energy"]


def test_adding_an_item_in_the_admin_records_its_first_revision(editor_client, editor):
    response = editor_client.post(
        reverse("admin:quickquotes_quickquote_add"),
        {
            "title": "A quote",
            "slug": "a-quote",
            "quote": "We will <em>win</em>.",
            "status": "draft",
            "tags": "Sport",
            "_save": "Save",
            f"{NOTES}-TOTAL_FORMS": 0,
            f"{NOTES}-INITIAL_FORMS": 0,
            f"{PINS}-TOTAL_FORMS": 0,
            f"{PINS}-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    quote = QuickQuote.objects.get()
    [revision] = Revision.objects.of(quote)
    assert (revision.via, revision.user) == ("form", editor)
    assert revision.snapshot["fields"]["quote"] == "We will <em>win</em>."
    assert revision.snapshot["tags"] == ["Sport"]


def test_a_bulk_action_records_a_revision_per_item(editor_client, editor, make_article, writers):
    drafts = [make_article(status="draft", published_at=None) for _ in range(3)]
    drafts[0].authors.set(writers)
    drafts[0].tags.add("Energy")
    response = editor_client.post(
        reverse("admin:newsroom_article_changelist"),
        {"action": "publish", "_selected_action": [d.pk for d in drafts]},
    )
    assert response.status_code == 302
    for draft in drafts:
        [revision] = Revision.objects.of(draft)
        assert (revision.via, revision.user) == ("action", editor)
        assert revision.snapshot["fields"]["status"] == "published"
        assert revision.snapshot["fields"]["body"] == "Some *body* text."
    first = Revision.objects.of(drafts[0]).get()
    assert [name for _pk, name in first.snapshot["authors"]] == ["Ann Writer", "Bo Reporter"]
    assert first.snapshot["tags"] == ["Energy"]


def test_a_bulk_action_reads_a_fixed_number_of_queries_per_chunk(editor_client, make_article):
    def publish(count: int) -> int:
        drafts = [make_article(status="draft", published_at=None) for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            editor_client.post(
                reverse("admin:newsroom_article_changelist"),
                {"action": "publish", "_selected_action": [d.pk for d in drafts]},
            )
        # One UPDATE per item (its save); the rest must not grow with the items.
        return len(captured) - count

    assert publish(2) == publish(12)


TAGGED_FILE = """---
title: With tags and bylines
date: 2021-03-04
tags: [Economy, Jobs]
post_author: [Jane Doe, Joe Bloggs]
section: business
---
The body.
"""


def test_an_import_records_a_revision_naming_its_source_file(tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(FIXTURES, archive)
    (archive / "tagged.md").write_text(TAGGED_FILE, encoding="utf-8")
    call_command("import_sources", str(archive), stdout=StringIO())
    items = [*Article.objects.all(), *QuickQuote.objects.all()]
    assert items
    for item in items:
        [revision] = Revision.objects.of(item)
        assert (revision.via, revision.user) == ("import", None)
        assert revision.source_path == item.source_path != ""
        assert revision.snapshot["fields"]["title"] == item.title
        assert revision.snapshot["fields"]["body"] == item.body
        assert revision.snapshot["tags"] == sorted(
            (t.name for t in item.tags.all()), key=str.casefold
        )
        assert {pk for pk, _name in revision.snapshot["authors"]} == {
            a.pk for a in item.authors.all()
        }
    tagged = Article.objects.get(source_path="tagged.md")
    revision = Revision.objects.of(tagged).get()
    assert revision.snapshot["tags"] == ["Economy", "Jobs"]
    assert [name for _pk, name in revision.snapshot["authors"]] == ["Jane Doe", "Joe Bloggs"]
    assert revision.snapshot["fields"]["section"] == [tagged.section_id, "Business"]

    # Nothing changed: nothing is written, no revision either.
    before = Revision.objects.count()
    out = StringIO()
    call_command("import_sources", str(archive), stdout=out)
    assert " 0 created, 0 updated" in out.getvalue()
    assert Revision.objects.count() == before


def test_a_changed_file_records_a_new_import_revision(tmp_path):
    source = tmp_path / "story.md"
    source.write_text("---\ntitle: Story\ndate: 2021-01-02\ntags: [A]\n---\nOld text.\n")
    call_command("import_sources", str(source), stdout=StringIO())
    source.write_text("---\ntitle: Story\ndate: 2021-01-02\ntags: [A, B]\n---\nNew text.\n")
    call_command("import_sources", str(source), stdout=StringIO())
    article = Article.objects.get()
    newest, first = Revision.objects.of(article)
    assert (first.snapshot["fields"]["body"], first.snapshot["tags"]) == ("Old text.", ["A"])
    assert (newest.snapshot["fields"]["body"], newest.snapshot["tags"]) == ("New text.", ["A", "B"])
    assert newest.via == first.via == "import"


def test_a_dry_run_and_a_conflict_record_nothing(tmp_path, make_article):
    make_article(slug="taken", title="Made in the admin")
    source = tmp_path / "taken.md"
    source.write_text("---\ntitle: Taken\nslug: taken\ndate: 2021-01-02\n---\nText.\n")
    other = tmp_path / "other.md"
    other.write_text("---\ntitle: Other\ndate: 2021-01-02\n---\nText.\n")
    call_command("import_sources", str(source), stdout=StringIO())  # a conflict
    call_command("import_sources", str(other), "--dry-run", stdout=StringIO())
    assert not Revision.objects.exists()


def test_revisions_are_kept_for_good(make_article):
    article = make_article()
    revision = revisions.record(article, via=Revision.Via.FORM)
    with pytest.raises(RevisionsKept):
        revision.delete()
    with pytest.raises(RevisionsKept):
        Revision.objects.all().delete()
    article.delete()
    assert Revision.objects.filter(pk=revision.pk).exists()


# The history page and the comparison


def test_the_history_page_lists_revisions_with_what_each_changed(editor_client, make_article):
    article = make_article(title="One")
    revisions.record(article, via=Revision.Via.FORM)
    article.title = "Two"
    article.save()
    revisions.record(article, via=Revision.Via.FORM)
    page = editor_client.get(url(article, "history"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "First revision" in html
    assert "<td>title</td>" in html
    assert url(article, "compare") in html
    assert 'method="post"' in html  # the revert buttons' forms


def test_the_history_page_reads_the_same_queries_for_2_and_120_revisions(
    editor_client, make_article
):
    def queries(count: int) -> int:
        article = make_article()
        for n in range(count):
            article.body = f"Version {n}."
            revisions.record(article, via=Revision.Via.FORM)
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(url(article, "history")).status_code == 200
        return len(captured)

    assert queries(2) == queries(120)


def test_compare_shows_a_word_level_diff_of_the_body(editor_client, make_article):
    article = make_article(body="The quick brown fox jumps.\n\nA second paragraph.")
    old = revisions.record(article, via=Revision.Via.FORM)
    article.body = "The quick red fox jumps.\n\nA second paragraph."
    article.title = "A new title"
    article.save()
    new = revisions.record(article, via=Revision.Via.FORM)
    # Asked for in either order, the older is on the left.
    response = editor_client.get(url(article, "compare"), {"a": new.pk, "b": old.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The quick <del>brown</del><ins>red</ins> fox jumps." in html
    assert [c.name for c in response.context["changes"]] == ["title", "body"]
    assert response.context["old"] == old


@pytest.mark.parametrize("vector", MARKUP_VECTORS[:12])
def test_compare_escapes_markup_in_every_changed_field(
    editor_client, make_article, calm_markup, vector
):
    article = make_article(title="Calm", body="Calm words.")
    old = revisions.record(article, via=Revision.Via.FORM)
    article.title, article.body, article.description = vector, f"Calm {vector} words.", vector
    article.save()
    article.tags.add(vector[:100])
    new = revisions.record(article, via=Revision.Via.FORM)
    response = editor_client.get(url(article, "compare"), {"a": old.pk, "b": new.pk})
    html = response.content.decode()
    assert vector not in html
    assert hostile_markup(html) == calm_markup


def test_compare_escapes_every_markup_vector_in_the_body(editor_client, make_article, calm_markup):
    article = make_article(body="Calm.")
    old = revisions.record(article, via=Revision.Via.FORM)
    article.body = "\n".join(MARKUP_VECTORS)
    article.save(body_html="")  # the renderer refuses so much nesting; the diff need not
    new = revisions.record(article, via=Revision.Via.FORM)
    html = editor_client.get(url(article, "compare"), {"a": old.pk, "b": new.pk}).content.decode()
    assert [v for v in MARKUP_VECTORS if v in html] == []
    assert hostile_markup(html) == calm_markup


def test_compare_refuses_revisions_of_another_item(editor_client, make_article):
    article, other = make_article(), make_article()
    mine = revisions.record(article, via=Revision.Via.FORM)
    theirs = revisions.record(other, via=Revision.Via.FORM)
    response = editor_client.get(url(article, "compare"), {"a": mine.pk, "b": theirs.pk})
    assert response.status_code == 404
    response = editor_client.get(url(article, "compare"), {"a": mine.pk, "b": "9" * 5000})
    assert response.status_code == 404


def test_word_diff_escapes_and_marks_words():
    assert word_diff("a <b>bold</b> claim", "a <i>bold</i> claim") == (
        "a &lt;<del>b</del><ins>i</ins>&gt;bold&lt;/<del>b</del><ins>i</ins>&gt; claim"
    )
    assert word_diff("same", "same") == "same"
    assert word_diff("", "<new>") == "<ins>&lt;new&gt;</ins>"


def test_word_diff_of_a_huge_rewrite_marks_it_whole():
    old = " ".join(["old"] * WORD_DIFF_LIMIT)
    new = " ".join(["new"] * WORD_DIFF_LIMIT)
    assert word_diff(old, new) == f"<del>{old}</del><ins>{new}</ins>"


# Reverting


def test_revert_makes_a_new_revision_and_restores_body_tags_and_bylines(
    editor_client, editor, make_article, writers, section
):
    article = make_article(body="First *words*.", section=section)
    article.authors.set([writers[0]])
    article.tags.add("Diplomacy", "Energy")
    first = revisions.record(article, via=Revision.Via.FORM)
    article.body, article.section = "Second words.", None
    article.save()
    article.authors.set([writers[1]])
    article.tags.set(["Sport"])
    revisions.record(article, via=Revision.Via.FORM)

    response = editor_client.post(url(article, "revert", first.pk))
    assert response.status_code == 302
    assert response["Location"] == url(article, "change")
    article.refresh_from_db()
    assert article.body == "First *words*."
    assert "<em>words</em>" in article.body_html
    assert article.section == section
    assert list(article.authors.all()) == [writers[0]]
    assert sorted(t.name for t in article.tags.all()) == ["Diplomacy", "Energy"]
    newest, *older = Revision.objects.of(article)
    assert len(older) == 2
    assert (newest.via, newest.user, newest.reverted_from) == ("revert", editor, first)
    assert newest.snapshot == first.snapshot


def test_revert_leaves_out_a_byline_deleted_since_and_says_so(editor_client, make_article, writers):
    article = make_article()
    article.authors.set(writers)
    first = revisions.record(article, via=Revision.Via.FORM)
    writers[1].delete()
    response = editor_client.post(url(article, "revert", first.pk), follow=True)
    assert list(article.authors.all()) == [writers[0]]
    assert "“Bo Reporter” no longer exists" in response.content.decode()


def test_revert_to_a_slug_taken_since_is_refused(editor_client, make_article):
    article = make_article(slug="first-slug")
    first = revisions.record(article, via=Revision.Via.FORM)
    article.slug = "second-slug"
    article.save()
    make_article(slug="first-slug")
    response = editor_client.post(url(article, "revert", first.pk), follow=True)
    article.refresh_from_db()
    assert article.slug == "second-slug"
    assert "cannot be restored" in response.content.decode()
    assert Revision.objects.of(article).count() == 1


def test_revert_is_refused_on_get(editor_client, make_article):
    article = make_article(body="Old.")
    first = revisions.record(article, via=Revision.Via.FORM)
    article.body = "New."
    article.save()
    assert editor_client.get(url(article, "revert", first.pk)).status_code == 405
    article.refresh_from_db()
    assert article.body == "New."


def test_revert_is_refused_without_the_change_permission(moderator_client, client, make_article):
    article = make_article(body="Old.")
    first = revisions.record(article, via=Revision.Via.FORM)
    article.body = "New."
    article.save()
    assert moderator_client.get(url(article, "history")).status_code == 200
    assert b"Revert to this revision" not in moderator_client.get(url(article, "history")).content
    assert moderator_client.post(url(article, "revert", first.pk)).status_code == 403
    client.logout()
    response = client.post(url(article, "revert", first.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    article.refresh_from_db()
    assert article.body == "New."
    assert Revision.objects.of(article).count() == 1


def test_revert_needs_the_csrf_token(editor, make_article):
    from django.test import Client

    article = make_article(body="Old.")
    first = revisions.record(article, via=Revision.Via.FORM)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(url(article, "revert", first.pk)).status_code == 403


def test_revert_of_another_items_revision_is_not_found(editor_client, make_article):
    article, other = make_article(), make_article()
    theirs = revisions.record(other, via=Revision.Via.FORM)
    assert editor_client.post(url(article, "revert", theirs.pk)).status_code == 404


def test_an_imported_item_reverted_is_an_editors_change_to_the_importer(tmp_path):
    source = tmp_path / "story.md"
    source.write_text("---\ntitle: Story\ndate: 2021-01-02\n---\nImported text.\n")
    call_command("import_sources", str(source), stdout=StringIO())
    article = Article.objects.get()
    imported = Revision.objects.of(article).get()
    article.body = "Edited."
    article.save()
    revisions.revert(imported, user=None)
    article.refresh_from_db()
    assert article.body == "Imported text."
    source.write_text("---\ntitle: Story\ndate: 2021-01-02\n---\nChanged file.\n")
    out = StringIO()
    call_command("import_sources", str(source), stdout=out)
    assert "1 conflict" in out.getvalue()


def test_section_deleted_since_is_left_empty_with_a_warning(make_article):
    gone = Section.objects.create(name="Gone", slug="gone")
    article = make_article(section=gone)
    first = revisions.record(article, via=Revision.Via.FORM)
    article.section = None
    article.save()
    gone.delete()
    _obj, _new, warnings = revisions.revert(first, user=None)
    assert warnings == ["The section “Gone” no longer exists: section left empty."]


def test_a_snapshot_is_stored_compressed_and_survives_dumpdata_and_loaddata(make_article, tmp_path):
    article = make_article(title="Աշխարհի լուրեր", body="Բարև ձեզ, սա փորձ է։ " * 100)
    revision = revisions.record(article, via=Revision.Via.FORM)
    with connection.cursor() as cursor:
        cursor.execute("SELECT snapshot FROM newsroom_revision WHERE id = %s", [revision.pk])
        stored = bytes(cursor.fetchone()[0])
    assert len(stored) < len(article.body.encode()) / 4
    fixture = tmp_path / "revisions.json"
    call_command("dumpdata", "newsroom.revision", output=str(fixture))
    assert "Աշխարհի լուրեր" in fixture.read_text(encoding="utf-8")
    Revision.objects.filter(pk=revision.pk).update(snapshot={"fields": {}})
    call_command("loaddata", str(fixture), verbosity=0)
    assert Revision.objects.get(pk=revision.pk).snapshot == revision.snapshot
