import json
import shutil
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.redirects.models import Redirect
from django.core.management import CommandError, call_command
from django.utils import timezone
from taggit.models import Tag

from newsroom.importing.loader import ArchiveLoader
from newsroom.models import Article, Author, Comment, CommentStatusChange, Section
from quickquotes.models import QuickQuote

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
FILES = Path(__file__).resolve().parent / "files"
DUMP = "000_90db8f93e677aa95.txt"
QUOTE = "004_350c7da07d336ef7.txt"


def run(*args, expect_failure: bool = False) -> str:
    out = StringIO()
    if expect_failure:
        with pytest.raises(CommandError) as failure:
            call_command("import_sources", *map(str, args), stdout=out)
        return out.getvalue() + str(failure.value)
    call_command("import_sources", *map(str, args), stdout=out)
    return out.getvalue()


@pytest.fixture
def archive(tmp_path) -> Path:
    folder = tmp_path / "archive"
    shutil.copytree(FIXTURES, folder)
    return folder


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


QUOTE_FILE = """---
title: a headline
description: A description.
date: 2021-03-04T05:06:07Z
publishDate: '2021-03-05T08:00:00+01:00'
lastmod: '2021-04-01'
section: quickquotes
tags: [Economy, economy, Jobs]
post_author: [Jane Doe]
aliases: [article/a-headline/]
featured_quote:
  quote: We will grow.
  summary: The minister, on jobs.
  citation: Radio interview
---
The *body*.
"""


def test_the_page_dump_seed_imports_with_every_field(archive):
    run(archive)
    article = Article.objects.get()
    assert article.title == "Aliyev Threatens War via Twitter"
    assert article.slug == "aliyev-threatens-war-via-twitter"
    assert article.dateline == "BAKU"
    # The dump kept the picture's caption, not the picture: the caption stays in provenance.
    assert article.featured_image is None
    assert article.source_extra["featured_image.caption"] == (
        "A screen shot of Aliyev’s Twitter page".replace("’", "'")
    )
    assert article.body.startswith("It’s a first for social media—especially Twitter.")
    assert "## Aliyev Claims “Armenians In Panic”" in article.body
    assert "<h2>Aliyev Claims “Armenians In Panic”</h2>" in article.body_html
    assert "Discussion Policy" not in article.body
    # The caption of an image the dump does not have is shown at the end of the body.
    assert article.body.endswith(
        "he said.\n\n## Image caption\n\nA screen shot of Aliyev's Twitter page"
    )
    # The seed's policy is the demo site's own, so no per-article copy is kept.
    assert article.discussion_policy == ""
    assert article.status == Article.Status.DRAFT  # no date in a page dump
    assert article.published_at is None
    assert article.source_path == DUMP
    assert len(article.source_hash) == 64

    comments = list(article.comments.order_by("position"))
    assert [c.position for c in comments] == list(range(1, 12))
    assert [c.kind for c in comments] == ["comment"] * 10 + ["pingback"]
    assert comments[0].author_name == "SA"
    assert comments[0].body.startswith("Where is the international community?")
    assert comments[1].body.count("\n\n") == 3  # Ed's four paragraphs
    assert comments[5].author_name == "John Ahmaranian"
    assert comments[9].author_name == "Satenik"
    assert comments[10].author_name == (
        "Vacations To Places That Technically Don't Exist - Passportdiva"
    )
    assert CommentStatusChange.objects.filter(from_status="").count() == 11


def test_imported_comments_get_their_status_from_the_policy(archive, settings):
    settings.NEWSROOM_MODERATION = {"moderation_words": ["idiot"]}
    output = run(archive)
    light = Comment.objects.get(position=7)
    assert light.status == "pending"
    assert "moderation_words" in light.rules
    assert "comment 7 by light: pending" in output
    clean = Comment.objects.get(position=1)
    assert clean.status == "approved"
    assert clean.decided_rule == "imported"
    entry = clean.status_changes.get()
    assert (entry.from_status, entry.to_status, entry.rule) == ("", "approved", "imported")


