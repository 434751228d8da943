import doctest
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from newsroom.importing import parsers
from newsroom.importing.parsers import detect_format, frontmatter, pagedump, parse_file
from newsroom.importing.parsers.frontmatter import values
from newsroom.importing.parsers.frontmatter.values import normalise_alias, parse_datetime
from newsroom.importing.records import ParsedItem, ParseError, Problem

ROOT = Path(__file__).resolve().parent.parent
FILES = Path(__file__).resolve().parent / "files"
REAL_CORPUS = ROOT.parent / "shared" / "corpus" / "hugo-real"
NEW_YORK = ZoneInfo("America/New_York")


def parse_path(path: Path, tz=UTC) -> ParsedItem:
    return parse_file(str(path), path.read_bytes(), tz=tz)


def parse_text(text: str, name: str = "item.md", tz=UTC) -> ParsedItem:
    return parse_file(name, text.encode(), tz=tz)


def parse_error(path: str, raw: bytes) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_file(path, raw, tz=UTC)
    return caught.value


@pytest.mark.parametrize("module", [parsers, frontmatter, values, pagedump])
def test_docstring_examples_hold(module):
    assert doctest.testmod(module).failed == 0


def test_problem_and_parse_error_say_where_and_what():
    problem = Problem("cannot read 'soon' as a date", line=12, field="date")
    assert str(problem) == "line 12, field 'date': cannot read 'soon' as a date"
    assert str(Problem("x", field="title")) == "field 'title': x"
    assert str(Problem("x")) == "x"
    error = ParseError("a/b.md", problem)
    assert str(error) == "a/b.md: line 12, field 'date': cannot read 'soon' as a date"
    assert (error.path, error.problem) == ("a/b.md", problem)


# The page dump fixture


@pytest.fixture(scope="module")
def dump() -> ParsedItem:
    return parse_path(ROOT / "fixtures" / "000_90db8f93e677aa95.txt")


def test_dump_head(dump):
    assert (dump.format, dump.kind) == ("pagedump", "article")
    assert dump.title == "Aliyev Threatens War via Twitter"
    assert dump.slug == "aliyev-threatens-war-via-twitter"
    assert dump.featured_image_caption == "A screen shot of Aliyev's Twitter page"
    assert dump.dateline == "BAKU"
    assert dump.published is True
    assert dump.date is None and dump.publish_date is None


def test_dump_body(dump):
    assert dump.body.startswith("It’s a first for social media—especially Twitter.")
    assert "\n\n## Aliyev Claims “Armenians In Panic”\n\nAliyev further claimed" in dump.body
    assert dump.body.endswith("he said.")
    assert dump.body.count("\n\n") == 9  # ten paragraphs and the subheading
    for left_out in ("BAKU", "A screen shot", "Discussion Policy", "said:", "Pingback"):
        assert left_out not in dump.body


def test_dump_policy(dump):
    assert dump.discussion_policy.startswith("Comments are welcomed and encouraged.")
    assert dump.discussion_policy.endswith("any of our posting standards and policies.")


def test_dump_comments(dump):
    comments = dump.comments
    assert [c.position for c in comments] == list(range(1, 12))
    assert [c.kind for c in comments] == ["comment"] * 10 + ["pingback"]
    assert [c.author_name for c in comments[:3]] == ["SA", "Ed", "Armenan"]
    assert comments[1].body.count("\n\n") == 3
    assert comments[1].body.startswith("Armenians should ask twitter")
    assert comments[1].body.endswith("mini Hitler of Baku.")
    lines = comments[6].body.split("\n")
    assert (len(lines), lines[0], lines[-1]) == (
        14,
        "another dog of NATO and ZIONIST",
        "why the percentage of deaf and dumb with lo IQ in muslim country is so high?",
    )
    assert comments[5].body.split("\n")[1] == "There are paper tigers, and you are a Twitter tiger."
    pingback = comments[10]
    assert pingback.author_name == "Vacations To Places That Technically Don't Exist - Passportdiva"
    assert pingback.body == pingback.author_name
    assert comments[0].line == 29


def test_dump_has_no_date_and_nothing_to_warn_about(dump):
    # The loader decides what an undated item becomes, and says so.
    assert (dump.date, dump.publish_date, dump.lastmod) == (None, None, None)
    assert dump.warnings == []


