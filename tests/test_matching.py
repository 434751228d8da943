import doctest

import pytest

from newsroom.discussion import matching
from newsroom.discussion.matching import compile_entries, find_matches, skeleton


def found(text: str, *entries: str) -> list[str]:
    return [m.text for m in find_matches(text, compile_entries(entries))]


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("buy viagra", "viagra"),
        ("buy VIAGRA", "viagra"),
        ("buy v1@gr4", "viagra"),  # digit and symbol swaps
        ("buy vіаgrа", "viagra"),  # Cyrillic і and а
        ("buy víágra", "viagra"),  # accents
        ("buy ｖｉａｇｒａ", "viagra"),  # full-width letters
        ("buy viaaaagra", "viagra"),  # stretched letters
        ("you idiot!", "idiot"),
        ("you 1d10t", "idiot"),
        ("kill", "ki11"),  # entries are normalised too
        ("a personal  attack here", "personal attack"),
    ],
)
def test_disguised_words_match(text, entry):
    assert found(text, entry)


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("a classic assessment", "ass"),  # whole words only
        ("Scunthorpe United", "cunt"),
        ("WordPress is a blog engine", "press"),
        ("personal attacks", "personal attack"),
        ("attack personal", "personal attack"),
    ],
)
def test_whole_word_entries_do_not_match_inside_other_words(text, entry):
    assert not found(text, entry)


def test_wildcards():
    assert found("best-casinos online", "*casino*") == ["casinos"]
    assert found("spammers", "spam*") == ["spammers"]
    assert not found("antispam", "spam*")
    assert found("chatbot", "*bot") == ["chatbot"]
    assert not found("bottle", "*bot")


def test_matched_text_is_reported_as_written():
    assert found("Buy V1@GRA now", "viagra") == ["V1@GRA"]


def test_empty_entries_are_ignored():
    assert compile_entries(["", "  ", "*"]) == []


def test_skeleton():
    assert skeleton("Ｆｕｕｕｕｎ") == "fun"
    assert skeleton("Ĺ0ѕ€") == "iose"


def test_docstring_examples_hold():
    assert doctest.testmod(matching).failed == 0
