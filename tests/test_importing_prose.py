"""Prose held in front matter fields reaches the body, in order, or is reported: cards,
standfirsts, captions, nested metadata; and the messages about what could not be read."""

import doctest
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsroom.importing import prose
from newsroom.importing.parsers import pagedump, parse_file
from newsroom.importing.parsers.frontmatter import cards
from newsroom.importing.prepare import read_item
from newsroom.importing.records import ParseError
from newsroom.rendering import render_markdown

FILES = Path(__file__).resolve().parent / "files"


def read(name: str, media_root: Path | None = None):
    return read_item(name, (FILES / name).read_bytes(), UTC, media_root)


def front_matter(yaml: str):
    """Parse a file titled T whose front matter goes on with these lines."""
    return parse_file("c.md", f"---\ntitle: T\n{yaml}---\n".encode(), tz=UTC)


def messages(item) -> list[str]:
    return [str(problem) for problem in item.warnings]


@pytest.mark.parametrize("module", [prose, cards])
def test_docstring_examples_hold(module):
    assert doctest.testmod(module).failed == 0


def test_a_list_of_cards_becomes_the_body_in_order():
    item = read("cards_list.md")
    assert item.body == (
        "## The vote\n\n"
        "The council approved the *harbor plan* seven to two.\n\n"
        "## What the mayor said\n\n"
        "> This is the start of a new waterfront.\n>\n> — Mayor Ana Ruiz\n\n"
        "## The map\n\n"
        "![The new piers, in blue](<https://img.example.org/harbor-map.png>)\n\n"
        "*The new piers, in blue*\n\n"
        "Work starts in May.\n\n"
        "[Read the full plan](<https://harbor.example.org/plan>)\n\n"
        "Reporting by the city desk."
    )
    html = render_markdown(item.body)
    assert "<h2>The map</h2>" in html
    assert "<blockquote>\n<p>This is the start of a new waterfront.</p>" in html
    assert '<img alt="The new piers, in blue" src="https://img.example.org/harbor-map.png">' in html
    assert '<a href="https://harbor.example.org/plan" rel="nofollow noopener">' in html
    assert item.extra == {} and item.unseen_prose == []


def test_numbered_cards_come_in_their_numbers_order_with_nested_metadata():
    item = read("cards_numbered.md")
    headings = [line for line in item.body.split("\n") if line.startswith("## ")]
    assert headings == ["## What happened", "## Millions without power"]
    assert item.body.index("A winter storm") < item.body.index("four million homes")
    assert item.body.endswith("[view sources](https://example.org/storm-sources/)")
    assert "![Ice on power lines near Austin](<https://img.example.org/ice.jpg>)" in item.body
    assert "[Source](<https://news.example.org/storm>)" in item.body
    assert "> We are doing everything we can.\n>\n> — ERCOT spokesperson" in item.body
    # meta.publishdate, in the later schema's own format; meta.meta_tags; card_category.
    assert item.publish_date == datetime(2021, 2, 17, 21, 19, tzinfo=UTC)
    assert item.tags == ["Weather", "Texas"]
    assert item.section == "Quick Reads"
    # background_image, with its address nested one level further.
    assert item.featured_image_url == "https://img.example.org/storm.jpg"
    assert item.featured_image_alt == "Snow on the highway"
    assert item.extra == {} and messages(item) == []


def test_a_quick_reads_posts_quotes_are_cards():
    item = read("quickreads_quotes.md")
    assert item.body == (
        "> The economy is turning a corner.\n>\n> — Treasury Secretary\n\n"
        "> We need more nurses, not more slogans.\n>\n> — Union leader\n\n"
        "Schools will reopen on Monday."
    )


def test_a_cards_unknown_parts_are_kept_and_named():
    item = front_matter(
        "card_3:\n  card_text: Hi.\n  card_style: dark\n  card_note: Three words here and more.\n"
    )
    assert item.body == "Hi."
    assert item.extra == {
        "card_3.card_style": "dark",
        "card_3.card_note": "Three words here and more.",
    }
    assert item.unseen_prose == ["card_3.card_note"]


def test_standfirsts_fill_the_description_and_the_rest_goes_under_headings():
    item = read("prose_fields.md")
    assert item.description == "Former navy seal shares his path to becoming a writer."
    # The standfirst says the description's words again: shown once.
    assert "Former Navy SEAL" not in item.body
    assert item.body == (
        "The interview.\n\n"
        "## Subtitle\n\nA veteran on discipline, fatherhood and picture books.\n\n"
        "## Summary\n\nHe wrote his first book for his own children at the kitchen table."
    )
    assert item.featured_image_caption == "At home in California"  # shown with its image


def test_prose_kept_only_as_provenance_is_named():
    item = read("prose_fields.md")
    assert item.unseen_prose == ["teaser_text"]  # color_palette_classname is no prose
    [unseen] = [m for m in messages(item) if "holds prose" in m]
    assert unseen.startswith("field 'teaser_text': holds prose (watch the whole conversation")
    assert "readers never see it" in unseen