def test_the_seed_article_keeps_its_discussion_policy_on_import(archive):
    # The policy's defaults: no word lists, the built-in rules.
    output = run(archive)
    held = {c.position: c for c in Comment.objects.exclude(status="approved")}
    assert set(held) == {2, 3, 4, 5, 7}
    dog, army = held[2], held[4]
    assert {"dehumanising", "personal_attacks"} <= set(dog.rules.split())
    assert {r["evidence"] for r in dog.moderation_reasons} >= {"this dog", "mini Hitler"}
    assert "threats" in army.rules.split()
    assert army.moderation_reasons[0]["evidence"] == "kill him"
    assert "comment 4 by GB: pending (Threat of violence: “kill him”.)" in output
    for civil in (1, 6, 8, 9, 10):
        assert Comment.objects.get(position=civil).status == "approved"


def test_held_comments_are_reported_with_each_reason_once(archive, settings):
    settings.NEWSROOM_MODERATION = {"moderation_words": ["idiot", "savage", "barbaric"]}
    output = run(archive)
    (line,) = [line for line in output.splitlines() if "comment 7 by light" in line]
    assert ".;" not in line and line.endswith(".)")
    assert line.count("Moderation word “idiot”") == 1
    assert "Moderation word “savage”" in line and "Moderation word “barbaric”" in line
    light = Comment.objects.get(position=7)
    assert light.decision_reason == light.status_changes.get().reason
    assert ".;" not in light.decision_reason


def test_comment_status_option_overrides_the_policy(archive, settings):
    settings.NEWSROOM_MODERATION = {"moderation_words": ["idiot"]}
    run(archive, "--comment-status", "pending")
    assert set(Comment.objects.values_list("status", flat=True)) == {"pending"}


def test_the_quick_quote_seed_imports_with_every_field(archive):
    run(archive)
    quote = QuickQuote.objects.get()
    assert quote.title == (
        "azerbaijani president, ilham aliyev, on a fight over disputed territories that "
        "armenia also claims."
    )
    assert quote.slug == (
        "azerbaijani-president-ilham-aliyev-on-a-fight-over-disputed-territories-that-"
        "armenia-also-claims"
    )
    assert quote.description.startswith("We are winning and will get our territory back")
    assert quote.quote == (
        "We are winning and will get our territory back and ensure our territorial "
        "integrity. Let them abandon our territory in peace."
    )
    assert quote.summary == (
        "Azerbaijani president, Ilham Aliyev, on a fight over disputed territories that "
        "Armenia also claims."
    )
    assert quote.citation == ""
    # Recorded in the library, to be fetched (fetch_images): the page shows it from there.
    image = quote.featured_image
    assert image.source_url.endswith("kyle-glenn-598701-unsplash-min-scaled.jpg")
    assert (image.alt_text, image.fetch_status, image.file.name) == ("", "pending", "")
    assert quote.is_breaking is False
    assert quote.status == QuickQuote.Status.PUBLISHED
    moment = datetime(2020, 10, 12, 15, 51, 30, tzinfo=UTC)
    assert quote.published_at == moment
    assert quote.created_at == moment
    assert quote.updated_at == moment  # lastmod: '' means none
    assert list(quote.tags.all()) == []
    assert list(quote.authors.all()) == []
    assert quote.section is None
    html = quote.body_html
    assert '<a href="https://www.cfr.org/blog/eruption-conflict-over-nagorno-karabakh"' in html
    assert "gclid" not in html and '\\"' not in quote.body
    assert html.count("<li>") == 4
    redirect = Redirect.objects.get()
    assert redirect.old_path == (
        "/article/azerbaijani-president-ilham-aliyev-on-a-fight-over-disputed-territories-"
        "that-armenia-also-claims/"
    )
    assert redirect.new_path == quote.get_absolute_url()


def test_a_second_run_changes_nothing(archive):
    run(archive)
    counts = (
        Article.objects.count(),
        QuickQuote.objects.count(),
        Comment.objects.count(),
        CommentStatusChange.objects.count(),
        Redirect.objects.count(),
    )
    output = run(archive, "-v", "2")
    assert f"unchanged {DUMP}" in output
    assert f"unchanged {QUOTE}" in output
    assert "2 files: 0 created, 0 updated, 2 unchanged, 0 conflict, 0 failed" in output
    assert counts == (
        Article.objects.count(),
        QuickQuote.objects.count(),
        Comment.objects.count(),
        CommentStatusChange.objects.count(),
        Redirect.objects.count(),
    )


