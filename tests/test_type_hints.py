"""The public API of the feeds, the page cache, the reader views (newsroom's and
quickquotes') and revisions is fully type-annotated."""

import inspect
import typing

import pytest

from newsroom import feeds, revisions
from newsroom.admin import revisions as revision_admin
from newsroom.pagecache import (
    csrf,
    fragments,
    gzip,
    middleware,
    pages,
    placeholders,
    signals,
    versions,
)
from newsroom.revisions import compare
from newsroom.views import articles, comments, listings
from quickquotes import views as quickquote_views


def public_functions():
    pagecache = (csrf, fragments, gzip, middleware, pages, placeholders, signals, versions)
    modules = (feeds, *pagecache, articles, comments, listings, quickquote_views)
    for module in (*modules, revisions, compare, revision_admin):
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            if inspect.isclass(value):
                for attribute, member in vars(value).items():
                    if inspect.isfunction(member) and not attribute.startswith("_"):
                        yield f"{module.__name__}.{name}.{attribute}", member
            elif inspect.isfunction(value):
                yield f"{module.__name__}.{name}", inspect.unwrap(value)


@pytest.mark.parametrize(("name", "function"), list(public_functions()))
def test_every_parameter_and_return_is_annotated(name, function):
    hints = typing.get_type_hints(function)  # every name in them resolves
    parameters = [p for p in inspect.signature(function).parameters if p != "self"]
    missing = [p for p in [*parameters, "return"] if p not in hints]
    assert not missing, f"{name}: {missing} not annotated"