# The quick quote fixture (front matter in a .txt file)


@pytest.fixture(scope="module")
def quote() -> ParsedItem:
    return parse_path(ROOT / "fixtures" / "004_350c7da07d336ef7.txt")


def test_quote_fields(quote):
    assert (quote.format, quote.kind, quote.section) == ("frontmatter", "quickquote", "quickquotes")
    assert quote.title == (
        "azerbaijani president, ilham aliyev, on a fight over disputed territories that "
        "armenia also claims."
    )
    assert quote.quote.startswith("We are winning and will get our territory back")
    assert quote.summary.startswith("Azerbaijani president, Ilham Aliyev,")
    assert quote.citation == ""
    assert quote.featured_image_url.endswith("kyle-glenn-598701-unsplash-min-scaled.jpg")
    assert quote.tags == [] and quote.authors == []
    assert quote.published is True and quote.is_breaking is False
    assert quote.extra == {} and quote.warnings == []


def test_quote_dates_are_aware(quote):
    expected = datetime(2020, 10, 12, 15, 51, 30, tzinfo=UTC)
    assert quote.date == quote.publish_date == expected
    assert quote.date.isoformat() == "2020-10-12T15:51:30+00:00"
    assert quote.lastmod is None


def test_quote_alias_and_slug(quote):
    slug = (
        "azerbaijani-president-ilham-aliyev-on-a-fight-over-disputed-territories-"
        "that-armenia-also-claims"
    )
    assert quote.aliases == [f"/article/{slug}/"]
    assert quote.slug == slug


def test_quote_links_are_repaired(quote):
    assert (
        "[Eruption of Conflict Over Nagorno-Karabakh]"
        "(https://www.cfr.org/blog/eruption-conflict-over-nagorno-karabakh)"
    ) in quote.body
    assert '\\"' not in quote.body
    assert "gclid" not in quote.body
    assert quote.body.startswith("*   Fighting began on September 27th")


# Odd inputs in tests/files


def test_toml_front_matter():
    item = parse_path(FILES / "toml_front_matter.md", tz=NEW_YORK)
    assert (item.title, item.section, item.kind) == ("Budget Talks Resume", "politics", "article")
    assert item.date == datetime(2023, 10, 15, 13, 18, 50, tzinfo=timezone(timedelta(hours=-7)))
    assert item.publish_date == datetime(2023, 10, 16, tzinfo=NEW_YORK)
    assert item.tags == ["Budget", "Congress"]
    assert item.authors == ["Ana Ruiz"]
    assert item.aliases == ["/article/budget-talks/"]
    assert item.slug == "budget-talks"
    assert (item.featured_image_url, item.featured_image_alt, item.featured_image_caption) == (
        "https://example.com/img/capitol.jpg",
        "The Capitol",
        "Lawmakers return on Monday.",
    )
    assert item.extra == {"weight": 3}
    assert [str(w) for w in item.warnings] == [
        "line 9, field 'weight': has no column; kept in the item's provenance"
    ]
    assert item.body == "Talks resumed on Monday."


def test_json_front_matter():
    item = parse_path(FILES / "json_front_matter.md")
    assert item.title == "Harbor Reopens"
    assert item.date == datetime(2021, 3, 1, 8, tzinfo=UTC)
    assert item.lastmod is None
    assert item.published is False
    assert item.authors == ["Lee Chan"]
    assert item.extra == {"card_1.when": "2021-03-01"}
    assert item.warnings[0].line == 7
    assert item.body == "hello\n\nThe harbor reopened after **three** weeks."


def test_bom_and_crlf_are_tolerated():
    raw = (FILES / "bom_crlf.md").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    item = parse_path(FILES / "bom_crlf.md", tz=NEW_YORK)
    assert item.title == "Crlf And Bom"
    assert item.date == datetime(2020, 10, 12, tzinfo=NEW_YORK)
    assert item.tags == ["News"]
    assert item.body == "First line.\nSecond line."


def test_old_mac_line_endings_are_tolerated():
    item = parse_file("x.md", b"---\rtitle: Cr\r---\rBody\r", tz=UTC)
    assert (item.title, item.body) == ("Cr", "Body")


