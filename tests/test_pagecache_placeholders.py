"""The page cache's placeholders: kinds registered by name, marks split once, values
filled per request."""

import pytest
from django.test import RequestFactory

from newsroom.pagecache import placeholders
from newsroom.pagecache.placeholders import FillError, Marks, fill_placeholders, placeholder


@pytest.fixture
def registry(monkeypatch):
    """A copy of the registry, so that a test's kinds leave with it."""
    for name in ("_plain", "_numbered"):
        monkeypatch.setattr(placeholders, name, dict(getattr(placeholders, name)))
    monkeypatch.setattr(placeholders, "_marked", placeholders._marked)
    return placeholders


def test_a_registered_kind_is_marked_split_and_filled(registry):
    registry.register("greeting", lambda request, number: f"hello {number}", numbered=True)
    registry.register("path", lambda request, number: request.path)
    marks = Marks()
    page = f"<p>{marks.mark(placeholder('greeting', 7))}</p><p>{marks.mark('path')}x</p>"
    parts = marks.split(page)
    assert parts == [b"<p>", "greeting-7", b"</p><p>", "path", b"x</p>"]
    filled = fill_placeholders(RequestFactory().get("/here/"), parts)
    assert filled == b"<p>hello 7</p><p>/here/x</p>"


def test_the_comment_forms_kind_is_registered_by_the_discussion_package():
    from newsroom.discussion.forms import FORM_PLACEHOLDER, read_form_token

    value = fill_placeholders(RequestFactory().get("/"), [placeholder(FORM_PLACEHOLDER, 42)])
    assert read_form_token(value.decode())["a"] == 42


@pytest.mark.parametrize("name", ["unknown", "form", "form-x", "csrf-1", "form-" + "9" * 20])
def test_a_placeholder_no_kind_makes_cannot_be_filled(name):
    with pytest.raises(FillError):
        fill_placeholders(RequestFactory().get("/"), [b"a", name, b"b"])


def test_a_mark_without_a_known_kind_is_refused_when_split():
    marks = Marks()
    with pytest.raises(ValueError, match="without a placeholder"):
        marks.split(f"text {marks.mark('unknown')} more")


@pytest.mark.parametrize("kind", ["", "Form", "form-1", "form token"])
def test_a_kind_is_lowercase_letters(registry, kind):
    with pytest.raises(ValueError, match="lowercase letters"):
        registry.register(kind, lambda request, number: "")