def test_front_matter_fields_map_to_their_own_columns(archive):
    write(archive, "quote.md", QUOTE_FILE)
    run(archive / "quote.md")
    quote = QuickQuote.objects.get()
    assert quote.created_at == datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert quote.published_at == datetime(2021, 3, 5, 7, 0, tzinfo=UTC)
    assert quote.updated_at == datetime(2021, 4, 1, tzinfo=UTC)
    assert sorted(quote.tags.names()) == ["Economy", "Jobs"]
    assert [a.name for a in quote.authors.all()] == ["Jane Doe"]
    assert quote.citation == "Radio interview"
    assert Redirect.objects.get().old_path == "/article/a-headline/"


def test_naive_dates_use_the_timezone_option(archive):
    write(archive, "naive.md", "---\ntitle: Naive\ndate: 2021-03-04 10:00:00\n---\nx\n")
    run(archive / "naive.md", "--timezone", "America/New_York")
    assert Article.objects.get().published_at == datetime(2021, 3, 4, 15, 0, tzinfo=UTC)


def test_unknown_timezone_is_a_clear_error(archive):
    assert "Unknown time zone 'Mars/Base'" in run(
        archive, "--timezone", "Mars/Base", expect_failure=True
    )


def test_sections_are_created_when_first_seen(archive):
    write(archive, "a.md", "---\ntitle: One\nsection: world-news\ndate: 2020-01-01\n---\nx\n")
    write(archive, "b.md", "---\ntitle: Two\nsection: world-news\ndate: 2020-01-02\n---\nx\n")
    run(archive / "a.md", archive / "b.md")
    section = Section.objects.get()
    assert (section.slug, section.name) == ("world-news", "World News")
    assert section.articles.count() == 2


def test_draft_and_scheduled_items(archive):
    later = (timezone.now() + timedelta(days=3)).isoformat()
    write(archive, "draft.md", "---\ntitle: Draft\npublished: false\ndate: 2020-01-01\n---\n")
    write(archive, "later.md", f"---\ntitle: Later\npublishDate: '{later}'\n---\nx\n")
    output = run(archive / "draft.md", archive / "later.md")
    assert Article.objects.get(title="Draft").status == Article.Status.DRAFT
    later_item = Article.objects.get(title="Later")
    assert later_item.is_scheduled
    assert not Article.objects.published().exists()
    assert "imported as a draft" in output and "scheduled" in output


def test_undated_files_can_be_published_with_a_date(archive):
    run(archive / DUMP, "--undated-as", "2016-04-09")
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED
    assert timezone.localtime(article.published_at).date().isoformat() == "2016-04-09"


def test_bad_undated_as_is_a_clear_error(archive):
    assert "is not a date: use YYYY-MM-DD" in run(
        archive, "--undated-as", "April", expect_failure=True
    )


def test_unknown_keys_are_kept_and_listed(archive):
    write(archive, "extra.md", "---\ntitle: T\ndate: 2020-01-01\ncard_1: {a: 1}\n---\nx\n")
    output = run(archive / "extra.md")
    assert Article.objects.get().source_extra == {"card_1.a": 1}
    assert "field 'card_1.a': has no column; kept in the item's provenance" in output


def test_dry_run_reports_the_same_and_keeps_nothing(archive):
    dry = run(archive, "--dry-run")
    assert "Dry run, nothing kept: 2 files: 2 created" in dry
    assert not Article.objects.exists() and not QuickQuote.objects.exists()
    assert not Comment.objects.exists() and not Redirect.objects.exists()
    real = run(archive)
    assert dry.replace("Dry run, nothing kept: ", "") == real