def test_broken_yaml_names_the_file_line_and_problem():
    error = parse_error("broken.md", (FILES / "broken_yaml.md").read_bytes())
    assert error.problem.line == 3
    assert "mapping values are not allowed here" in str(error)
    assert str(error).startswith("broken.md: line 3: invalid YAML front matter")


def test_missing_title_is_an_error():
    error = parse_error("m.md", (FILES / "missing_title.md").read_bytes())
    assert error.problem.field == "title"
    assert "add 'title: ...'" in str(error)


def test_front_matter_that_is_not_a_mapping_is_an_error():
    error = parse_error("n.md", (FILES / "not_a_mapping.md").read_bytes())
    assert "the front matter is a list, not a mapping" in str(error)


def test_dates_extras_and_yaml_gotchas():
    item = parse_path(FILES / "dates_and_extras.md", tz=NEW_YORK)
    assert item.title == "Dates and extras"  # YAML reads "\_" as a no-break space
    assert item.date == datetime(2021, 2, 17, 21, 19, tzinfo=NEW_YORK)
    assert item.publish_date.utcoffset() == timedelta(hours=-7)
    assert item.lastmod is None  # unquoted 12:30:00 is the integer 45000 to PyYAML
    assert item.extra["lastmod"] == 45000
    assert item.expiry_date == datetime(2024, 1, 1, tzinfo=NEW_YORK)  # Hugo's, read
    assert "expiryDate" not in item.extra
    assert item.body.startswith("“I’m sorry.”\n\nBody text.")
    assert item.is_breaking is True
    assert item.published is False
    assert item.authors == ["Ana Ruiz", "Ben Ode"]
    assert item.aliases == ["/article/dates-and-extras/"]
    assert item.quote == "Keep calm."
    by_field = {w.field: str(w) for w in item.warnings}
    assert by_field["lastmod"].startswith("line 6, field 'lastmod': cannot read 45000 as a date")
    assert by_field["aliases"] == (
        "line 11, field 'aliases': an empty alias was dropped; remove it from the list"
    )
    assert "expiryDate" not in by_field
    assert [w.line for w in item.warnings] == sorted(w.line for w in item.warnings)
    json.dumps(item.extra)


def test_links_and_control_characters():
    item = parse_path(FILES / "links_and_controls.md")
    assert '[CFR](https://www.cfr.org/blog/x "Council on Foreign Relations")' in item.body
    assert "[back](#)" in item.body
    assert "[story](https://example.com/a?id=7#part)" in item.body
    assert "[CLICK HERE](https://apnews.com/f3c3747e)" in item.body
    assert "A bell and a separator in the text." in item.body
    assert [(w.line, w.message.split(";")[0]) for w in item.warnings] == [
        (6, "repaired link target 'ttps://apnews.com/f3c3747e' to 'https://apnews.com/f3c3747e'"),
        (10, "removed control character(s) U+0007, U+001C"),
    ]


def test_dump_with_trackback_and_a_list_inside_a_comment():
    item = parse_path(FILES / "dump_trackback.txt")
    assert item.featured_image_caption == "Crowds outside city hall on Tuesday"
    assert item.dateline == "HARBOR CITY"
    assert item.body == (
        "The council voted 7-2 on Tuesday to approve the harbor plan.\n\n"
        "1\\. The first phase starts in May.  \n"
        "\\# This line is not a heading  \n"
        "\\* Nor is this a list\n\n"
        "## What Happens Next\n\n"
        "The plan goes to the state board, which meets in June."
    )
    assert item.discussion_policy == (
        "Comments are welcome. Keep them civil.\n\nComments that attack people are removed."
    )
    mara, trackback, tom = item.comments
    assert (mara.position, mara.kind, mara.author_name) == (1, "comment", "Mara")
    assert mara.body == (
        "Three points:\n\n1. It costs too much.\n2. Jo said: it is late.\n\nThat is all."
    )
    assert (trackback.position, trackback.kind) == (2, "trackback")
    assert trackback.author_name == trackback.body == "Harbor plan roundup - Coast Weekly"
    assert (tom.position, tom.body) == (3, "Good news\nfor the harbor.")


