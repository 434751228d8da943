import doctest

import pytest

from newsroom.importing import cleaning
from newsroom.importing.cleaning import (
    clean_body,
    clean_text,
    find_broken_links,
    remove_control_characters,
    repair_garbled_punctuation,
    repair_link_artifacts,
    strip_tracking_params,
)
from newsroom.rendering import render_markdown


def test_docstring_examples_hold():
    assert doctest.testmod(cleaning).failed == 0


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"[a](\"https://x.org/p\")", "[a](https://x.org/p)"),
        (r"[a](\"https://x.org/p\" \"The title\")", '[a](https://x.org/p "The title")'),
        (r"[top](\"#\")", "[top](#)"),
        (r"![img](\"https://x.org/i.jpg\")", "![img](https://x.org/i.jpg)"),
        (r"[a](\"https://x.org/a b\")", "[a](https://x.org/a%20b)"),
        (r"[a](\"/one\") and [b](\"/two\")", "[a](/one) and [b](/two)"),
        ("[fine](https://x.org/p)", "[fine](https://x.org/p)"),
        ('[fine](https://x.org/p "title")', '[fine](https://x.org/p "title")'),
    ],
)
def test_repair_link_artifacts(source, expected):
    assert repair_link_artifacts(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("https://a.org/?utm_source=x", "https://a.org/"),
        ("https://a.org/p?id=1&utm_medium=x&b=2", "https://a.org/p?id=1&b=2"),
        ("https://a.org/p?gclid=Cj0&fbclid=Iw#frag", "https://a.org/p#frag"),
        ("https://a.org/p?mc_cid=1&mc_eid=2&page=3", "https://a.org/p?page=3"),
        ("https://a.org/p?UTM_Campaign=x&q=a%20b", "https://a.org/p?q=a%20b"),
        ("https://a.org/p?utmost=1", "https://a.org/p?utmost=1"),
        ("https://a.org/p?id=1#utm_source=x", "https://a.org/p?id=1#utm_source=x"),
        (
            '[https://a.org/?gclid=1](https://a.org/?gclid=1 "t")',
            '[https://a.org/](https://a.org/ "t")',
        ),
        ("no links here?utm_source=x", "no links here?utm_source=x"),
    ],
)
def test_strip_tracking_params(source, expected):
    assert strip_tracking_params(source) == expected


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("[x](ttps://apnews.com/f3)", "misspelt scheme 'ttps:'; use 'https:'"),
        ("[x](htp://a.org)", "misspelt scheme 'htp:'; use 'http:'"),
        ("[x]()", "empty target"),
        ("[x](javascript:alert(1))", "uses 'javascript:'; only http, https and mailto"),
        ("[x](ftp://a.org/f)", "uses 'ftp:'"),
        ("[x](https:/a.org)", "has no host"),
        ("[x](www.a.org/p)", "write 'https://www.a.org/p'"),
    ],
)
def test_broken_links_are_found(markdown, expected):
    problems = find_broken_links(f"intro\n{markdown}", first_line=10)
    assert len(problems) == 1
    assert problems[0].line == 11
    assert expected in problems[0].message


@pytest.mark.parametrize(
    ("markdown", "repaired"),
    [
        ("[x](ttps://apnews.com/f3)", "[x](https://apnews.com/f3)"),
        ("[x](htps://a.org/p)", "[x](https://a.org/p)"),
        ("[x](htp://a.org)", "[x](http://a.org)"),
        ("[x](http//a.org/p)", "[x](http://a.org/p)"),
        ("[x](https//a.org/p)", "[x](https://a.org/p)"),
        ("[x](https:/a.org)", "[x](https://a.org)"),
        ("[x](https://https://a.org/p)", "[x](https://a.org/p)"),
        ("[x](http://ttps://a.org/p)", "[x](https://a.org/p)"),
        ("[x](www.a.org/p)", "[x](https://www.a.org/p)"),
        (r"[x](\"ttps://a.org/p\")", "[x](https://a.org/p)"),
        ("Source_:A https://a.org/p", "Source: https://a.org/p"),
        ("Read it here _:A [AP](https://a.org/p)", "Read it here: [AP](https://a.org/p)"),
    ],
)
def test_repairable_links_are_repaired_with_a_warning(markdown, repaired):
    text, problems = clean_body(f"intro\n{markdown}", first_line=10)
    assert text == f"intro\n{repaired}"
    assert [p.line for p in problems] == [11]
    assert problems[0].message.startswith("repaired")


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("[x]()", "x"),
        ("[x](javascript:alert(1))", "x (javascript:alert(1))"),
        ("[x](ftp://a.org/f)", "x (ftp://a.org/f)"),
        ("[x](https://)", "x (https://)"),
        ("See [the *AP* [story]](ftp://a.org) now", "See the *AP* [story] (ftp://a.org) now"),
    ],
)
def test_unrepairable_links_stay_as_text_and_are_reported(markdown, text):
    cleaned, problems = clean_body(markdown, first_line=3)
    assert cleaned == text
    assert [p.line for p in problems] == [3]
    assert problems[0].message.endswith("the link was kept as plain text")
    assert "<a" not in render_markdown(cleaned)


def test_an_unrepairable_image_is_reported_and_left():
    cleaned, problems = clean_body("![map](ftp://a.org/m.png)")
    assert cleaned == "![map](ftp://a.org/m.png)"
    assert "uses 'ftp:'" in problems[0].message


@pytest.mark.parametrize(
    "markdown",
    [
        "[x](https://a.org/p)",
        "[x](http://a.org)",
        "[x](mailto:desk@a.org)",
        "[x](/article/y/)",
        "[x](../y)",
        "[x](#top)",
        '[x](https://en.wikipedia.org/wiki/Foo_(bar) "t")',
        "![alt](https://a.org/i.jpg)",
        r"\[not a link\](ttps://x)",
    ],
)
def test_usable_links_are_not_reported(markdown):
    assert find_broken_links(markdown) == []


def test_control_characters_are_removed_with_their_line_and_code_points():
    text, problems = remove_control_characters("ok\ta\n\x00b\x85c\ufeff\nfine", first_line=4)
    assert text == "ok\ta\nbc\nfine"
    assert [(p.line, p.message.split(";")[0]) for p in problems] == [
        (5, "removed control character(s) U+0000, U+0085, U+FEFF")
    ]


def test_garbled_punctuation_is_restored_in_both_spellings():
    text, problems = repair_garbled_punctuation(
        "Forbesa\x19 list\nbookA a\\\\u001cExtreme Ownershipa\\\\u001dA a\\u0013 x", first_line=3
    )
    assert text == "Forbes’ list\nbookA “Extreme Ownership”A – x"
    assert [p.line for p in problems] == [3, 4]
    assert "a\\x19 → ’" in problems[0].message


def test_clean_text_names_the_field():
    text, problems = clean_text("a\x1cI quit.a\x1d\x07", field="featured_quote.quote")
    assert text == "“I quit.”"
    assert {p.field for p in problems} == {"featured_quote.quote"}


def test_clean_body_counts_lines_from_first_line_and_keeps_the_line_count():
    source = (
        r"See [CFR](\"https://cfr.org/x?gclid=C1&id=2\")"
        "\n\nbell\x07\n\n[AP](ttps://ap.org)"
    )
    text, problems = clean_body(source, first_line=20)
    assert text == "See [CFR](https://cfr.org/x?id=2)\n\nbell\n\n[AP](https://ap.org)"
    assert text.count("\n") == source.count("\n")
    assert [p.line for p in problems] == [22, 24]