def test_json_report(archive, tmp_path):
    write(archive, "broken.md", "---\ntitle: [unclosed\n---\n")
    report_path = tmp_path / "report.json"
    run(archive, "--report", report_path, expect_failure=True)
    report = json.loads(report_path.read_text())
    entries = {entry["path"]: entry for entry in report["files"]}
    assert entries[DUMP]["outcome"] == "created"
    assert entries[DUMP]["format"] == "pagedump"
    assert entries[DUMP]["object"]["url"] == "/articles/aliyev-threatens-war-via-twitter/"
    assert entries[QUOTE]["object"]["model"] == "quickquotes.quickquote"
    assert entries["broken.md"]["outcome"] == "failed"
    assert "line 2" in entries["broken.md"]["errors"][0]
    assert report["summary"] == {
        "total": 3, "created": 2, "updated": 0, "unchanged": 0, "conflict": 0, "failed": 1
    }  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.md", b"---\ntitle: [unclosed\n---\nbody\n", "line 2"),
        ("untitled.md", b"---\ndescription: no title\n---\nbody\n", "title"),
        ("empty.txt", b"", "empty"),
        ("binary.txt", bytes(range(256)) * 4, "binary"),
    ],
)
def test_bad_files_fail_clearly_and_the_rest_import(archive, name, content, message):
    (archive / name).write_bytes(content)
    output = run(archive, expect_failure=True)
    assert f"failed    {name}" in output
    assert message in output.split(f"failed    {name}")[1].split("\n")[1]
    assert "Traceback" not in output
    assert "1 of 3 files failed" in output
    assert Article.objects.count() == 1 and QuickQuote.objects.count() == 1


def test_windows_1252_is_read_with_a_warning(archive):
    text = "---\ntitle: Café “quotes”\ndate: 2020-01-01\n---\nbody\n"
    (archive / "legacy.md").write_bytes(text.encode("cp1252"))
    output = run(archive / "legacy.md")
    assert Article.objects.get().title == "Café “quotes”"
    assert "read as Windows-1252" in output


def test_fail_fast_stops_at_the_first_failure(archive):
    (archive / "0000_broken.md").write_bytes(b"---\ntitle: [x\n---\n")
    output = run(archive, "--fail-fast", expect_failure=True)
    assert "Stopped at the first failure" not in output  # it goes to stderr
    assert not Article.objects.exists()
    assert "1 files: 0 created" in output


def test_a_duplicate_alias_is_a_warning_naming_both(archive):
    head = "---\ndate: 2020-01-01\naliases: [old/x/]\n"
    write(archive, "one.md", f"{head}title: One\nslug: one\n---\n")
    write(archive, "two.md", f"{head}title: Two\nslug: two\n---\n")
    output = run(archive / "one.md", archive / "two.md")
    redirect = Redirect.objects.get()
    assert redirect.new_path == "/articles/one/"
    assert "alias /old/x/ already redirects to /articles/one/ (“One”, from one.md)" in output
    assert "not taken over for “Two” (two.md)" in output


def test_a_changed_file_updates_its_item(archive):
    run(archive)
    path = archive / QUOTE
    path.write_text(path.read_text().replace("citation: ''", "citation: 'Reuters'"))
    output = run(archive)
    assert f"updated   {QUOTE}" in output
    assert QuickQuote.objects.get().citation == "Reuters"
    assert QuickQuote.objects.count() == 1 and Redirect.objects.count() == 1


def test_an_editors_change_is_not_overwritten_without_overwrite(archive):
    run(archive)
    quote = QuickQuote.objects.get()
    quote.title = "Edited by the desk"
    quote.save()
    path = archive / QUOTE
    path.write_text(path.read_text().replace("citation: ''", "citation: 'Reuters'"))
    output = run(archive)
    assert f"conflict  {QUOTE}" in output
    assert "changed in the admin" in output and "--overwrite" in output
    quote.refresh_from_db()
    assert (quote.title, quote.citation) == ("Edited by the desk", "")
    run(archive, "--overwrite")
    quote.refresh_from_db()
    assert quote.citation == "Reuters"
    assert quote.title.startswith("azerbaijani president")


def test_an_item_made_in_the_admin_is_not_taken_over(archive, make_article):
    make_article(slug="aliyev-threatens-war-via-twitter", title="Our own piece")
    output = run(archive)
    assert "made in the admin: left alone" in output
    assert Article.objects.get().title == "Our own piece"
    assert not Comment.objects.exists()