def test_dump_without_caption_and_with_a_parenthetical_dateline():
    item = parse_path(FILES / "dump_no_caption.txt")
    assert item.featured_image_caption == ""
    assert item.dateline == "LOS ANGELES (Combined Sources)"
    assert item.body == (
        "Schools across the county closed on Friday as the storm arrived.\n\n"
        "Officials said classes would resume on Monday."
    )
    assert item.comments == [] and item.discussion_policy == ""


# Front matter mapping rules


def test_quick_quote_sections_and_the_type_key():
    for source in ("section: quickquotes", "section: Quick_Quotes", "type: quick-quotes"):
        item = parse_text(f"---\ntitle: Q\n{source}\nfeatured_quote:\n  quote: Go.\n---\n")
        assert (item.kind, item.quote) == ("quickquote", "Go.")
    item = parse_text("---\ntitle: Q\nsection: quickquotes\n---\n")
    assert [w.field for w in item.warnings] == ["featured_quote"]
    assert parse_text("---\ntitle: A\nsection: ''\n---\n").section is None


def test_slug_sources_in_order():
    assert parse_text("---\ntitle: T T\nslug: given\naliases: [a/b/]\n---\n").slug == "given"
    assert parse_text("---\ntitle: T T\naliases: [a/from-alias/]\n---\n").slug == "from-alias"
    assert parse_text("---\ntitle: Hello, World!\naliases: ['/']\n---\n").slug == "hello-world"
    assert len(parse_text(f"---\ntitle: {'word ' * 80}\n---\n").slug) == 200


def test_single_strings_and_flags():
    item = parse_text(
        "---\ntitle: T\ntags: News\npost_author: Ann\nauthor: [ann, Bo]\ndraft: true\n"
        "featured_image: https://a.org/i.jpg\nis_breaking: maybe\n---\n"
    )
    assert item.tags == ["News"]
    assert item.authors == ["Ann", "Bo"]
    assert item.published is False
    assert item.featured_image_url == "https://a.org/i.jpg"
    assert item.is_breaking is False
    assert str(item.warnings[0]) == (
        "line 8, field 'is_breaking': expected true or false, found 'maybe'; using False"
    )


def test_unknown_nested_keys_are_kept():
    item = parse_text("---\ntitle: T\nfeatured_image:\n  image: i.jpg\n  credit: AP\n---\n")
    assert item.extra == {"featured_image.credit": "AP"}
    assert str(item.warnings[0]) == (
        "line 5, field 'featured_image.credit': has no column; kept in the item's provenance"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: x\n", "never closed"),
        ("+++\ntitle = 'x'\n", "never closed"),
        ("---\n---\nbody\n", "the title is missing"),
        ("---\ntitle: ''\n---\n", "the title is missing"),
        ("+++\ntitle = \n+++\n", "invalid TOML front matter"),
        ('{"title": "x",\n}\n', "invalid JSON front matter"),
    ],
)
def test_front_matter_errors(text, message):
    error = parse_error("e.md", text.encode())
    assert message in str(error)


@pytest.mark.parametrize("toml", ["title = 'x'\ndate = \nweight = 1", "title = 'x'\ndate = "])
def test_toml_error_line_is_the_files(toml):
    error = parse_error("e.md", f"\n+++\n{toml}\n+++\n".encode())
    assert error.problem.line == 4


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2020, 1, 2, 3, 4, tzinfo=UTC), "2020-01-02T03:04:00+00:00"),
        (datetime(2020, 1, 2, 3, 4), "2020-01-02T03:04:00-05:00"),
        (date(2020, 1, 2), "2020-01-02T00:00:00-05:00"),
        ("2020-10-12T15:51:30Z", "2020-10-12T15:51:30+00:00"),
        ("2020-10-12T15:51:30+00:00", "2020-10-12T15:51:30+00:00"),
        ("2023-10-15T13:18:50-0700", "2023-10-15T13:18:50-07:00"),
        ("2020-07-12 15:51", "2020-07-12T15:51:00-04:00"),
        ("2020-10-12", "2020-10-12T00:00:00-04:00"),
        ("February 17, 2021 9:19 PM", "2021-02-17T21:19:00-05:00"),
        ("Feb 17, 2021", "2021-02-17T00:00:00-05:00"),
    ],
)
def test_parse_datetime(value, expected):
    assert parse_datetime(value, NEW_YORK).isoformat() == expected


