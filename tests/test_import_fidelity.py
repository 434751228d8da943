"""What readers saw on the old site reaches the new one: ``import_sources`` with cards,
prose fields, sections, aliases and images, and its ``--strict`` and ``--verify``."""

import shutil
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from newsroom.importing.verify import page_text
from newsroom.models import Article, Section
from quickquotes.models import QuickQuote

pytestmark = pytest.mark.django_db

FILES = Path(__file__).resolve().parent / "files"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def run(*args) -> str:
    out = StringIO()
    call_command("import_sources", *map(str, args), stdout=out)
    return out.getvalue()


def failing(*args) -> str:
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_sources", *map(str, args), stdout=out)
    return out.getvalue() + str(failure.value)


@pytest.fixture
def folder(tmp_path) -> Path:
    made = tmp_path / "archive"
    made.mkdir()
    return made


def copy(folder: Path, *names: str) -> Path:
    for name in names:
        shutil.copy(FILES / name, folder / name)
    return folder


def test_cards_are_the_articles_body_on_its_page(folder):
    run(copy(folder, "cards_list.md"))
    article = Article.objects.get()
    assert "<h2>What the mayor said</h2>" in article.body_html
    assert "<p>— Mayor Ana Ruiz</p>" in article.body_html
    text = page_text(article)
    assert "This is the start of a new waterfront." in text
    assert "Read the full plan" in text and "The new piers, in blue" in text


def test_nested_metadata_dates_tags_section_and_background_image(folder):
    run(copy(folder, "cards_numbered.md"))
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == datetime(2021, 2, 17, 21, 19, tzinfo=UTC)
    assert sorted(tag.name for tag in article.tags.all()) == ["Texas", "Weather"]
    assert article.section.name == "Quick Reads"
    assert article.featured_image.source_url == "https://img.example.org/storm.jpg"


def test_sections_differing_in_case_and_spacing_are_one_with_the_first_spelling(folder):
    # cards_numbered.md says "Quick Reads" (card_category), quickreads_quotes.md "Quickreads".
    run(copy(folder, "cards_numbered.md", "quickreads_quotes.md"))
    section = Section.objects.get()
    assert (section.name, section.slug) == ("Quick Reads", "quick-reads")
    assert section.articles.count() == 2


def test_every_prose_field_is_on_the_page_or_named_in_the_report(folder):
    output = run(copy(folder, "prose_fields.md"))
    article = Article.objects.get()
    text = page_text(article)
    assert "A veteran on discipline, fatherhood and picture books." in text
    assert "He wrote his first book for his own children" in text
    assert "At home in California" in text
    assert "field 'teaser_text': holds prose (watch the whole conversation" in output
    assert article.source_extra["teaser_text"].startswith("Watch the whole conversation")


def test_strict_fails_a_file_that_would_leave_prose_unseen(folder):
    copy(folder, "prose_fields.md", "cards_list.md")
    output = failing(folder, "--strict")
    assert "failed    prose_fields.md" in output
    assert "--strict: prose of 'teaser_text' would be kept only in the provenance" in output
    assert "1 of 2 files failed" in output
    assert list(Article.objects.values_list("source_path", flat=True)) == ["cards_list.md"]


def test_verify_shows_every_word_of_the_test_files(folder):
    copy(folder, "cards_list.md", "cards_numbered.md", "quickreads_quotes.md", "bare_image.md")
    output = run(folder, "--verify")
    lines = [line for line in output.split("\n") if line.endswith("words)")]
    assert len(lines) == 4
    assert all(line.lstrip().startswith("100 %") for line in lines), output


def test_verify_names_the_words_a_page_does_not_show(folder):
    output = failing(copy(folder, "prose_fields.md"), "--verify")
    [line] = [line for line in output.split("\n") if line.endswith("words)")]
    assert line.lstrip().startswith("90.6 %  prose_fields.md"), line  # 68 of 75, rounded down
    assert line.endswith("(68 of 75 words)")
    assert "    missing: watch whole conversation our channel this week\n" in output
    assert "1 files' pages do not show all of their prose" in output


def test_verify_sees_a_template_that_hides_a_field(folder, settings, tmp_path):
    templates = tmp_path / "templates" / "quickquotes"
    templates.mkdir(parents=True)
    (templates / "quickquote_detail.html").write_text("<article>{{ quote.title }}</article>")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path / "templates", *engine["DIRS"]]}]
    shutil.copy(FIXTURES / "004_350c7da07d336ef7.txt", folder / "004.txt")
    output = failing(folder, "--verify")
    [missing] = [line for line in output.split("\n") if line.startswith("    missing: ")]
    assert "winning" in missing.split() and "azerbaijani" not in missing.split()