def test_new_comments_in_a_changed_dump_are_added_once(archive):
    run(archive)
    first = Comment.objects.get(position=1)
    from newsroom.discussion import decisions

    decisions.reject([first])
    path = archive / DUMP
    path.write_text(
        path.read_text() + "\n\n  12. Newcomer said:\n\n    A late remark.\n", encoding="utf-8"
    )
    run(archive)
    assert Comment.objects.count() == 12
    assert Comment.objects.get(position=12).author_name == "Newcomer"
    first.refresh_from_db()
    assert first.status == "rejected"  # a moderator's decision survives the re-import


def test_tags_and_authors_are_not_duplicated(archive):
    write(archive, "quote.md", QUOTE_FILE)
    run(archive / "quote.md")
    (archive / "quote.md").write_text(QUOTE_FILE.replace("The *body*.", "A new body."))
    run(archive / "quote.md")
    assert Tag.objects.count() == 2
    assert Author.objects.count() == 1


def test_a_missing_path_is_a_clear_error(tmp_path):
    assert "no such file or folder" in run(tmp_path / "nope", expect_failure=True)


def test_values_longer_than_their_columns_are_shortened_with_a_warning(archive):
    slug = "x" * 200
    write(
        archive,
        "long.md",
        f"---\ntitle: T\nslug: {slug}\naliases: [old/]\ntags: ['{'y' * 150}']\n---\n",
    )
    output = run(archive / "long.md")
    article = Article.objects.get()
    assert [t.name for t in article.tags.all()] == ["y" * 100]
    assert "shortened" in output
    assert "no redirect was made" in output
    assert not Redirect.objects.exists()


def test_a_title_without_latin_letters_gets_a_slug_from_its_hash(archive):
    write(archive, "hy.md", "---\ntitle: Բաքու\ndate: 2020-01-01\n---\nx\n")
    output = run(archive / "hy.md")
    article = Article.objects.get()
    assert article.slug.startswith("item-") and article.title == "Բաքու"
    assert "no Latin letters or digits in the title" in output


def test_an_unexpected_error_fails_only_its_file(archive, monkeypatch):
    from newsroom.importing import redirects

    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(redirects, "add_redirects", broken)
    output = run(archive, expect_failure=True)
    assert "could not import it (RuntimeError: boom)" in output
    assert "Traceback" not in output
    assert not QuickQuote.objects.exists()  # the file that hit the error left nothing


# Batches: files are read, checked and committed a batch at a time, each file still alone.


def sources(folder: Path) -> list[tuple[Path, str]]:
    return [(path, path.name) for path in sorted(folder.iterdir()) if path.is_file()]


def test_unchanged_files_cost_one_query_per_model_per_batch(archive, django_assert_num_queries):
    for number in range(5):
        write(
            archive, f"extra-{number}.md", f"---\ntitle: Extra {number}\ndate: 2020-01-01\n---\nx\n"
        )
    list(ArchiveLoader(tz=UTC).load_files(sources(archive)))
    with django_assert_num_queries(2):  # one per model, for all 7 files
        reports = list(ArchiveLoader(tz=UTC).load_files(sources(archive)))
    assert [report.outcome for report in reports] == ["unchanged"] * 7


def test_files_of_one_batch_see_each_other(archive):
    """Two files with one title: the second is numbered, in batches of any size."""
    for name in ("a.md", "b.md"):
        write(archive, name, "---\ntitle: Same Title\ndate: 2020-01-01\n---\nx\n")
    reports = list(ArchiveLoader(tz=UTC, batch_size=100).load_files(sources(archive)))
    by_path = {report.path: report for report in reports}
    slugs = [by_path[name].object["slug"] for name in ("a.md", "b.md")]
    assert slugs == ["same-title", "same-title-2"]
    assert "the slug “same-title” is already used by a.md" in by_path["b.md"].warnings[-1]