@pytest.mark.parametrize("value", [None, "", "  "])
def test_parse_datetime_empty_is_none(value):
    assert parse_datetime(value, UTC) is None


@pytest.mark.parametrize("value", ["soon", 45000, True, "31/12/2020"])
def test_parse_datetime_rejects_the_rest(value):
    with pytest.raises(ValueError):
        parse_datetime(value, UTC)


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("article/x/", "/article/x/"),
        ("/article/x/", "/article/x/"),
        ("/article/x", "/article/x"),
        ("https://smarthernews.com/article/x/?a=1#b", "/article/x/"),
        ("//smarthernews.com/x/", "/x/"),
        ("https://smarthernews.com", "/"),
    ],
)
def test_normalise_alias(alias, expected):
    assert normalise_alias(alias) == expected


# The registry


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("a.md", "no front matter", "frontmatter"),
        ("a.MARKDOWN", "", "frontmatter"),
        ("a.txt", "Title\n\nBody", "pagedump"),
        ("a.txt", "---\ntitle: x\n---\n", "frontmatter"),
        ("a", "\ufeff+++\ntitle = 'x'\n+++\n", "frontmatter"),
        ("a.html", '{"title": "x"}', "frontmatter"),
        ("a.html", "<html>", None),
        ("a.txt", "----- Title with dashes", "pagedump"),
    ],
)
def test_detect_format(path, text, expected):
    assert detect_format(path, text) == expected


def test_unknown_format_lists_the_supported_ones():
    error = parse_error("page.html", b"<html></html>")
    assert "page dumps (.txt)" in str(error) and "front matter" in str(error)


def test_windows_1252_is_read_with_a_warning_naming_the_line():
    item = parse_file("old.txt", b"Caf\xe9 \x93News\x94\n\nAbout it.\n", tz=UTC)
    assert item.title == "Café “News”"
    assert item.warnings[0].line == 1
    assert "read as Windows-1252" in item.warnings[0].message


def test_undecodable_bytes_name_the_offset_and_line():
    # 0x81 is neither UTF-8 here nor any Windows-1252 character.
    error = parse_error("bad.txt", b"Title\n\nAbout \x81 here")
    assert error.problem.line == 3
    assert "byte 0x81 at offset 13 is neither UTF-8 nor Windows-1252" in str(error)


def test_binary_file_is_refused():
    error = parse_error("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "binary file" in str(error)


@pytest.mark.parametrize("raw", [b"", b"\n  \n"])
def test_empty_file_is_an_error(raw):
    assert "the file is empty" in str(parse_error("empty.txt", raw))


def test_dump_with_only_a_title():
    item = parse_file("t.txt", b"Just A Title\n", tz=UTC)
    assert (item.title, item.body, item.comments) == ("Just A Title", "", [])


def test_dump_comment_control_characters_are_reported_with_their_line():
    raw = b"T\n\nBody.\n\nDiscussion Policy\n\nBe kind.\n\n  1. Al said:\n\n    Hi\x07 there\n"
    item = parse_file("c.txt", raw, tz=UTC)
    assert item.comments[0].body == "Hi there"
    assert item.warnings[0].line == 11


# The real archive, when it is present on this machine (it is not part of the project)


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason="the real archive sample is not here")
@pytest.mark.parametrize(
    "path", sorted(REAL_CORPUS.glob("*.md")) if REAL_CORPUS.is_dir() else [], ids=lambda p: p.name
)
def test_real_archive_file(path):
    try:
        item = parse_path(path)
    except ParseError as error:
        assert str(error).startswith(f"{path}: ") and error.problem.message
        return
    assert item.title and item.slug
    assert all(d is None or d.tzinfo for d in (item.date, item.publish_date, item.lastmod))
    assert all(a.startswith("/") for a in item.aliases)
    assert '](\\"' not in item.body
    assert not any(ord(c) < 32 and c not in "\t\n" for c in item.body + item.title)
    json.dumps(item.extra)