def test_a_summary_on_an_article_reaches_the_body_or_the_description():
    raw = b"---\ntitle: Video\nsummary: A family business grows fast.\n---\n"
    item = read_item("v.md", raw, UTC, None)
    assert (item.description, item.body) == ("A family business grows fast.", "")
    assert any("the body is empty" in m for m in messages(item))
    raw = raw.replace(b"title: Video\n", b"title: Video\ndescription: One line.\n") + b"x"
    item = read_item("v.md", raw, UTC, None)
    assert item.body == "x\n\n## Summary\n\nA family business grows fast."


def test_a_quick_quote_keeps_its_summary_in_its_column():
    item = read_item(
        "q.md",
        b"---\ntitle: T\nsection: quickquotes\nfeatured_quote: {quote: Q.}\n"
        b"summary: The minister, on jobs and growth.\n---\n",
        UTC,
        None,
    )
    assert (item.kind, item.summary, item.body) == (
        "quickquote",
        "The minister, on jobs and growth.",
        "",
    )


def test_a_bare_image_name_is_reported_without_a_media_root(tmp_path):
    item = read("bare_image.md")
    assert item.featured_image_url == ""
    assert item.extra == {"featured_image.unresolved": "courthouse-1920x1281.jpg"}
    assert any("'courthouse-1920x1281.jpg' is a file name" in m for m in messages(item))
    # Its caption is not lost with it.
    assert item.body.endswith("## Image caption\n\nThe county courthouse on Wednesday")


def test_a_bare_image_name_is_resolved_against_the_media_root(tmp_path):
    (tmp_path / "courthouse-1920x1281.jpg").write_bytes(b"\xff\xd8")
    item = read("bare_image.md", media_root=tmp_path)
    # Found: the file the writer adds to the image library (verified there).
    assert item.featured_image_file == str(tmp_path / "courthouse-1920x1281.jpg")
    assert item.featured_image_url == ""
    assert item.extra == {}
    assert "Image caption" not in item.body  # the page shows it under its image
    empty = tmp_path / "empty"
    empty.mkdir()
    item = read("bare_image.md", media_root=empty)
    assert item.featured_image_file == "" and item.featured_image_url == ""
    assert any("is not a file under --media-root" in m for m in messages(item))


def test_aliases_that_are_not_paths_are_refused_by_name():
    item = read("aliases_refused.md")
    assert "/article/aliases-of-every-kind/" in item.aliases
    assert "/Read more here" not in item.aliases
    refused = [m for m in messages(item) if "is not a path" in m]
    assert len(refused) == 2
    assert "'Read more here' is not a path (it holds spaces)" in refused[0]
    assert "'mailto:desk@example.org' is not a path" in refused[1]


def test_yaml_errors_point_at_the_line_where_the_problem_starts_and_quote_it():
    with pytest.raises(ParseError) as caught:
        read("yaml_unclosed_quote.md")
    assert caught.value.problem.line == 2
    assert "fix this line: 'title: \"Council votes on the harbor'" in str(caught.value)


def test_a_dump_title_with_markup_is_its_text_with_a_warning():
    item = read("dump_title_markup.txt")
    assert (item.title, item.slug) == ("Council Says Yes", "council-says-yes")
    assert messages(item)[0].startswith("line 1, field 'title': the title holds HTML markup")
    assert "the body is empty" in messages(item)[1]


def test_a_dump_title_that_is_only_markup_fails():
    with pytest.raises(ParseError) as caught:
        parse_file("d.txt", b"<b></b>\n\nBody.\n", tz=UTC)
    assert "the title is only markup" in str(caught.value)


def test_prose_words_are_what_a_reader_reads():
    item = read("cards_list.md")
    words = prose.prose_words(item)
    assert "harbor" in words and "blue" in words
    assert "https" not in words and "img" not in words  # link targets are not read
    assert prose.markdown_words(pagedump.to_markdown_line("1. <b>x</b>")) == ["1", "b", "x", "b"]


def test_a_card_part_that_is_not_text_is_kept_and_named():
    item = front_matter(
        "cards:\n  - text: [One line of prose here., Another line of prose.]\n  - [a, list, card]\n"
    )
    assert item.body == ""
    assert item.extra == {
        "cards.1.text": ["One line of prose here.", "Another line of prose."],
        "cards.2": ["a", "list", "card"],
    }
    assert item.unseen_prose == ["cards.1.text"]
    assert [p.field for p in item.warnings] == ["cards.1.text", "cards.2"]


def test_an_image_name_cannot_reach_out_of_the_media_root(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    (tmp_path / "secret.jpg").write_bytes(b"\xff\xd8")
    (media / "link.jpg").symlink_to(tmp_path / "secret.jpg")
    for name in ("../secret.jpg", "link.jpg", "x" * 5000 + ".jpg"):
        raw = f"---\ntitle: T\nfeatured_image: {name}\n---\nBody.\n".encode()
        item = read_item("i.md", raw, UTC, media)
        assert item.featured_image_url == ""
        assert item.extra == {"featured_image.unresolved": name}
        assert any("is not a file under --media-root" in m for m in messages(item))