def test_dry_run_reports_what_the_run_would_across_files(archive):
    for name in ("a.md", "b.md"):
        write(archive, name, "---\ntitle: Same Title\ndate: 2020-01-01\n---\nx\n")
    dry = run(archive, "--dry-run", "-v", "2")
    assert "this item is “same-title-2”" in dry
    assert not Article.objects.exists() and not Tag.objects.exists()
    assert dry.replace("Dry run, nothing kept: ", "") == run(archive, "-v", "2")


def test_fail_fast_keeps_the_files_before_the_failure_only(archive):
    write(archive, "0000_first.md", "---\ntitle: First\ndate: 2020-01-01\n---\nx\n")
    write(archive, "0001_broken.md", "---\ntitle: [x\n---\n")  # then the two seeds
    output = run(archive, "--fail-fast", expect_failure=True)
    assert "created   0000_first.md" in output and "failed    0001_broken.md" in output
    assert list(Article.objects.values_list("title", flat=True)) == ["First"]
    assert not QuickQuote.objects.exists()
    assert "2 files: 1 created" in output


def test_a_batch_whose_commit_fails_reports_its_files_failed(archive, monkeypatch):
    """The batch's transaction refuses to commit, after its file was written."""
    from django.db import OperationalError, connection

    from newsroom.importing.batches import Batches

    # Inside the test's own transaction a batch commits as a savepoint: refuse the first
    # savepoint released after a file was written, which is its batch's.
    written, write = [], Batches.write
    release, refused = connection.savepoint_commit, []

    def write_and_note(self, report, pending):
        revision = write(self, report, pending)
        written.append(report.path)
        return revision

    def release_once_refused(sid):
        if written and not refused:
            refused.append(sid)
            raise OperationalError("disk I/O error")
        release(sid)

    monkeypatch.setattr(Batches, "write", write_and_note)
    monkeypatch.setattr(connection, "savepoint_commit", release_once_refused)
    reports = list(ArchiveLoader(tz=UTC, batch_size=1).load_files(sources(archive)))
    assert [report.path for report in reports] == [DUMP, QUOTE]
    assert reports[0].outcome == "failed" and reports[0].object is None
    assert "the database refused to commit it: disk I/O error" in reports[0].errors[0]
    assert reports[1].outcome == "created"
    assert not Article.objects.exists() and not Comment.objects.exists()
    assert QuickQuote.objects.get().source_path == QUOTE
    monkeypatch.undo()
    again = list(ArchiveLoader(tz=UTC).load_files(sources(archive)))
    assert [report.outcome for report in again] == ["created", "unchanged"]


def test_batch_size_is_an_option(archive):
    output = run(archive, "--batch-size", "1")
    assert "2 files: 2 created" in output
    assert "at least 1" in run(archive, "--batch-size", "0", expect_failure=True)


def test_a_file_named_twice_is_imported_once(archive):
    output = run(archive / QUOTE, archive)  # the file, then its folder
    assert "3 files: 2 created, 0 updated, 1 unchanged" in output
    assert QuickQuote.objects.count() == 1 and Article.objects.count() == 1


def test_dates_with_an_odd_zone_offset_are_stored(archive):
    # Python takes zone offsets down to the microsecond; PostgreSQL refuses fractions of a
    # second. The moment is kept exactly.
    date = "!!timestamp 2000-01-01 00:00:00+00:00:01.000001"
    write(archive, "odd.md", f"---\ntitle: Odd Zone\ndate: {date}\n---\nx\n")
    output = run(archive / "odd.md")
    assert "1 files: 1 created" in output
    article = Article.objects.get()
    assert article.published_at == datetime(1999, 12, 31, 23, 59, 58, 999999, tzinfo=UTC)


def test_an_import_leaves_sqlite_the_statistics_it_plans_with(archive):
    """SQLite plans from ANALYZE's statistics, which a site never gathers: an import that
    wrote something gathers them; a run that changed nothing does not."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's autovacuum gathers its own")

    def analyzed() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return set()
            cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
            return {row[0] for row in cursor.fetchall()}

    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is not None:
            cursor.execute("DELETE FROM sqlite_stat1")
    run(archive)
    assert {"newsroom_article", "newsroom_comment"} <= analyzed()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1")
    run(archive)  # nothing changed
    assert analyzed() == set()