def test_a_quick_quotes_own_description_is_on_its_page(folder):
    (folder / "q.md").write_text(
        "---\ntitle: a headline\ndescription: The minister spoke on the radio.\n"
        "section: quickquotes\nfeatured_quote: {quote: We will grow.}\n"
        "date: 2021-01-01\n---\n"
    )
    output = run(folder, "--verify")
    assert "The minister spoke on the radio." in page_text(QuickQuote.objects.get())
    assert "100 %  q.md" in output


def test_a_bare_image_name_is_reported_or_resolved_against_the_media_root(folder, settings):
    from io import BytesIO

    from PIL import Image as Picture

    copy(folder, "bare_image.md")
    output = run(folder)
    assert "'courthouse-1920x1281.jpg' is a file name, not an address" in output
    assert Article.objects.get().featured_image is None
    media = folder.parent / "media"
    media.mkdir()
    # Not a picture: refused as an upload would be, and reported.
    (media / "courthouse-1920x1281.jpg").write_bytes(b"\xff\xd8")
    shutil.copy(folder / "bare_image.md", folder / "bare_image_2.md")
    output = run(folder, "--media-root", media)
    assert "was not added to the image library" in output
    assert Article.objects.get(source_path="bare_image_2.md").featured_image is None
    # A real picture: added to the library, stored here, shown on the page.
    picture = BytesIO()
    Picture.new("RGB", (64, 48), "navy").save(picture, "JPEG")
    (media / "courthouse-1920x1281.jpg").write_bytes(picture.getvalue())
    shutil.copy(folder / "bare_image.md", folder / "bare_image_3.md")
    run(folder, "--media-root", media)
    image = Article.objects.get(source_path="bare_image_3.md").featured_image
    assert image is not None and image.file and (image.width, image.height) == (64, 48)
    assert "no such folder" in failing(folder, "--media-root", folder / "nowhere")


def test_aliases_of_the_home_page_other_pages_or_no_path_are_refused_by_name(folder):
    (folder / "first.md").write_text("---\ntitle: Already here\ndate: 2020-01-01\n---\nx\n")
    run(folder)
    output = run(copy(folder, "aliases_refused.md"))
    assert "alias /: not made a redirect, it is the home page" in output
    assert "alias /articles/already-here/: not made a redirect, it is the address of" in output
    assert "the alias 'Read more here' is not a path (it holds spaces) and was dropped" in output
    assert "the alias 'mailto:desk@example.org' is not a path" in output


def test_repaired_links_are_warned_about_and_unrepairable_ones_are_text(folder):
    output = run(copy(folder, "links_repair.md"))
    article = Article.objects.get()
    assert 'href="https://apnews.com/f3c3"' in article.body_html
    assert 'href="https://apnews.com/x"' in article.body_html
    assert 'href="http://reuters.com/y"' in article.body_html
    assert "Source: https://example.org/source" in article.body_html
    assert "the archive (ftp://old.example.org/a) stays readable" in article.body_html
    assert "<a>" not in article.body_html and "_:A" not in article.body_html
    assert output.count("repaired link target") == 4
    assert "the link was kept as plain text" in output


def test_a_dump_titled_with_markup_imports_as_its_text(folder):
    output = run(copy(folder, "dump_title_markup.txt"))
    article = Article.objects.get()
    assert (article.title, article.slug) == ("Council Says Yes", "council-says-yes")
    assert "the title holds HTML markup" in output
    assert "the body is empty" in output


def test_yaml_errors_quote_the_line_where_the_problem_starts(folder):
    output = failing(copy(folder, "yaml_unclosed_quote.md"))
    assert "line 2: invalid YAML front matter" in output
    assert "'title: \"Council votes on the harbor'" in output


REAL_CORPUS = FIXTURES.parent.parent / "shared" / "corpus" / "hugo-real"


@pytest.mark.parametrize(
    "archive",
    [
        FIXTURES,
        pytest.param(
            REAL_CORPUS,
            marks=pytest.mark.skipif(
                not REAL_CORPUS.is_dir(), reason="the real archive sample is not here"
            ),
        ),
    ],
    ids=["fixtures", "hugo-real"],
)
def test_verify_shows_every_word_of_the_archive(archive):
    output = run(archive, "--verify", "-v", "0")
    lines = [line for line in output.split("\n") if line.endswith("words)")]
    assert len(lines) == len([p for p in archive.iterdir() if p.suffix in (".md", ".txt")])
    assert all(line.lstrip().startswith("100 %") for line in lines), output
